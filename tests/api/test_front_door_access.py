"""The front door's writes by the wrong person: another clinic's dispatcher, another
patient, a therapist who does not see the patient, a role the step is not for. Each is
403 with none of the record's data, and changes nothing."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens, error_code
from .world import MONDAY, World

Attempt = tuple[str, str, str, dict[str, Any]]


def _attempts(world: World, prescription: str) -> list[Attempt]:
    clinic = {
        "name": "Taken Over",
        "address": "x",
        "location": {"latitude": 1.0, "longitude": 1.0},
        "policies": {},
    }
    therapist = {"name": "Zed", "specializations": ["ms"], "mobile": False}
    patient = {"name": "Zoe", "email": "zoe@mail.example"}
    evaluation = {"condition": "multiple sclerosis", "pain_level": 2}
    prescribing = {"condition": "ms", "authorized_sessions": 2, "expires_on": "2026-12-31"}
    plan = {
        "prescription_id": prescription,
        "specialization": "ms",
        "sessions": 2,
        "session_minutes": 60,
        "min_days": 5,
        "max_days": 9,
        "setting": "clinic",
    }
    cadence = {"change": "cadence", "reason": "r", "min_days": 1, "max_days": 20}
    shifts = {"shifts": {"mon": [0, 60]}}
    return [
        # Only admins open and change clinics.
        ("dispatcher", "POST", "/clinics", {**clinic, "timezone": "UTC"}),
        ("dispatcher", "PUT", f"/clinics/{world.clinic}", clinic),
        (
            "ana",
            "POST",
            f"/clinics/{world.clinic}/conditions",
            {"phrase": "x y", "specializations": ["ms"]},
        ),
        # Another clinic's desk registers nobody here and changes nobody here.
        ("other_dispatcher", "POST", f"/clinics/{world.clinic}/therapists", therapist),
        ("other_dispatcher", "POST", f"/clinics/{world.clinic}/patients", patient),
        ("other_dispatcher", "PUT", f"/therapists/{world.ana}/shifts", shifts),
        ("other_dispatcher", "PUT", f"/therapists/{world.ana}/active", {"active": False}),
        ("other_dispatcher", "PUT", f"/patients/{world.pat}", patient),
        ("other_dispatcher", "POST", f"/patients/{world.pat}/prescriptions", prescribing),
        ("other_dispatcher", "POST", f"/plans/{world.pat_plan}/changes", cadence),
        (
            "other_dispatcher",
            "POST",
            f"/prescriptions/{prescription}/renewals",
            {"authorized_sessions": 20, "expires_on": "2027-01-31"},
        ),
        # Therapists change no shifts but ask; they record only their own time off.
        ("ana", "PUT", f"/therapists/{world.ana}/shifts", shifts),
        (
            "ben",
            "POST",
            f"/therapists/{world.ana}/time-off",
            {"first": str(MONDAY), "last": str(MONDAY)},
        ),
        ("ben", "POST", f"/therapists/{world.ana}/sick", {"dates": [str(MONDAY)]}),
        ("pat", "POST", "/me/shift-requests", shifts),
        # A patient changes only their own record and books only their own evaluation.
        ("quinn", "PUT", f"/patients/{world.pat}", patient),
        ("quinn", "PUT", f"/patients/{world.pat}/availability", {"availability": {}}),
        ("quinn", "PUT", f"/patients/{world.pat}/intake", {"answers": {"fever": True}}),
        (
            "quinn",
            "POST",
            f"/patients/{world.pat}/evaluation-visits",
            {"therapist_id": str(world.ben), "start": "2026-10-05T15:00:00Z", "reason": "ms"},
        ),
        # Only therapists evaluate, only patients they see; patients prescribe nothing.
        ("pat", "POST", f"/patients/{world.pat}/evaluations", evaluation),
        ("dispatcher", "POST", f"/patients/{world.pat}/evaluations", evaluation),
        ("ben", "POST", f"/patients/{world.pat}/evaluations", evaluation),
        ("pat", "POST", f"/patients/{world.pat}/prescriptions", prescribing),
        ("pat", "POST", f"/patients/{world.pat}/plans", plan),
        ("ben", "POST", f"/patients/{world.pat}/plans", plan),
        ("pat", "POST", f"/plans/{world.pat_plan}/changes", cadence),
        # A therapist does not edit a patient's contact details.
        ("ana", "PUT", f"/patients/{world.pat}", patient),
    ]


def test_front_door_writes_by_the_wrong_person_are_refused_and_change_nothing(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    desk = tokens["dispatcher"]
    before = client.get(f"/patients/{world.pat}", headers=desk).json()
    prescription = before["prescriptions"][0]["id"]
    plan_before = client.get(f"/plans/{world.pat_plan}/history", headers=desk).json()
    therapists_before = client.get(f"/clinics/{world.clinic}/therapists", headers=desk).json()
    wrong = []
    for who, method, url, body in _attempts(world, prescription):
        response = client.request(method, url, json=body, headers=tokens[who])
        if response.status_code != 403:
            wrong.append((who, method, url, response.status_code, response.text[:200]))
            continue
        assert error_code(response) == "forbidden"
        for private in ("Pat Patel", "multiple sclerosis", str(world.pat)):
            assert private not in response.text, (who, url)
    assert wrong == []
    assert client.get(f"/patients/{world.pat}", headers=desk).json() == before
    assert client.get(f"/plans/{world.pat_plan}/history", headers=desk).json() == plan_before
    assert (
        client.get(f"/clinics/{world.clinic}/therapists", headers=desk).json() == therapists_before
    )
    assert client.get(f"/clinics/{world.clinic}/patients?q=zoe", headers=desk).json() == []
    clinics = client.get("/clinics").json()
    assert [c["name"] for c in clinics] == ["Loop Medical Massage", "Lake Massage"]


def test_public_routes_answer_without_a_sign_in_and_show_no_one(
    client: TestClient[Litestar], world: World
) -> None:
    client.cookies.clear()
    clinics = client.get("/clinics")
    assert clinics.status_code == 200
    assert {c["id"] for c in clinics.json()} == {str(world.clinic), str(world.other_clinic)}
    assert set(clinics.json()[0]) == {"id", "name", "address", "timezone"}
    questions = client.get("/intake/questions")
    assert questions.status_code == 200
    assert {"key", "question", "suggests"} == set(questions.json()[0])
    for text in (clinics.text, questions.text):
        assert "Pat Patel" not in text
        assert "Ana" not in text
