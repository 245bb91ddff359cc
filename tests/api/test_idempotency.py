"""Idempotency-Key on POST and rate limits, with Redis and with its in-process fallback."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET, Tokens, login
from .world import EMAILS, World


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.redis), "redis-down"])
def settings(request: pytest.FixtureRequest, tmp_path: Path, redis_prefix: str) -> Settings:
    """The app with Redis, without it, and with a Redis URL nobody answers."""
    url = {"in-process": None, "redis": REDIS_URL, "redis-down": "redis://127.0.0.1:1/0"}
    return Settings(
        data_dir=tmp_path,
        jwt_secret=SECRET,
        store_threads=4,
        redis_url=url[request.param],
        redis_prefix=redis_prefix,
        booking_limit=3,
        login_limit=4,
    )


def _booking(world: World, at: str = "mon 10:00") -> dict[str, str]:
    return {"therapist_id": str(world.ana), "start": world.local[at].isoformat()}


def test_retry_with_the_same_key_gets_the_first_response_and_books_once(
    client: TestClient[Litestar],
    world: World,
    tokens: Tokens,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = {**tokens["pat"], "Idempotency-Key": "book-1"}
    url = f"/plans/{world.pat_plan}/sessions"
    with caplog.at_level(logging.WARNING, logger="scheduler"):
        first = client.post(url, json=_booking(world), headers=headers)
        retry = client.post(url, json=_booking(world), headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    sessions = client.get("/me/sessions", headers=tokens["pat"]).json()
    assert [s["id"] for s in sessions] == [first.json()["id"]]
    if settings.redis_url == REDIS_URL:
        stored = redis.Redis.from_url(REDIS_URL).keys(settings.redis_prefix + "idem:*")
        assert len(stored) == 1
    if settings.redis_url and settings.redis_url != REDIS_URL:
        assert any("redis unavailable" in r.getMessage() for r in caplog.records)


def test_same_key_with_another_body_is_422(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    headers = {**tokens["pat"], "Idempotency-Key": "book-2"}
    url = f"/plans/{world.pat_plan}/sessions"
    assert client.post(url, json=_booking(world), headers=headers).status_code == 201
    other = client.post(url, json=_booking(world, "mon 14:00"), headers=headers)
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"
    assert len(client.get("/me/sessions", headers=tokens["pat"]).json()) == 1


def test_keys_are_per_account(client: TestClient[Litestar], world: World, tokens: Tokens) -> None:
    pat = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json=_booking(world),
        headers={**tokens["pat"], "Idempotency-Key": "k"},
    )
    desk = client.post(
        f"/plans/{world.quinn_plan}/sessions",
        json=_booking(world, "mon 14:00"),
        headers={**tokens["dispatcher"], "Idempotency-Key": "k"},
    )
    assert pat.status_code == desk.status_code == 201
    assert pat.json()["id"] != desk.json()["id"]


def test_a_refused_request_is_replayed_as_refused(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    headers = {**tokens["pat"], "Idempotency-Key": "bad-1"}
    body = {"therapist_id": str(world.ben), "start": world.local["mon 10:00"].isoformat()}
    first = client.post(f"/plans/{world.pat_plan}/sessions", json=body, headers=headers)
    again = client.post(f"/plans/{world.pat_plan}/sessions", json=body, headers=headers)
    assert first.status_code == again.status_code == 422
    assert again.json()["error"] == first.json()["error"] == "not_mobile"


def test_concurrent_duplicates_book_once(app: Litestar, world: World) -> None:
    asyncio.run(_send_duplicates_at_once(app, world))


async def _send_duplicates_at_once(app: Litestar, world: World) -> None:
    async with AsyncTestClient(app) as client:
        signed_in = await client.post(
            "/auth/login", json={"email": EMAILS["pat"], "password": "correct horse battery"}
        )
        headers = {
            "Authorization": f"Bearer {signed_in.json()['access_token']}",
            "Idempotency-Key": "race",
        }
        url = f"/plans/{world.pat_plan}/sessions"
        answers = await asyncio.gather(
            *(client.post(url, json=_booking(world), headers=headers) for _ in range(4))
        )
        statuses = sorted(a.status_code for a in answers)
        assert set(statuses) <= {201, 409}
        created = {a.json()["id"] for a in answers if a.status_code == 201}
        assert len(created) == 1
        ran = [
            a for a in answers if "idempotent-replayed" not in a.headers and a.status_code == 201
        ]
        assert len(ran) == 1, "exactly one of the duplicates ran; the others waited or got 409"
        sessions = (await client.get("/me/sessions", headers=headers)).json()
        assert [s["id"] for s in sessions] == list(created)


def test_booking_is_rate_limited_with_retry_after(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    url = f"/plans/{world.pat_plan}/sessions"
    statuses = [
        client.post(url, json=_booking(world, at), headers=tokens["pat"]).status_code
        for at in ("mon 10:00", "wed 10:00", "fri 10:00")
    ]
    assert statuses == [201, 201, 201]
    limited = client.post(url, json=_booking(world), headers=tokens["pat"])
    assert limited.status_code == 429
    assert limited.json()["error"] == "too_many_requests"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # Another account has its own allowance.
    other = client.post(
        f"/plans/{world.quinn_plan}/sessions",
        json=_booking(world, "mon 14:00"),
        headers=tokens["quinn"],
    )
    assert other.status_code != 429


def test_login_is_rate_limited(client: TestClient[Litestar], world: World) -> None:
    wrong = {"email": EMAILS["pat"], "password": "not the password"}
    statuses = [client.post("/auth/login", json=wrong).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    blocked = client.post(
        "/auth/login", json={"email": EMAILS["pat"], "password": "correct horse battery"}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) >= 1
    _ = login  # the right password is refused too while the window lasts
