"""A therapist's week (with their patients' names and needs), completing, no-shows."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens, login
from .world import MONDAY, Clock, World


def _book(
    client: TestClient[Litestar],
    world: World,
    tokens: Tokens,
    at: str,
    plan: object = None,
    who: str = "pat",
) -> str:
    response = client.post(
        f"/plans/{plan or world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local[at].isoformat()},
        headers=tokens[who],
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_week_lists_visits_with_patient_needs_and_travel(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    first = _book(client, world, tokens, "mon 10:00")
    second = _book(client, world, tokens, "mon 14:00", world.quinn_plan, "quinn")
    week = client.get(f"/me/week?start={MONDAY.isoformat()}", headers=tokens["ana"])
    assert week.status_code == 200, week.text
    days = week.json()["days"]
    assert len(days) == 7
    monday = days[0]
    assert [v["session_id"] for v in monday["visits"]] == [first, second]
    assert [v["patient_name"] for v in monday["visits"]] == ["Pat Patel", "Quinn Quade"]
    assert monday["visits"][0]["condition"] == "multiple sclerosis"
    assert monday["visits"][0]["contraindications"] == []
    assert all(v["travel_minutes"] > 0 and v["travel_km"] > 0 for v in monday["visits"])
    assert monday["shift_start_local"].startswith("2026-10-05T09:00:00-05:00")
    assert all(day["visits"] == [] for day in days[1:])
    ben_week = client.get(f"/me/week?start={MONDAY.isoformat()}", headers=tokens["ben"]).json()
    assert all(day["visits"] == [] for day in ben_week["days"])


def test_week_needs_a_start_date(client: TestClient[Litestar], tokens: Tokens) -> None:
    response = client.get("/me/week", headers=tokens["ana"])
    assert response.status_code == 400
    assert "start" in response.json()["detail"]


def test_complete_with_progress_note_only_after_start(
    client: TestClient[Litestar], world: World, tokens: Tokens, clock: Clock
) -> None:
    session = _book(client, world, tokens, "mon 10:00")
    note = {"note": "calves looser", "pain_before": 6, "pain_after": 3}
    early = client.post(f"/sessions/{session}/complete", json=note, headers=tokens["ana"])
    assert early.status_code == 422
    assert early.json()["error"] == "too_early"
    clock.current = world.local["mon 10:00"] + timedelta(minutes=65)
    ana = login(client, "ana")  # days later: the first token has expired
    done = client.post(f"/sessions/{session}/complete", json=note, headers=ana)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert done.json()["progress_note"]["pain_after"] == 3
    bad = client.post(f"/sessions/{session}/complete", json={**note, "pain_after": 11}, headers=ana)
    assert bad.status_code == 400


def test_no_show(client: TestClient[Litestar], world: World, tokens: Tokens, clock: Clock) -> None:
    session = _book(client, world, tokens, "mon 10:00")
    clock.current = world.local["mon 10:00"] + timedelta(minutes=20)
    response = client.post(f"/sessions/{session}/no-show", json={}, headers=login(client, "ana"))
    assert response.status_code == 200
    assert response.json()["status"] == "no_show"
