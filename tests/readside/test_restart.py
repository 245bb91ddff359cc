"""A projector killed mid-stream and restarted applies every event exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import msgspec
import psycopg
import pytest

from domain.world import MONDAY, NOW, World
from scheduler.api import readers
from scheduler.api.readmodel import board_of
from scheduler.domain import Scheduling
from scheduler.readside.reader import ReadModel
from scheduler.settings import Settings

from .conftest import SECRET, busy_week

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PROJECT = "import sys; from scheduler.cli import main; sys.exit(main(['project']))"


def _projector(settings: Settings, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "SCHEDULER_JWT_SECRET": SECRET,
        "SCHEDULER_DATA_DIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-c", PROJECT], env=env)


def _position(settings: Settings) -> int:
    with psycopg.connect(settings.database_url or "") as conn:
        try:
            row = conn.execute(
                "SELECT notification_id FROM readside_tracking WHERE application_name = %s",
                ("Scheduling",),
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def _wait_until(condition, what: str, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {condition}"
        time.sleep(0.005)


def _book_and_cancel(world: World, app: Scheduling, cycles: int) -> list[object]:
    """Each cycle books a visit and cancels it: many events, every one on the board."""
    sessions = []
    for n in range(cycles):
        day = MONDAY + timedelta(days=2 + n % 3)
        session = world.book(world.quinn_home_plan, world.ana, day, "15:00")
        app.cancel_session(session, actor="desk", reason="test", now=NOW)
        sessions.append(session)
    return sessions


def test_killed_projector_catches_up_with_no_duplicate_or_missing_row(
    settings: Settings, app: Scheduling, tmp_path: Path
) -> None:
    world = busy_week(app)
    _book_and_cancel(world, app, 25)
    first = _projector(settings, tmp_path)
    try:
        _wait_until(lambda: _position(settings) > 0, "the first events to be projected")
        # Writes go on while the projector works, and after it is gone.
        _book_and_cancel(world, app, 5)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        first.kill()
    killed_at = _position(settings)
    _book_and_cancel(world, app, 5)
    kept = world.book(world.quinn_home_plan, world.ana, MONDAY + timedelta(days=3), "10:00")
    last = app.recorder.max_notification_id()
    assert last is not None
    assert 0 < killed_at < last

    second = _projector(settings, tmp_path)
    try:
        # A re-applied event would break a primary key and stop the projector short.
        _wait_until(
            lambda: _position(settings) == last, f"the projector to reach {last} from {killed_at}"
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
    finally:
        second.kill()

    with psycopg.connect(settings.database_url or "") as conn:
        visits = conn.execute("SELECT count(*), count(DISTINCT session_id) FROM board_visits")
        assert visits.fetchone() == (4 + 35 + 1, 4 + 35 + 1)
        cancelled = conn.execute("SELECT count(*) FROM board_visits WHERE status = 'cancelled'")
        assert cancelled.fetchone() == (35 + 1,)
    snapshot = asyncio.run(_snapshot(settings, world))
    assert snapshot is not None
    assert kept in {visit.session_id for visit in snapshot.visits}
    for n in range(7):
        day = MONDAY + timedelta(days=n)
        expected = readers.board(app, world.clinic, day, None)
        assert msgspec.json.encode(board_of(snapshot, day)) == msgspec.json.encode(expected)


async def _snapshot(settings: Settings, world: World):  # type: ignore[no-untyped-def]
    model = ReadModel(settings.database_url or "")
    await model.open()
    try:
        return await model.snapshot(world.clinic, MONDAY, MONDAY + timedelta(days=6))
    finally:
        await model.close()
