"""Idempotency across processes without Redis: the event store's receipts.

Two apps over one store, each with only its in-process memory of keys (no Redis), stand
for two API processes when Redis is down, or for a retry after the process that ran the
request died before answering: the retry reaches a process that never saw the key. It
must answer what the first run saved (the same session, 201), never refuse its own
booking, and never run the command twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import uuid
from collections.abc import Iterator

import httpx
import msgspec
import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from scheduler.api import create_app
from scheduler.api.idempotency import LEASE_S, Recorded
from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .conftest import REDIS_URL, login
from .world import Clock, World


@pytest.fixture
def other(settings: Settings, world: World, clock: Clock) -> Iterator[TestClient[Litestar]]:
    """A second API process over the same store (own memory of keys, no Redis)."""
    with TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as second:
        yield second


def _book(
    client: TestClient[Litestar], world: World, headers: dict[str, str], at: str = "mon 10:00"
) -> httpx.Response:
    return client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local[at].isoformat()},
        headers=headers,
    )


def _events(settings: Settings, record: str) -> list[str]:
    app = Scheduling(settings.store_env(create_table=False))
    try:
        return [entry.event for entry in app.history(record)]
    finally:
        app.close()


def test_a_retry_on_another_process_answers_the_first_booking(
    client: TestClient[Litestar], other: TestClient[Litestar], world: World
) -> None:
    headers = {**login(client, "pat"), "Idempotency-Key": "lost-answer-1"}
    first = _book(client, world, headers)
    retry = _book(other, world, headers)
    assert first.status_code == 201, first.text
    # Not a 409 therapist_busy for its own booking: the same session, as first answered.
    assert retry.status_code == 201, retry.text
    assert retry.json()["id"] == first.json()["id"]
    sessions = other.get("/me/sessions", headers=headers).json()
    assert [s["id"] for s in sessions] == [first.json()["id"]]
    # A new key is a new request: the slot is taken, by this very patient.
    again = _book(other, world, {**headers, "Idempotency-Key": "lost-answer-2"})
    assert again.status_code == 409


def test_a_move_retried_on_another_process_moves_once(
    client: TestClient[Litestar], other: TestClient[Litestar], world: World, settings: Settings
) -> None:
    headers = login(client, "pat")
    booked = _book(client, world, headers)
    assert booked.status_code == 201, booked.text
    session = booked.json()["id"]
    keyed = {**headers, "Idempotency-Key": "move-1"}
    body = {"start": world.local["mon 12:00"].isoformat()}
    first = client.post(f"/sessions/{session}/move", json=body, headers=keyed)
    retry = other.post(f"/sessions/{session}/move", json=body, headers=keyed)
    assert first.status_code == retry.status_code == 200, (first.text, retry.text)
    assert retry.json() == first.json()
    moved = [e for e in _events(settings, session) if "Moved" in e or "Reschedul" in e]
    assert len(moved) == 1, _events(settings, session)


def test_copies_racing_on_two_processes_book_once(
    app: Litestar, settings: Settings, world: World, clock: Clock
) -> None:
    asyncio.run(_race(app, create_app(settings, clock=clock), world))


async def _race(first: Litestar, second: Litestar, world: World) -> None:
    async with AsyncTestClient(first) as a, AsyncTestClient(second) as b:
        signed_in = await a.post(
            "/auth/login", json={"email": "pat@mail.example", "password": "correct horse battery"}
        )
        headers = {
            "Authorization": f"Bearer {signed_in.json()['access_token']}",
            "Idempotency-Key": "race-two-processes",
        }
        body = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
        url = f"/plans/{world.pat_plan}/sessions"
        answers = await asyncio.gather(
            *(c.post(url, json=body, headers=headers) for c in (a, b, a, b))
        )
        # Each process knows only its own copies; the store's receipt joins them.
        assert {r.status_code for r in answers} == {201}, [r.text for r in answers]
        assert len({r.json()["id"] for r in answers}) == 1
        sessions = (await b.get("/me/sessions", headers=headers)).json()
        assert [s["id"] for s in sessions] == [answers[0].json()["id"]]


@pytest.mark.redis
def test_a_key_held_by_a_killed_process_is_taken_over_and_answered_from_its_receipt(
    redis_prefix: str, world: World, settings: Settings, clock: Clock
) -> None:
    with_redis = dataclasses.replace(settings, redis_url=REDIS_URL, redis_prefix=redis_prefix)
    with (
        TestClient(create_app(with_redis, clock=clock), raise_server_exceptions=False) as alive,
        TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as killed,
    ):
        headers = {**login(alive, "pat"), "content-type": "application/json"}
        url = f"/plans/{world.pat_plan}/sessions"
        body = json.dumps(
            {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
        ).encode()
        # The process that ran the request committed (with its receipt) and died before
        # answering, leaving its reservation in Redis until its lease runs out.
        committed = killed.post(url, content=body, headers={**headers, "Idempotency-Key": "k"})
        assert committed.status_code == 201, committed.text
        probe = alive.post(
            f"/sessions/{uuid.uuid4()}/cancel",
            json={},
            headers={**headers, "Idempotency-Key": "probe"},
        )
        assert probe.status_code == 404
        server = redis.Redis.from_url(REDIS_URL)
        (probed,) = server.keys(redis_prefix + "idem:*")
        account = probed.decode().split(":")[-2]
        scoped = hashlib.sha256(f"{url}\nk".encode()).hexdigest()
        leftover = Recorded(hashlib.sha256(body).hexdigest(), owner="the killed process")
        server.set(
            f"{redis_prefix}idem:{account}:{scoped}",
            msgspec.msgpack.encode(leftover),
            px=int(LEASE_S * 1000),
        )
        server.close()
        retry = alive.post(url, content=body, headers={**headers, "Idempotency-Key": "k"})
    assert retry.status_code == 201, retry.text
    assert retry.json()["id"] == committed.json()["id"]
    assert "idempotent-replayed" not in retry.headers  # it ran again, and found the receipt
