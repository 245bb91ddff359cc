"""An event the projector cannot apply is logged and tried again, never a dead projector.

The fault is real: the read model's `board_visits` table is renamed away under the
running projector, so applying a booking fails in PostgreSQL itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import psycopg
import pytest

from domain.world import MONDAY, build_world
from scheduler.domain import Scheduling
from scheduler.readside.projector import Projector
from scheduler.readside.reader import ReadModel
from scheduler.settings import Settings

pytestmark = pytest.mark.postgres
FAST = (0.02, 0.2)
"""Retry waits for the tests (the default is 0.5 s doubling to 30 s)."""


def _until(condition: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _sql(settings: Settings, statement: str) -> None:
    with psycopg.connect(settings.database_url or "", autocommit=True) as conn:
        conn.execute(statement.encode())


def _retries(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "event not projected; trying it again"]


def _visits(settings: Settings, world_clinic: object) -> set[object]:
    async def read() -> set[object]:
        model = ReadModel(settings.database_url or "")
        await model.open()
        try:
            snapshot = await model.snapshot(world_clinic, MONDAY, MONDAY + timedelta(days=6))  # type: ignore[arg-type]
            return {v.session_id for v in snapshot.visits} if snapshot else set()
        finally:
            await model.close()

    return asyncio.run(read())


def test_a_failing_event_is_retried_and_logged_until_it_applies(
    settings: Settings, app: Scheduling, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="scheduler.readside")
    world = build_world(app)
    with Projector(settings, retry_s=FAST) as projector:
        projector.wait(app.recorder.max_notification_id() or 0, timeout=30)
        _sql(settings, "ALTER TABLE board_visits RENAME TO board_visits_away")
        booked = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
        last = app.recorder.max_notification_id()
        assert last is not None
        _until(lambda: len(_retries(caplog)) >= 3, "three tries of the booking")
        with pytest.raises(TimeoutError):
            projector.wait(last, timeout=0.2)  # stuck on the booking, visibly
        _sql(settings, "ALTER TABLE board_visits_away RENAME TO board_visits")
        projector.wait(last, timeout=30)
        assert not projector._runner.is_interrupted.is_set()  # type: ignore[union-attr]
    assert booked in _visits(settings, world.clinic)

    retries = _retries(caplog)
    first = retries[0]
    assert first.levelno == logging.ERROR
    assert first.event_type == "Session.Booked"  # type: ignore[attr-defined]
    assert first.error_type in {"UndefinedTable", "ProgrammingError"}  # type: ignore[attr-defined]
    assert "process_event" in first.stack or "record" in first.stack  # type: ignore[attr-defined]
    # Waits grow between tries (backing off), up to the maximum.
    waits = [r.retry_in_s for r in retries]  # type: ignore[attr-defined]
    assert waits[:3] == [0.02, 0.04, 0.08]
    assert max(waits) <= FAST[1]
    # The error's message (PostgreSQL quotes what it could not find) is never logged.
    for record in caplog.records:
        logged = " ".join(str(value) for value in vars(record).values())
        assert "does not exist" not in logged


def test_a_projector_stopped_while_retrying_leaves_the_event_for_the_next_start(
    settings: Settings, app: Scheduling, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="scheduler.readside")
    world = build_world(app)
    with Projector(settings, retry_s=FAST) as projector:
        projector.wait(app.recorder.max_notification_id() or 0, timeout=30)
        _sql(settings, "ALTER TABLE board_visits RENAME TO board_visits_away")
        booked = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
        _until(lambda: bool(_retries(caplog)), "a failed try")
    # Leaving the block stopped it without an error, and the booking was not skipped.
    _sql(settings, "ALTER TABLE board_visits_away RENAME TO board_visits")
    assert booked not in _visits(settings, world.clinic)
    with Projector(settings, retry_s=FAST) as projector:
        projector.wait(app.recorder.max_notification_id() or 0, timeout=30)
    assert booked in _visits(settings, world.clinic)
