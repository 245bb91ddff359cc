"""Options over HTTP on PostgreSQL: every start, ranked, filtered, paged, each bookable."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis) for every test here.
from .production import (  # noqa: F401
    production_settings,
    production_world,
    seeded_database,
)
from .world import MONDAY, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
CHICAGO = ZoneInfo("America/Chicago")


def _book(
    client: TestClient[Litestar], tokens: Tokens, who: str, plan: object, body: dict[str, str]
) -> str:
    response = client.post(f"/plans/{plan}/sessions", json=body, headers=tokens[who])
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_every_start_of_the_cadence_days_is_offered_ranked_and_bookable(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    first = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
    _book(client, tokens, "pat", world.pat_plan, first)
    response = client.get(f"/me/plans/{world.pat_plan}/options?size=100", headers=tokens["pat"])
    assert response.status_code == 200, response.text
    body = response.json()
    options = body["options"]
    assert body["total"] > len({o["day"] for o in options}), "several starts per day"
    assert [o["rank"] for o in options] == list(range(1, len(options) + 1))
    assert "2-9 days apart" in body["window"]
    for option in options:
        local = datetime.fromisoformat(option["start_local"])
        assert local.minute % 15 == 0  # the clinic's grid
        assert option["added_km"] is None  # km are for the front desk
        if local.date() > MONDAY:
            assert MONDAY + timedelta(days=2) <= local.date() <= MONDAY + timedelta(days=9)
        assert option["reasons"][0] == "your therapist Ana Alvarez"
    # Continuity first, then the day nearest the ideal gap (Monday + 5): Friday 9 October.
    assert datetime.fromisoformat(options[0]["start_local"]).date() == MONDAY + timedelta(days=4)
    assert "4 days after your last session, as prescribed" in options[0]["reason"]
    # The first few can be booked right after; cancel each to try the next.
    for option in options[:3]:
        booking = {"therapist_id": option["therapist_id"], "start": option["start"]}
        session = _book(client, tokens, "pat", world.pat_plan, booking)
        cancelled = client.post(f"/sessions/{session}/cancel", json={}, headers=tokens["pat"])
        assert cancelled.status_code == 200


def test_filters_and_pages(client: TestClient[Litestar], world: World, tokens: Tokens) -> None:
    url = f"/plans/{world.pat_plan}/options"
    everything = client.get(f"{url}?size=100&page=1", headers=tokens["dispatcher"]).json()
    afternoons = client.get(
        f"{url}?part_of_day=afternoon&first_day={MONDAY}&last_day={MONDAY}&size=5",
        headers=tokens["dispatcher"],
    ).json()
    assert afternoons["options"], afternoons
    for option in afternoons["options"]:
        local = datetime.fromisoformat(option["start_local"])
        assert local.date() == MONDAY
        assert 12 <= local.hour < 17
        assert option["part_of_day"] == "afternoon"
    second = client.get(
        f"{url}?part_of_day=afternoon&first_day={MONDAY}&last_day={MONDAY}&size=5&page=2",
        headers=tokens["dispatcher"],
    ).json()
    assert second["page"] == 2
    assert second["options"][0]["rank"] == 6
    shown = {o["start"] for o in afternoons["options"]} & {o["start"] for o in second["options"]}
    assert not shown, "pages do not repeat an option"
    assert afternoons["total"] < everything["total"]
    ana = client.get(f"{url}?therapist_id={world.ana}&size=100", headers=tokens["dispatcher"])
    assert {o["therapist_id"] for o in ana.json()["options"]} == {str(world.ana)}


def test_options_avoid_booked_time_and_rank_the_shorter_drive_first(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    quinn = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
    _book(client, tokens, "quinn", world.quinn_plan, quinn)
    response = client.get(
        f"/plans/{world.pat_plan}/options?first_day={MONDAY}&last_day={MONDAY}&size=100",
        headers=tokens["dispatcher"],
    )
    assert response.status_code == 200, response.text
    options = response.json()["options"]
    assert options, response.text
    taken = (world.local["mon 10:00"], world.local["mon 10:00"] + timedelta(hours=1))
    for option in options:
        start = datetime.fromisoformat(option["start"])
        assert not taken[0] - timedelta(hours=1) < start < taken[1], option
        assert "your therapist" not in option["reason"]
    km = [o["added_km"] for o in options]
    assert km == sorted(km)


def test_moving_offers_the_same_kind_of_options_for_that_session(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    first = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
    session = _book(client, tokens, "pat", world.pat_plan, first)
    second = {"therapist_id": str(world.ana), "start": world.local["fri 10:00"].isoformat()}
    later = _book(client, tokens, "pat", world.pat_plan, second)
    body = client.get(f"/sessions/{later}/options?size=100", headers=tokens["pat"]).json()
    assert body["session_id"] == later
    assert "can move to a day from" in body["window"]
    days = {o["day"] for o in body["options"]}
    assert str(MONDAY + timedelta(days=4)) in days  # its own day, other times
    for option in body["options"]:
        day = datetime.fromisoformat(option["start_local"]).date()
        assert MONDAY + timedelta(days=2) <= day <= MONDAY + timedelta(days=9)
    pick = body["options"][-1]
    moved = client.post(
        f"/sessions/{later}/move",
        json={"start": pick["start"], "therapist_id": pick["therapist_id"]},
        headers=tokens["pat"],
    )
    assert moved.status_code == 200, moved.text
    assert session != later


def test_options_are_only_for_the_patient_and_their_clinic(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    mine = f"/me/plans/{world.pat_plan}/options"
    desk = f"/plans/{world.pat_plan}/options"
    assert client.get(mine, headers=tokens["quinn"]).status_code == 403
    assert client.get(desk, headers=tokens["other_dispatcher"]).status_code == 403
    assert client.get(desk, headers=tokens["ana"]).status_code == 403
    bad = client.get(mine + "?size=0", headers=tokens["pat"])
    assert bad.status_code == 400
    assert bad.json()["fields"][0]["key"] == "size"
    worse = client.get(mine + "?part_of_day=night", headers=tokens["pat"])
    assert worse.status_code == 400
    backwards = client.get(
        mine + f"?first_day={MONDAY}&last_day={MONDAY - timedelta(days=1)}", headers=tokens["pat"]
    )
    assert backwards.status_code == 422, backwards.text
