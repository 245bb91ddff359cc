"""A patient's own plans and sessions: book, move, cancel (with the late-cancel policy)."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import TestClient

from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .conftest import Tokens, login
from .world import NOW, Clock, World


def book(
    client: TestClient[Litestar],
    headers: dict[str, str],
    world: World,
    plan: object,
    start: str,
    therapist: object = None,
) -> object:
    return client.post(
        f"/plans/{plan}/sessions",
        json={"therapist_id": str(therapist or world.ana), "start": start},
        headers=headers,
    )


def test_patient_books_and_sees_the_session(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    start = world.local["mon 10:00"].isoformat()
    response = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": start},
        headers=tokens["pat"],
    )
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["status"] == "booked"
    assert session["start_local"].startswith("2026-10-05T10:00:00-05:00")
    assert session["patient_id"] == str(world.pat)
    mine = client.get("/me/sessions", headers=tokens["pat"]).json()
    assert [s["id"] for s in mine] == [session["id"]]
    plans = client.get("/me/plans", headers=tokens["pat"]).json()
    assert [p["id"] for p in plans] == [str(world.pat_plan)]
    assert plans[0]["session_ids"] == [session["id"]]


def test_breaking_a_booking_rule_is_422_naming_it(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    start = world.local["mon 10:00"].isoformat()
    response = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ben), "start": start},
        headers=tokens["pat"],
    )
    assert response.status_code == 422
    assert response.json()["error"] == "not_mobile"
    assert client.get("/me/sessions", headers=tokens["pat"]).json() == []


def test_naive_start_is_400(client: TestClient[Litestar], world: World, tokens: Tokens) -> None:
    response = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": "2026-10-05T10:00:00"},
        headers=tokens["pat"],
    )
    assert response.status_code == 400
    assert response.json()["fields"][0]["key"] == "start"


def test_taken_slot_is_409_therapist_busy(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    start = world.local["mon 10:00"].isoformat()
    first = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": start},
        headers=tokens["pat"],
    )
    assert first.status_code == 201
    second = client.post(
        f"/plans/{world.quinn_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": start},
        headers=tokens["quinn"],
    )
    assert second.status_code == 409
    assert second.json()["error"] == "therapist_busy"


def test_move_then_cancel_early_and_late(
    client: TestClient[Litestar], world: World, tokens: Tokens, clock: Clock
) -> None:
    headers = tokens["pat"]
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=headers,
    ).json()
    moved = client.post(
        f"/sessions/{booked['id']}/move",
        json={"start": world.local["mon 14:00"].isoformat(), "reason": "work"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start_local"].startswith("2026-10-05T14:00")
    cancelled = client.post(f"/sessions/{booked['id']}/cancel", json={}, headers=headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["late_cancel"] is False
    assert cancelled.json()["policy"]["late_cancel_hours"] == 24
    assert cancelled.json()["session"]["status"] == "cancelled"
    again = client.post(f"/sessions/{booked['id']}/cancel", json={}, headers=headers)
    assert again.status_code == 422
    assert again.json()["error"] == "session_not_booked"

    second = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 12:00"].isoformat()},
        headers=headers,
    ).json()
    clock.current = world.local["mon 12:00"] - timedelta(hours=3)
    headers = login(client, "pat")  # days later: the first token has expired
    late = client.post(f"/sessions/{second['id']}/cancel", json={"reason": "sick"}, headers=headers)
    assert late.json()["late_cancel"] is True
    assert late.json()["session"]["late_cancel"] is True


def test_a_therapist_of_another_clinic_cannot_be_booked(
    client: TestClient[Litestar], world: World, tokens: Tokens, settings: Settings
) -> None:
    app = Scheduling(settings.store_env(create_table=False))
    try:
        stranger = app.register_therapist(
            clinic_id=world.other_clinic,
            name="Sol",
            specializations=["ms"],
            mobile=True,
            home=(41.9, -87.6),
            shifts={"mon": [540, 1020]},
            actor="seed",
            now=NOW,
        )
    finally:
        app.close()
    body = {"therapist_id": str(stranger), "start": world.local["mon 10:00"].isoformat()}
    response = client.post(f"/plans/{world.pat_plan}/sessions", json=body, headers=tokens["pat"])
    assert response.status_code == 422
    assert response.json()["error"] == "therapist_of_another_clinic"
    assert client.get("/me/sessions", headers=tokens["pat"]).json() == []


def test_an_oversized_body_is_413(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    response = client.post(
        f"/plans/{world.pat_plan}/sessions",
        content=b'{"reason": "' + b"x" * (2 << 20) + b'"}',
        headers={**tokens["pat"], "Idempotency-Key": "big", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
