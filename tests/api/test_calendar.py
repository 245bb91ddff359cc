"""A therapist's iCalendar feed: valid RFC 5545, stable UIDs, rising SEQUENCE, cancellations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis) for every test here.
from .production import (  # noqa: F401
    production_settings,
    production_world,
    seeded_database,
)
from .world import NOW, Clock, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _feed_url(client: TestClient[Litestar], tokens: Tokens, who: str) -> str:
    response = client.post("/me/calendar-token", headers=tokens[who])
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url.removeprefix(str(client.base_url))


def _events(client: TestClient[Litestar], path: str) -> dict[str, Any]:
    """The feed's VEVENTs by UID, parsed by `icalendar` (anonymously: the URL is the key)."""
    client.cookies.clear()
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert str(calendar["REFRESH-INTERVAL"].to_ical(), "ascii") == "PT30M"
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    for event in events.values():
        for required in ("DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS", "SEQUENCE"):
            assert required in event, required
    return events


def _book(
    client: TestClient[Litestar], tokens: Tokens, therapist: str, plan: Any, start: str
) -> str:
    """Book as the front desk."""
    response = client.post(
        f"/plans/{plan}/sessions",
        json={"therapist_id": therapist, "start": start},
        headers=tokens["dispatcher"],
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_feed_follows_bookings_moves_and_cancellations(
    client: TestClient[Litestar], world: World, tokens: Tokens, clock: Clock
) -> None:
    ana = str(world.ana)
    path = _feed_url(client, tokens, "ana")
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    pats = _book(client, tokens, ana, world.pat_plan, world.local["mon 10:00"].isoformat())
    quinns = _book(client, tokens, ana, world.quinn_plan, world.local["mon 14:00"].isoformat())
    events = _events(client, path)
    pat_uid, quinn_uid = f"{pats}@scheduler", f"{quinns}@scheduler"
    assert set(events) == {pat_uid, quinn_uid}
    first = events[pat_uid]
    assert first["SUMMARY"] == "Home visit: Pat P."
    assert first.decoded("DTSTART") == world.local["mon 10:00"]
    assert first.decoded("DTSTART").tzinfo is not None
    assert (first["STATUS"], int(first["SEQUENCE"])) == ("CONFIRMED", 0)
    assert "multiple sclerosis" not in client.get(path).text  # no diagnosis in the feed

    clock.advance(minutes=5)
    moved = client.post(
        f"/sessions/{pats}/move",
        json={"start": world.local["mon 12:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert moved.status_code == 200
    client.post(f"/sessions/{quinns}/cancel", json={}, headers=tokens["quinn"])
    events = _events(client, path)
    assert set(events) == {pat_uid, quinn_uid}  # UIDs stable across the move
    assert events[pat_uid].decoded("DTSTART") == world.local["mon 12:00"]
    assert int(events[pat_uid]["SEQUENCE"]) == 1
    assert (events[quinn_uid]["STATUS"], int(events[quinn_uid]["SEQUENCE"])) == ("CANCELLED", 1)
    # DTSTAMP: when the session last changed (the API's clock), not when the feed was read.
    assert events[pat_uid].decoded("DTSTAMP") == NOW + timedelta(minutes=5)


def test_wrong_or_rotated_tokens_find_nothing_and_feeds_are_the_therapists_own(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    old = _feed_url(client, tokens, "ana")
    new = _feed_url(client, tokens, "ana")
    assert new != old
    client.cookies.clear()
    assert client.get(old).status_code == 404  # rotating revokes the previous URL
    assert client.get(new).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get(new.removesuffix(".ics")).status_code == 404
    _book(client, tokens, str(world.ana), world.pat_plan, world.local["mon 10:00"].isoformat())
    assert _events(client, _feed_url(client, tokens, "ben")) == {}
    for role in ("pat", "dispatcher", "admin"):
        assert client.post("/me/calendar-token", headers=tokens[role]).status_code == 403
