"""Webhooks: registered per event type, signed, one delivery per event, retried with
backoff after the receiver fails, dead-lettered after the last try."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import Tokens
from api.world import Clock, World

from .conftest import sign_in_page
from .receiver import Receiver

TICK_S = 2.5


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver that answers 500 to its first two requests."""
    server = Receiver(fail_first=2).start()
    try:
        yield server
    finally:
        server.stop()


def _wait(test: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not test():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_signed_deliveries_once_per_event_with_retries_after_500(
    client: TestClient[Litestar],
    mailable: World,
    tokens: Tokens,
    receiver: Receiver,
    clock: Clock,
) -> None:
    world = mailable
    hooks = f"/clinics/{world.clinic}/webhooks"
    refused = client.post(
        hooks,
        json={"url": "ftp://x.example", "events": ["session.booked"]},
        headers=tokens["admin"],
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid_webhook"
    made = client.post(
        hooks,
        json={"url": receiver.url, "events": ["session.booked", "session.cancelled"]},
        headers=tokens["admin"],
    )
    assert made.status_code == 201, made.text
    receiver.secret = made.json()["secret"]
    listed = client.get(hooks, headers=tokens["admin"]).json()
    assert [h["url"] for h in listed] == [receiver.url]
    assert listed[0].get("secret") is None  # shown once, when registered
    assert (
        client.post(
            hooks,
            json={"url": receiver.url, "events": ["session.booked"]},
            headers=tokens["dispatcher"],
        ).status_code
        == 403
    )

    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    session = booked.json()["id"]
    moved = client.post(  # not subscribed: no delivery
        f"/sessions/{session}/move",
        json={"start": world.local["mon 12:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert moved.status_code == 200
    client.post(f"/sessions/{session}/cancel", json={}, headers=tokens["dispatcher"])
    _wait(lambda: receiver.requests >= 2)  # the first tries fail (500)
    time.sleep(TICK_S)
    assert receiver.accepted == []  # the retry waits for its backoff (on the app's clock)
    for _ in range(4):
        clock.advance(seconds=5)
        time.sleep(TICK_S)
    _wait(lambda: len(receiver.accepted) == 2)
    assert receiver.rejected_signatures == 0
    counts = Counter(event["id"] for event in receiver.accepted)
    assert all(n == 1 for n in counts.values())
    assert sorted(e["type"] for e in receiver.accepted) == ["session.booked", "session.cancelled"]
    assert {e["data"]["session_id"] for e in receiver.accepted} == {session}
    for event in receiver.accepted:
        assert "Patel" not in str(event)  # ids, not names
    clock.advance(seconds=60)
    time.sleep(TICK_S)
    assert len(receiver.accepted) == 2  # nothing delivered twice


def test_a_receiver_that_keeps_failing_ends_in_the_dead_letters(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, clock: Clock
) -> None:
    world = mailable
    failing = Receiver(fail_first=1000).start()
    try:
        made = client.post(
            f"/clinics/{world.clinic}/webhooks",
            json={"url": failing.url, "events": ["session.booked"]},
            headers=tokens["admin"],
        )
        assert made.status_code == 201
        client.post(
            f"/plans/{world.pat_plan}/sessions",
            json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
            headers=tokens["dispatcher"],
        )
        dead = f"/clinics/{world.clinic}/notifications/dead-letters"
        for _ in range(8):  # three tries (the suite's setting), a second apart, doubling
            clock.advance(seconds=10)
            time.sleep(1.5)
            if client.get(dead, headers=tokens["dispatcher"]).json():
                break
        tokens.clear()
        letters = client.get(dead, headers=tokens["dispatcher"]).json()
        assert [(d["kind"], d["channel"], d["attempts"]) for d in letters] == [
            ("session.booked", "webhook", 3)
        ]
        assert "500" in letters[0]["last_error"]
        assert failing.requests == 3
        sign_in_page(client, "dispatcher")
        page = client.get("/app/dead-letters")
        assert page.status_code == 200, page.text
        assert failing.url in page.text
        assert "webhook answered 500" in page.text
    finally:
        failing.stop()
