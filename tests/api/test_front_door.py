"""The front door through HTTP only, from an empty store, on SQLite and on PostgreSQL:
the admin (made by the CLI) sets up the clinic and a therapist, a patient signs up, fills
the intake and books an evaluation, the therapist records the evaluation, prescription
and plan, the patient books from the ranked options, the therapist completes the
session with a note, and the dispatcher sees it on the board and in the history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.settings import Settings

from .empty import ADMIN_EMAIL, ADMIN_PASSWORD, empty_backend
from .world import Clock

__all__ = ["empty_backend"]

PASSWORD = "a long enough password"
# Mon/Wed 9-12, Thu after 15:00 (local minutes).
AVAILABILITY = {"mon": [[540, 720]], "wed": [[540, 720]], "thu": [[900, 1440]]}
NINE_TO_FIVE = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def front(empty_settings: Settings, clock: Clock) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(empty_settings, clock=clock), raise_server_exceptions=False) as c:
        yield c


def sign_in(client: TestClient[Litestar], email: str, password: str) -> dict[str, str]:
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def set_up_clinic(client: TestClient[Litestar]) -> dict[str, Any]:
    """The admin's part: the clinic, a therapist with shifts, the staff's accounts."""
    admin = sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    clinic = ok(
        client.post(
            "/clinics",
            headers=admin,
            json={
                "name": "Loop Medical Massage",
                "address": "1 N State St, Chicago, IL",
                "location": {"latitude": 41.8837, "longitude": -87.6289},
                "timezone": "America/Chicago",
                "policies": {
                    "late_cancel_hours": 24,
                    "slot_minutes": 15,
                    "offer_hours": 2,
                    "reassessment_every": 6,
                    "evaluation_minutes": 45,
                },
            },
        ),
        201,
    )
    therapist = ok(
        client.post(
            f"/clinics/{clinic['id']}/therapists",
            headers=admin,
            json={
                "name": "Ana Alvarez",
                "specializations": ["ms", "general"],
                "mobile": False,
                "shifts": NINE_TO_FIVE,
                "max_visits_per_day": 6,
                "phone": "+1 312 555 0101",
            },
        ),
        201,
    )
    for body in (
        {"email": "ana@loop.example", "role": "therapist", "therapist_id": therapist["id"]},
        {"email": "desk@loop.example", "role": "dispatcher", "clinic_id": clinic["id"]},
    ):
        ok(client.post("/accounts", headers=admin, json={**body, "password": PASSWORD}), 201)
    return {"clinic": clinic, "therapist": therapist, "admin": admin}


def sign_up(client: TestClient[Litestar], clinic_id: str, email: str = "pat@mail.example") -> Any:
    return client.post(
        "/signup",
        json={
            "clinic_id": clinic_id,
            "name": "Pat Patel",
            "email": email,
            "password": PASSWORD,
            "phone": "+1 773 555 0199",
            "address": "2100 N Halsted St, Chicago, IL",
            "home": {"latitude": 41.9199, "longitude": -87.6487},
            "availability": AVAILABILITY,
        },
    )


def test_a_clinic_from_an_empty_store_to_a_completed_session(
    front: TestClient[Litestar], clock: Clock
) -> None:
    client = front
    setup = set_up_clinic(client)
    clinic_id, ana = setup["clinic"]["id"], setup["therapist"]["id"]
    assert setup["clinic"]["policies"]["evaluation_minutes"] == 45

    # A patient finds the clinic and signs up (no sign-in needed for either).
    listed = ok(client.get("/clinics"))
    assert [c["name"] for c in listed] == ["Loop Medical Massage"]
    signed_up = ok(sign_up(client, clinic_id), 201)
    patient_id = signed_up["patient"]["id"]
    assert signed_up["account"]["acts_for"] == patient_id
    assert signed_up["patient"]["availability"] == AVAILABILITY
    pat = sign_in(client, "pat@mail.example", PASSWORD)

    # The intake: a yes suggests a flag the therapist will confirm or clear.
    questions = ok(client.get("/intake/questions"))
    answers = {q["key"]: False for q in questions}
    answers["fever"] = True
    intake = ok(
        client.put(
            f"/patients/{patient_id}/intake",
            headers=pat,
            json={"answers": answers, "conditions": "MS since 2019", "medications": "none"},
        )
    )
    assert intake["intake"]["suggested"] == ["fever"]

    # The initial evaluation, from the offered times (all inside her availability).
    options = ok(
        client.get(
            f"/patients/{patient_id}/evaluation-options",
            params={"reason": "multiple sclerosis"},
            headers=pat,
        )
    )
    assert options, "a therapist treating MS works during the patient's availability"
    for option in options:
        start = local(option["start"])
        assert local(option["end"]) - start == timedelta(minutes=45)
        assert start > clock()
    first = options[0]
    visit = ok(
        client.post(
            f"/patients/{patient_id}/evaluation-visits",
            headers=pat,
            json={
                "therapist_id": first["therapist_id"],
                "start": first["start"],
                "reason": "multiple sclerosis",
            },
        ),
        201,
    )
    assert (visit["kind"], visit["plan_id"], visit["therapist_id"]) == ("evaluation", None, ana)
    twice = client.post(
        f"/patients/{patient_id}/evaluation-visits",
        headers=pat,
        json={"therapist_id": ana, "start": options[-1]["start"], "reason": "again"},
    )
    assert (twice.status_code, twice.json()["error"]) == (409, "evaluation_booked")

    # At the visit the therapist records the evaluation, the prescription and the plan.
    clock.current = local(visit["start"]) + timedelta(minutes=5)
    therapist = sign_in(client, "ana@loop.example", PASSWORD)
    pat = sign_in(client, "pat@mail.example", PASSWORD)  # a day later: a new sign-in
    evaluated = ok(
        client.post(
            f"/patients/{patient_id}/evaluations",
            headers=therapist,
            json={
                "condition": "multiple sclerosis",
                "pain_level": 6,
                "contraindications": [],
                "findings": "spasticity in both calves",
                "recommended": "ms",
                "visit": visit["id"],
            },
        ),
        201,
    )
    assert evaluated["evaluations"][-1]["pain_level"] == 6
    assert ok(client.get(f"/sessions/{visit['id']}", headers=pat))["status"] == "completed"
    expiry = (clock() + timedelta(days=120)).date().isoformat()
    prescription = ok(
        client.post(
            f"/patients/{patient_id}/prescriptions",
            headers=therapist,
            json={
                "condition": "multiple sclerosis",
                "icd10": "G35",
                "authorized_sessions": 6,
                "expires_on": expiry,
                "prescriber": "Dr. Rhee",
                "npi": "1234567893",
                "authorization_number": "AUTH-77",
            },
        ),
        201,
    )
    plan = ok(
        client.post(
            f"/patients/{patient_id}/plans",
            headers=therapist,
            json={
                "prescription_id": prescription["id"],
                "specialization": "ms",
                "sessions": 6,
                "session_minutes": 60,
                "min_days": 5,
                "max_days": 9,
                "setting": "clinic",
                "preferred_therapist": ana,
            },
        ),
        201,
    )
    assert (plan["sessions"], plan["authorized_sessions"]) == (6, 6)

    # The patient books the first plan session from the ranked options.
    ranked = ok(client.get(f"/me/plans/{plan['id']}/options", headers=pat))
    top = ranked["options"][0]
    session = ok(
        client.post(
            f"/plans/{plan['id']}/sessions",
            headers=pat,
            json={"therapist_id": top["therapist_id"], "start": top["start"]},
        ),
        201,
    )
    assert session["therapist_id"] == ana
    weekday = local(session["start_local"]).strftime("%a").lower()
    minute = local(session["start_local"]).hour * 60 + local(session["start_local"]).minute
    assert any(low <= minute < high for low, high in AVAILABILITY[weekday])

    # The therapist completes it with a note.
    clock.current = local(session["start"]) + timedelta(minutes=50)
    therapist = sign_in(client, "ana@loop.example", PASSWORD)
    done = ok(
        client.post(
            f"/sessions/{session['id']}/complete",
            headers=therapist,
            json={"note": "tone reduced after stretching", "pain_before": 6, "pain_after": 3},
        ),
    )
    assert done["status"] == "completed"

    # The dispatcher sees it all: the board, the plan's progress and the histories.
    desk = sign_in(client, "desk@loop.example", PASSWORD)
    day = local(session["start_local"]).date().isoformat()
    board = ok(client.get(f"/clinics/{clinic_id}/board", params={"date": day}, headers=desk))
    visits = [v for route in board["routes"] for v in route["visits"]]
    assert [(v["session_id"], v["patient_name"]) for v in visits] == [
        (visit["id"], "Pat Patel"),  # the evaluation, then the first session, the same day
        (session["id"], "Pat Patel"),
    ]
    progress = ok(client.get(f"/plans/{plan['id']}/progress", headers=desk))
    assert progress["completed"] == 1
    assert [(p["source"], p["pain"]) for p in progress["pain"]] == [
        ("evaluation", 6),
        ("session", 6),
    ]
    history = ok(client.get(f"/plans/{plan['id']}/history", headers=desk))
    assert [e["event"] for e in history][:1] == ["Created"]
    session_events = [
        e["event"] for e in ok(client.get(f"/sessions/{session['id']}/history", headers=desk))
    ]
    assert session_events[0] == "Booked"
    assert session_events[-1] == "Completed"
    found = ok(client.get(f"/clinics/{clinic_id}/patients", params={"q": "patel"}, headers=desk))
    assert [p["id"] for p in found] == [patient_id]
    told = [e["event"] for e in ok(client.get(f"/patients/{patient_id}/history", headers=desk))]
    assert told[0] == "Registered"
    assert {"IntakeSubmitted", "Evaluated", "PrescriptionRecorded", "PlanStarted"} <= set(told)
    record = ok(client.get(f"/patients/{patient_id}", headers=desk))
    assert record["plan_ids"] == [plan["id"]]
    assert record["prescriptions"][0]["sessions_held"] == 1
