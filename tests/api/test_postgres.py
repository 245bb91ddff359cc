"""The production shape: PostgreSQL event store and the real Redis, through the HTTP stack."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from scheduler.api import create_app
from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET
from .world import EMAILS, MONDAY, PASSWORD, Clock, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def settings(tmp_path: Path, pg_database: dict[str, str], redis_prefix: str) -> Settings:
    """PostgreSQL (tables made by the seeding, as `scheduler migrate` would) and Redis."""
    return Settings(
        data_dir=tmp_path,
        database_url=pg_database["dsn"],
        jwt_secret=SECRET,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        store_threads=8,
    )


async def _sign_in(client: httpx.AsyncClient, who: str) -> dict[str, str]:
    response = await client.post("/auth/login", json={"email": EMAILS[who], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_ready_on_postgres_and_redis(client: TestClient[Litestar]) -> None:
    response = client.get("/ready")
    assert response.json() == {"status": "ready", "store": "ok", "redis": "ok"}


def test_booking_race_has_one_winner(app: Litestar, world: World) -> None:
    async def race() -> list[httpx.Response]:
        async with AsyncTestClient(app) as client:
            pat, desk = await _sign_in(client, "pat"), await _sign_in(client, "dispatcher")
            body = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
            requests = [
                client.post(f"/plans/{plan}/sessions", json=body, headers=headers)
                for plan, headers in [(world.pat_plan, pat), (world.quinn_plan, desk)] * 4
            ]
            answers = await asyncio.gather(*requests)
            board = await client.get(
                f"/clinics/{world.clinic}/board", params={"date": str(MONDAY)}, headers=desk
            )
            ana = next(r for r in board.json()["routes"] if r["therapist_id"] == str(world.ana))
            winners = [a.json()["id"] for a in answers if a.status_code == 201]
            assert [v["session_id"] for v in ana["visits"]] == winners
            return list(answers)

    answers = asyncio.run(race())
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 7, [a.text for a in answers]
    assert {a.json()["error"] for a in answers if a.status_code == 409} <= {
        "therapist_busy",
        "patient_busy",
        "booking_conflict",
    }


def test_retries_with_one_key_book_once(app: Litestar, world: World) -> None:
    async def retries() -> set[str]:
        async with AsyncTestClient(app) as client:
            headers = {**await _sign_in(client, "pat"), "Idempotency-Key": "pg-retry"}
            body = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
            url = f"/plans/{world.pat_plan}/sessions"
            burst = await asyncio.gather(
                *(client.post(url, json=body, headers=headers) for _ in range(5))
            )
            later = [await client.post(url, json=body, headers=headers) for _ in range(3)]
            answers = [*burst, *later]
            assert all(a.status_code in (201, 409) for a in answers)
            assert all(a.status_code == 201 for a in later)
            mine = (await client.get("/me/sessions", headers=headers)).json()
            assert len(mine) == 1
            return {a.json()["id"] for a in answers if a.status_code == 201}

    assert len(asyncio.run(retries())) == 1


def test_booking_works_with_redis_unreachable(settings: Settings, world: World) -> None:
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(down, clock=Clock()), raise_server_exceptions=False) as client:
        signed_in = client.post("/auth/login", json={"email": EMAILS["pat"], "password": PASSWORD})
        assert signed_in.status_code == 200
        headers = {
            "Authorization": f"Bearer {signed_in.json()['access_token']}",
            "Idempotency-Key": "no-redis",
        }
        body = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
        url = f"/plans/{world.pat_plan}/sessions"
        first = client.post(url, json=body, headers=headers)
        retry = client.post(url, json=body, headers=headers)
        assert first.status_code == retry.status_code == 201
        assert retry.json()["id"] == first.json()["id"]
        assert client.get("/ready").status_code == 503
        assert client.get("/me/sessions", headers=headers).status_code == 200
