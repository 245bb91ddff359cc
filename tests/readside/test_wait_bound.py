"""`?min_position` waits never run past their bound, even when a query itself hangs.

The read model's tracking table is locked by another transaction, so every query of the
position blocks in PostgreSQL: the wait must still give up at its deadline (the API
then answers 503 `read_model_behind`), not when the lock is released.
"""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from scheduler.domain import Scheduling
from scheduler.readside.projector import Projector
from scheduler.readside.reader import ReadModel
from scheduler.settings import Settings

from .conftest import busy_week

pytestmark = pytest.mark.postgres


async def _wait(settings: Settings, position: int, timeout_s: float) -> bool:
    model = ReadModel(settings.database_url or "")
    await model.open()
    try:
        # The outer guard only keeps a broken bound from hanging the suite.
        return await asyncio.wait_for(model.wait_for(position, timeout_s), 60)
    finally:
        await model.close()


def test_a_wait_gives_up_at_its_bound_while_the_position_query_is_blocked(
    settings: Settings, app: Scheduling
) -> None:
    busy_week(app)
    last = app.recorder.max_notification_id()
    assert last is not None
    with Projector(settings) as projector:
        projector.wait(last, timeout=30)
    assert asyncio.run(_wait(settings, last, 0.2)) is True  # reached: no waiting
    with psycopg.connect(settings.database_url or "") as holder:
        holder.execute("LOCK TABLE readside_tracking IN ACCESS EXCLUSIVE MODE")
        # The position query cannot answer until the lock goes: the bound must end it.
        assert asyncio.run(_wait(settings, last, 0.2)) is False
        assert asyncio.run(_wait(settings, last + 1, 0.2)) is False
        still_locked = holder.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = 'readside_tracking'::regclass "
            "AND mode = 'AccessExclusiveLock' AND granted"
        ).fetchone()
        assert still_locked == (1,)
        holder.rollback()
    assert asyncio.run(_wait(settings, last, 0.2)) is True
