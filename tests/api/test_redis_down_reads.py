"""Redis unreachable on PostgreSQL: bookings 201, boards 200 (uncached), live board 503."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.readside.projector import Projector
from scheduler.settings import Settings

from .conftest import SECRET, Tokens
from .test_read_your_writes import _board, _book
from .world import Clock, World

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def settings(tmp_path: Path, pg_database: dict[str, str]) -> Settings:
    """PostgreSQL, and a Redis URL where nothing listens (port 1)."""
    return Settings(
        data_dir=tmp_path,
        database_url=pg_database["dsn"],
        jwt_secret=SECRET,
        redis_url="redis://127.0.0.1:1/0",
        store_threads=4,
    )


def test_without_redis_bookings_and_reads_still_work(
    settings: Settings, world: World, clock: Clock
) -> None:
    with Projector(settings), TestClient(create_app(settings, clock=clock)) as client:
        tokens = Tokens(client)
        session, position = _book(client, tokens, world, "mon 10:00")
        assert _board(client, tokens, world, position) == [session]
        assert _board(client, tokens, world) == [session]
        live = client.get(f"/clinics/{world.clinic}/board/live", headers=tokens["dispatcher"])
        assert live.status_code == 503
        assert live.json()["error"] == "live_unavailable"
