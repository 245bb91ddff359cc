"""A therapist's iCalendar feed: valid RFC 5545, stable UIDs, rising SEQUENCE, cancellations."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET, Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis) for every test here.
from .production import (  # noqa: F401
    production_world,
    seeded_database,
)
from .world import NOW, Clock, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PUBLIC_URL = "https://calendar.clinic.example"


@pytest.fixture
def settings(tmp_path: Path, seeded_database: str, redis_prefix: str) -> Settings:  # noqa: F811
    """The production shape, reached by clients at a public URL of its own."""
    return Settings(
        data_dir=tmp_path,
        database_url=seeded_database,
        jwt_secret=SECRET,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        store_threads=4,
        public_url=PUBLIC_URL,
    )


def _feed_url(client: TestClient[Litestar], tokens: Tokens, who: str) -> str:
    """The path of a new feed URL (the URL itself starts with the public URL)."""
    response = client.post("/me/calendar-token", headers=tokens[who])
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    assert url.startswith(f"{PUBLIC_URL}/calendar/"), url
    return url.removeprefix(PUBLIC_URL)


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


def test_the_feed_url_ignores_the_request_host(
    client: TestClient[Litestar], tokens: Tokens
) -> None:
    response = client.post("/me/calendar-token", headers={**tokens["ana"], "Host": "evil.example"})
    assert response.status_code == 201, response.text
    assert response.json()["url"].startswith(f"{PUBLIC_URL}/calendar/")
    # The week page's link too (a form post, as the browser sends it).
    client.cookies.set("scheduler_token", tokens["ana"]["Authorization"].removeprefix("Bearer "))
    client.get("/app/week", headers={"Host": "evil.example"})
    page = client.post(
        "/app/week/calendar-link",
        data={"csrf_token": client.cookies["scheduler_csrf"]},
        headers={"Host": "evil.example"},
    )
    assert page.status_code == 200, page.text
    shown = re.findall(r'value="([^"]+\.ics)"', page.text)
    assert len(shown) == 1
    assert shown[0].startswith(f"{PUBLIC_URL}/calendar/")
    assert "evil.example" not in page.text


def _clinic_plan(settings: Settings, world: World) -> UUID:
    """A second plan of Pat's, held at the clinic (the seeded ones are home visits)."""
    app = Scheduling(settings.store_env(create_table=False))
    try:
        who = {"actor": "seed", "now": NOW}
        rx = app.record_prescription(
            world.pat, condition="multiple sclerosis", authorized_sessions=4,
            expires_on=date(2026, 12, 31), **who,
        )  # fmt: skip
        return app.create_plan(
            patient_id=world.pat, prescription_id=rx, specialization="ms", sessions=4,
            session_minutes=60, min_days=2, max_days=9, setting="clinic", **who,
        )  # fmt: skip
    finally:
        app.close()


def test_the_feed_has_one_charset_and_street_addresses_not_coordinates(
    client: TestClient[Litestar], world: World, tokens: Tokens, settings: Settings
) -> None:
    ben = str(world.ben)  # clinic-based: his sessions are at the clinic
    at_ben = _clinic_plan(settings, world)
    path = _feed_url(client, tokens, "ana")
    _book(client, tokens, str(world.ana), world.pat_plan, world.local["mon 10:00"].isoformat())
    at_clinic = _book(client, tokens, ben, at_ben, world.local["mon 14:00"].isoformat())
    client.cookies.clear()
    response = client.get(path)
    assert response.headers["content-type"].lower().count("charset") == 1
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    (home,) = _events(client, path).values()
    assert str(home["LOCATION"]) == "Home visit"
    assert "GEO" not in home
    assert "41.95" not in response.text  # Pat's home, to the metre, stays in the app
    clinic = _events(client, _feed_url(client, tokens, "ben"))[f"{at_clinic}@scheduler"]
    assert str(clinic["LOCATION"]) == "Loop Medical Massage, 1 N State St, Chicago"
    assert "GEO" not in clinic


def test_a_clinic_that_opts_in_gets_home_coordinates(
    settings: Settings, world: World, clock: Clock
) -> None:
    opted_in = dataclasses.replace(settings, feed_coordinates=True)
    with TestClient(create_app(opted_in, clock=clock)) as client:
        tokens = Tokens(client)
        path = _feed_url(client, tokens, "ana")
        _book(client, tokens, str(world.ana), world.pat_plan, world.local["mon 10:00"].isoformat())
        (home,) = _events(client, path).values()
    assert str(home["LOCATION"]) == "Home visit, 41.95000,-87.70000"
    assert (home["GEO"].latitude, home["GEO"].longitude) == (41.95, -87.7)
