"""Ranked options for a plan's next session: reasons, ranking, and every option bookable."""

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


def test_options_are_ranked_with_reasons_and_each_can_be_booked(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    first = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
    _book(client, tokens, "pat", world.pat_plan, first)
    response = client.get(f"/me/plans/{world.pat_plan}/options?k=4", headers=tokens["pat"])
    assert response.status_code == 200, response.text
    body = response.json()
    options = body["options"]
    assert [o["rank"] for o in options] == [1, 2, 3, 4]
    for option in options:
        local = datetime.fromisoformat(option["start_local"])
        # Cadence 2..9 days after Monday's session; home visits need mobile Ana.
        assert MONDAY + timedelta(days=2) <= local.date() <= MONDAY + timedelta(days=9)
        assert option["therapist_id"] == str(world.ana)
        assert local.minute % 15 == 0  # rounded to a quarter hour where the day allows
        assert option["reason"].startswith("Ana Alvarez: same therapist as last time")
        assert f"{local:%A %-d %B %H:%M}" in option["reason"]
    assert len({o["start"] for o in options}) == 4
    # Every option can be booked right after; cancel each to try the next.
    for option in options:
        body = {"therapist_id": option["therapist_id"], "start": option["start"]}
        session = _book(client, tokens, "pat", world.pat_plan, body)
        cancelled = client.post(f"/sessions/{session}/cancel", json={}, headers=tokens["pat"])
        assert cancelled.status_code == 200


def test_options_avoid_booked_time_and_rank_the_shorter_drive_first(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    # Quinn holds Ana's Monday morning; Pat's first session has no previous one.
    quinn = {"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()}
    _book(client, tokens, "quinn", world.quinn_plan, quinn)
    response = client.get(
        f"/plans/{world.pat_plan}/options?k=20&weeks=2", headers=tokens["dispatcher"]
    )
    assert response.status_code == 200, response.text
    options = response.json()["options"]
    assert options, response.text
    taken = (world.local["mon 10:00"], world.local["mon 10:00"] + timedelta(hours=1))
    for option in options:
        start = datetime.fromisoformat(option["start"])
        assert not taken[0] - timedelta(hours=1) < start < taken[1], option
        assert "same therapist" not in option["reason"]
    km = [float(o["reason"].split("adds ")[1].split(" km")[0]) for o in options]
    assert km == sorted(km)


def test_options_are_only_for_the_patient_and_their_clinic(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    mine = f"/me/plans/{world.pat_plan}/options"
    desk = f"/plans/{world.pat_plan}/options"
    assert client.get(mine, headers=tokens["quinn"]).status_code == 403
    assert client.get(desk, headers=tokens["other_dispatcher"]).status_code == 403
    assert client.get(desk, headers=tokens["ana"]).status_code == 403
    bad = client.get(mine + "?k=0", headers=tokens["pat"])
    assert bad.status_code == 400
    assert bad.json()["fields"][0]["key"] == "k"
