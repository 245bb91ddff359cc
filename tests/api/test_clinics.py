"""A dispatcher's clinic: therapists, plans, the day board, time travel and history."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from scheduler.geo import haversine_km, travel_minutes

from .conftest import Tokens
from .world import MONDAY, Clock, World


def test_board_has_routes_in_order_with_travel_and_coordinates(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    for plan, who, at in (
        (world.quinn_plan, "quinn", "mon 14:00"),
        (world.pat_plan, "pat", "mon 10:00"),
    ):
        response = client.post(
            f"/plans/{plan}/sessions",
            headers=tokens[who],
            json={"therapist_id": str(world.ana), "start": world.local[at].isoformat()},
        )
        assert response.status_code == 201
    board = client.get(f"/clinics/{world.clinic}/board?date={MONDAY}", headers=tokens["dispatcher"])
    assert board.status_code == 200, board.text
    body = board.json()
    assert body["timezone"] == "America/Chicago"
    routes = {route["therapist_name"]: route for route in body["routes"]}
    assert set(routes) == {"Ana Alvarez", "Ben Brooks"}
    ana = routes["Ana Alvarez"]
    assert [v["patient_name"] for v in ana["visits"]] == ["Pat Patel", "Quinn Quade"]
    base = (ana["base"]["latitude"], ana["base"]["longitude"])
    stops = [(v["location"]["latitude"], v["location"]["longitude"]) for v in ana["visits"]]
    assert stops == [(41.95, -87.70), (41.92, -87.65)]
    legs = list(zip([base, *stops], stops, strict=False))
    assert [v["travel_minutes"] for v in ana["visits"]] == [
        travel_minutes(a, b, 30.0) for a, b in legs
    ]
    assert ana["visits"][0]["travel_km"] == round(haversine_km(base, stops[0]), 2)
    assert ana["return_minutes"] == travel_minutes(stops[-1], base, 30.0)
    assert routes["Ben Brooks"]["visits"] == []


def test_board_as_of_shows_the_past(
    client: TestClient[Litestar], world: World, tokens: Tokens, clock: Clock
) -> None:
    before = clock()
    clock.advance(minutes=5)
    client.post(
        f"/plans/{world.pat_plan}/sessions",
        headers=tokens["pat"],
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
    )
    url = f"/clinics/{world.clinic}/board"
    now = client.get(url, params={"date": str(MONDAY)}, headers=tokens["dispatcher"]).json()
    then = client.get(
        url, params={"date": str(MONDAY), "as_of": before.isoformat()}, headers=tokens["dispatcher"]
    ).json()
    ana_now = next(r for r in now["routes"] if r["therapist_id"] == str(world.ana))
    ana_then = next(r for r in then["routes"] if r["therapist_id"] == str(world.ana))
    assert len(ana_now["visits"]) == 1
    assert ana_then["visits"] == []


def test_therapists_and_plans_of_the_clinic(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    therapists = client.get(f"/clinics/{world.clinic}/therapists", headers=tokens["dispatcher"])
    assert [t["id"] for t in therapists.json()] == [str(world.ana), str(world.ben)]
    plans = client.get(f"/clinics/{world.clinic}/plans", headers=tokens["dispatcher"])
    assert {p["id"] for p in plans.json()} == {str(world.pat_plan), str(world.quinn_plan)}


def test_history_of_a_session_and_a_plan(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        headers=tokens["pat"],
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
    ).json()
    client.post(
        f"/sessions/{booked['id']}/cancel", json={"reason": "travel"}, headers=tokens["pat"]
    )
    history = client.get(f"/sessions/{booked['id']}/history", headers=tokens["dispatcher"])
    assert history.status_code == 200
    events = history.json()
    assert events[0]["event"] == "Booked"
    assert events[-1]["reason"] == "travel"
    assert events[-1]["actor"].startswith("patient:")
    plan_history = client.get(f"/plans/{world.pat_plan}/history", headers=tokens["pat"])
    assert plan_history.status_code == 200
    assert len(plan_history.json()) >= 3
