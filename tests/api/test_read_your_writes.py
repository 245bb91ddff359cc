"""Read your writes on PostgreSQL: writes answer `X-Position`, reads wait for it.

The board is read from the projection (asyncpg) and cached in Redis under the clinic's
read-model position; a projector runs in this process for the tests that need one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.readside.projector import Projector
from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET, Tokens
from .world import MONDAY, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def settings(tmp_path: Path, pg_database: dict[str, str], redis_prefix: str) -> Settings:
    """PostgreSQL and Redis, the production shape."""
    return Settings(
        data_dir=tmp_path,
        database_url=pg_database["dsn"],
        jwt_secret=SECRET,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        store_threads=4,
    )


@pytest.fixture
def projector(settings: Settings, world: World) -> Iterator[Projector]:
    """The projector, in this process, over the seeded store."""
    with Projector(settings) as running:
        yield running


def _book(
    client: TestClient[Litestar], tokens: Tokens, world: World, clock: str
) -> tuple[str, int]:
    response = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local[clock].isoformat()},
        headers=tokens["pat"],
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], int(response.headers["x-position"])


def _board(
    client: TestClient[Litestar], tokens: Tokens, world: World, position: int | None = None
) -> list[str]:
    params: dict[str, str | int] = {"date": str(MONDAY)}
    if position is not None:
        params["min_position"] = position
    response = client.get(
        f"/clinics/{world.clinic}/board", params=params, headers=tokens["dispatcher"]
    )
    assert response.status_code == 200, response.text
    ana = next(r for r in response.json()["routes"] if r["therapist_id"] == str(world.ana))
    return [visit["session_id"] for visit in ana["visits"]]


def test_a_booking_is_on_the_board_read_with_its_position(
    projector: Projector, client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    session, position = _book(client, tokens, world, "mon 10:00")
    assert _board(client, tokens, world, position) == [session]
    moved = client.post(
        f"/sessions/{session}/move",
        json={"start": world.local["mon 14:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert moved.status_code == 200, moved.text
    assert int(moved.headers["x-position"]) > position
    response = client.get(
        f"/clinics/{world.clinic}/board",
        params={"date": str(MONDAY), "min_position": moved.headers["x-position"]},
        headers=tokens["dispatcher"],
    )
    ana = next(r for r in response.json()["routes"] if r["therapist_id"] == str(world.ana))
    assert [v["start_local"][11:16] for v in ana["visits"]] == ["14:00"]
    cancelled = client.post(f"/sessions/{session}/cancel", json={}, headers=tokens["dispatcher"])
    assert cancelled.status_code == 200, cancelled.text
    assert _board(client, tokens, world, int(cancelled.headers["x-position"])) == []


def test_the_week_waits_for_the_position_too(
    projector: Projector, client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    session, position = _book(client, tokens, world, "mon 12:00")
    response = client.get(
        "/me/week",
        params={"start": str(MONDAY), "min_position": position},
        headers=tokens["ana"],
    )
    assert response.status_code == 200, response.text
    assert [v["session_id"] for v in response.json()["days"][0]["visits"]] == [session]


def test_a_read_the_projection_cannot_serve_in_time_answers_503(
    settings: Settings, client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    with Projector(settings):  # made the tables, then stopped
        pass
    session, position = _book(client, tokens, world, "mon 10:00")
    response = client.get(
        f"/clinics/{world.clinic}/board",
        params={"date": str(MONDAY), "min_position": position},
        headers=tokens["dispatcher"],
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == "read_model_behind"
    # Without a position the board is served at once, as far as the projection has got.
    stale = client.get(
        f"/clinics/{world.clinic}/board", params={"date": str(MONDAY)}, headers=tokens["dispatcher"]
    )
    assert stale.status_code == 200, stale.text
    # Once a projector runs again, the same read with the position is answered.
    with Projector(settings):
        assert _board(client, tokens, world, position) == [session]


def test_the_cached_board_gives_way_to_a_new_booking(
    projector: Projector,
    client: TestClient[Litestar],
    tokens: Tokens,
    world: World,
    redis_prefix: str,
) -> None:
    first, position = _book(client, tokens, world, "mon 10:00")
    assert _board(client, tokens, world, position) == [first]
    assert _board(client, tokens, world) == [first]  # served from the cache
    cache = redis.Redis.from_url(REDIS_URL)
    try:
        assert list(cache.scan_iter(match=f"{redis_prefix}cache:board:*"))
    finally:
        cache.close()
    second = client.post(
        f"/plans/{world.quinn_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 14:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert second.status_code == 201, second.text
    visits = _board(client, tokens, world, int(second.headers["x-position"]))
    assert visits == [first, second.json()["id"]]
