"""Pin and unpin on PostgreSQL with `scheduler project` running: the board follows.

A pin once stopped the projector (its board change had no name), freezing the board and
every `?min_position` read. Here the real projector process runs with Redis, so each
pin is projected AND announced, and the process is still up at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import psycopg
import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.domain import Scheduling
from scheduler.readside.changes import channel
from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET, Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis).
from .production import (  # noqa: F401
    production_settings,
    production_world,
    seeded_database,
)
from .world import MONDAY, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
PROJECT = "import sys; from scheduler.cli import main; sys.exit(main(['project']))"


@pytest.fixture
def projector(settings: Settings, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`scheduler project` in its own process, announcing changes on Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": REDIS_URL,
        "SCHEDULER_REDIS_PREFIX": settings.redis_prefix,
        "SCHEDULER_JWT_SECRET": SECRET,
        "SCHEDULER_DATA_DIR": str(tmp_path),
    }
    log = (tmp_path / "projector.log").open("wb")
    process = subprocess.Popen([sys.executable, "-c", PROJECT], env=env, stderr=log)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            process.kill()
            log.close()


def _projected(settings: Settings) -> dict[str, bool] | None:
    """`pinned` per session in the projector's own table (None: no table yet)."""
    with psycopg.connect(settings.database_url or "") as conn:
        try:
            rows = conn.execute("SELECT session_id, pinned FROM board_visits").fetchall()
        except psycopg.errors.UndefinedTable:
            return None
    return {str(session): pinned for session, pinned in rows}


def _last_position(settings: Settings) -> str:
    """The store's last event (pin and unpin answer no `X-Position` yet)."""
    app = Scheduling(settings.store_env(create_table=False))
    try:
        return str(app.recorder.max_notification_id())
    finally:
        app.close()


def _pinned_on_board(
    client: TestClient[Litestar], tokens: Tokens, world: World, position: str
) -> dict[str, bool]:
    """The board read with `min_position` (it waits for the projector)."""
    response = client.get(
        f"/clinics/{world.clinic}/board",
        params={"date": str(MONDAY), "min_position": position},
        headers=tokens["dispatcher"],
    )
    assert response.status_code == 200, response.text
    return {v["session_id"]: v["pinned"] for r in response.json()["routes"] for v in r["visits"]}


def test_pins_reach_the_board_and_the_projector_stays_up(
    projector: subprocess.Popen[bytes],
    client: TestClient[Litestar],
    tokens: Tokens,
    world: World,
    settings: Settings,
    tmp_path: Path,
) -> None:
    listener = redis.Redis.from_url(REDIS_URL).pubsub()
    listener.subscribe(channel(settings.redis_prefix, world.clinic))
    try:
        body = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
        booked = client.post(
            f"/plans/{world.pat_plan}/sessions", json=body, headers=tokens["dispatcher"]
        )
        assert booked.status_code == 201, booked.text
        session = booked.json()["id"]
        deadline = time.monotonic() + 60
        while _projected(settings) != {session: False}:  # the projector is up and caught up
            assert time.monotonic() < deadline, "the projector did not start"
            assert projector.poll() is None, (tmp_path / "projector.log").read_text()
            time.sleep(0.05)
        position = booked.headers["x-position"]
        assert _pinned_on_board(client, tokens, world, position) == {session: False}

        for _ in range(2):  # every pin or unpin once stopped it again
            pin = client.post(
                f"/sessions/{session}/pin", json={"reason": "fixed"}, headers=tokens["dispatcher"]
            )
            assert pin.status_code == 200, pin.text
            board = _pinned_on_board(client, tokens, world, _last_position(settings))
            assert board == _projected(settings) == {session: True}
            unpin = client.delete(f"/sessions/{session}/pin", headers=tokens["dispatcher"])
            assert unpin.status_code == 200, unpin.text
            board = _pinned_on_board(client, tokens, world, _last_position(settings))
            assert board == _projected(settings) == {session: False}
            assert projector.poll() is None, (tmp_path / "projector.log").read_text()

        changes = []
        deadline = time.monotonic() + 30
        while len(changes) < 5 and time.monotonic() < deadline:
            message = listener.get_message(timeout=1.0)
            if message and message["type"] == "message":
                changes.append(msgspec.json.decode(message["data"])["change"])
        assert changes == ["booked", "pinned", "unpinned", "pinned", "unpinned"]
    finally:
        listener.close()
    # A later booking is still projected: the same process kept following the log.
    later = client.post(
        f"/plans/{world.quinn_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 14:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert later.status_code == 201, later.text
    assert later.json()["id"] in _pinned_on_board(
        client, tokens, world, later.headers["x-position"]
    )
    assert projector.poll() is None
    assert "Traceback" not in (tmp_path / "projector.log").read_text()
