"""Bad input at the front door: each request is a clear 4xx naming what to fix, and
nothing is written (the records it would change read the same after)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens, error_code
from .world import PASSWORD, World


def _plan(prescription: str, **changes: Any) -> dict[str, Any]:
    return {
        "prescription_id": prescription,
        "specialization": "ms",
        "sessions": 2,
        "session_minutes": 60,
        "min_days": 5,
        "max_days": 9,
        "setting": "clinic",
        **changes,
    }


def _snapshot(client: TestClient[Litestar], world: World, tokens: Tokens) -> list[Any]:
    desk = tokens["dispatcher"]
    return [
        client.get(f"/patients/{world.pat}", headers=desk).json(),
        client.get(f"/plans/{world.pat_plan}/history", headers=desk).json(),
        client.get(f"/clinics/{world.clinic}/therapists", headers=desk).json(),
        client.get(f"/clinics/{world.clinic}/patients", headers=desk).json(),
        client.get(f"/clinics/{world.clinic}", headers=desk).json(),
        client.get("/clinics").json(),
    ]


def test_bad_care_input_is_a_clear_4xx_and_writes_nothing(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    desk, admin = tokens["dispatcher"], tokens["admin"]
    # An expired prescription and one with few sessions, recorded first (valid writes).
    short = client.post(
        f"/patients/{world.pat}/prescriptions",
        json={
            "condition": "multiple sclerosis",
            "authorized_sessions": 3,
            "expires_on": "2026-12-31",
        },
        headers=desk,
    ).json()["id"]
    before = _snapshot(client, world, tokens)
    shifts = {"mon": [540, 1020]}
    cases: list[tuple[str, str, str, dict[str, Any], int, str]] = [
        # (who, method, url, body, status, what the detail must name)
        (
            "dispatcher",
            "POST",
            f"/clinics/{world.clinic}/therapists",
            {"name": "Cleo", "specializations": ["reiki"], "mobile": False, "shifts": shifts},
            422,
            "reiki",
        ),
        (
            "dispatcher",
            "POST",
            f"/clinics/{world.clinic}/therapists",
            {
                "name": "Cleo",
                "specializations": ["ms"],
                "mobile": False,
                "shifts": {"mon": [1020, 540]},
            },
            422,
            "mon",
        ),
        (
            "dispatcher",
            "POST",
            f"/clinics/{world.clinic}/therapists",
            {
                "name": "Cleo",
                "specializations": ["ms"],
                "mobile": False,
                "shifts": {"someday": [0, 60]},
            },
            400,
            "someday",
        ),
        (
            "dispatcher",
            "POST",
            f"/patients/{world.pat}/plans",
            _plan(short, specialization="reiki"),
            422,
            "reiki",
        ),
        (
            "dispatcher",
            "POST",
            f"/patients/{world.pat}/plans",
            _plan(short, min_days=10, max_days=5),
            422,
            "cadence",
        ),
        (
            "dispatcher",
            "POST",
            f"/patients/{world.pat}/plans",
            _plan(short, sessions=4),
            422,
            "authoriz",
        ),
        (
            "dispatcher",
            "POST",
            f"/plans/{world.pat_plan}/changes",
            {"change": "cadence", "reason": "r", "min_days": 9, "max_days": 2},
            422,
            "cadence",
        ),
        (
            "dispatcher",
            "POST",
            f"/patients/{world.pat}/prescriptions",
            {"condition": "ms", "authorized_sessions": 6, "expires_on": "2026-09-30"},
            422,
            "expire",
        ),
        (
            "dispatcher",
            "POST",
            f"/patients/{world.pat}/prescriptions",
            {"condition": "ms", "authorized_sessions": 6, "expires_on": "2026-12-31", "npi": "12"},
            422,
            "NPI",
        ),
        (
            "ana",
            "POST",
            f"/patients/{world.quinn}/evaluations",
            {"condition": "ms", "pain_level": 11},
            400,
            "pain_level",
        ),
        (
            "pat",
            "PUT",
            f"/patients/{world.pat}/intake",
            {"answers": {"astrology": True}},
            422,
            "astrology",
        ),
        (
            "pat",
            "PUT",
            f"/patients/{world.pat}/availability",
            {"availability": {"mon": [[540, 720], [600, 800]]}},
            422,
            "mon",
        ),
        (
            "admin",
            "POST",
            "/clinics",
            {
                "name": "X",
                "address": "y",
                "location": {"latitude": 1, "longitude": 1},
                "timezone": "Mars/Olympus",
            },
            422,
            "Mars/Olympus",
        ),
        (
            "admin",
            "PUT",
            f"/clinics/{world.clinic}",
            {
                "name": "X",
                "address": "y",
                "location": {"latitude": 1, "longitude": 1},
                "policies": {"slot_minutes": 7},
            },
            422,
            "grid",
        ),
        (
            "admin",
            "POST",
            "/clinics",
            {
                "name": "X",
                "address": "y",
                "location": {"latitude": 91, "longitude": 1},
                "timezone": "UTC",
            },
            400,
            "latitude",
        ),
    ]
    wrong = []
    for who, method, url, body, status, named in cases:
        response = client.request(method, url, json=body, headers=tokens[who])
        answer = response.json()
        said = answer.get("detail", "") + str(answer.get("fields", ""))
        if response.status_code != status or named.lower() not in said.lower():
            wrong.append((who, url, response.status_code, said[:200]))
    assert wrong == [], "\n".join(map(str, wrong))
    assert before == _snapshot(client, world, tokens)
    del admin


def test_no_plan_on_an_expired_prescription(
    client: TestClient[Litestar], world: World, tokens: Tokens, clock: Any
) -> None:
    patient = client.get(f"/patients/{world.pat}", headers=tokens["dispatcher"]).json()
    prescription = patient["prescriptions"][0]
    assert prescription["expires_on"] == "2026-12-31"
    clock.advance(days=100)  # January 2027
    tokens.clear()
    response = client.post(
        f"/patients/{world.pat}/plans", json=_plan(prescription["id"]), headers=tokens["dispatcher"]
    )
    assert (response.status_code, error_code(response)) == (422, "prescription_expired")
    after = client.get(f"/patients/{world.pat}", headers=tokens["dispatcher"]).json()
    assert after["plan_ids"] == patient["plan_ids"]


def test_a_patient_registers_once(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    desk = tokens["dispatcher"]
    rosa = {"name": "Rosa Ruiz", "email": "Rosa@Mail.example", "phone": "+1 773 555 0123"}
    first = client.post(f"/clinics/{world.clinic}/patients", json=rosa, headers=desk)
    assert first.status_code == 201, first.text
    # The desk again, the same e-mail in any case: 409, and still one Rosa.
    again = client.post(
        f"/clinics/{world.clinic}/patients",
        json={**rosa, "email": "rosa@mail.EXAMPLE"},
        headers=desk,
    )
    assert (again.status_code, error_code(again)) == (409, "patient_exists")
    # The same name and phone without an e-mail is the same person too.
    by_phone = client.post(
        f"/clinics/{world.clinic}/patients",
        json={"name": "rosa  ruiz", "phone": "(773) 555-0123"},
        headers=desk,
    )
    assert (by_phone.status_code, error_code(by_phone)) == (409, "patient_exists")
    # Rosa signing up online with that e-mail: 409, and no account is opened for it.
    signed = client.post(
        "/signup",
        json={
            "clinic_id": str(world.clinic),
            "name": "Rosa Ruiz",
            "email": "rosa@mail.example",
            "password": PASSWORD,
        },
    )
    assert (signed.status_code, error_code(signed)) == (409, "patient_exists")
    login = client.post("/auth/login", json={"email": "rosa@mail.example", "password": PASSWORD})
    assert login.status_code == 401
    found = client.get(f"/clinics/{world.clinic}/patients?q=rosa", headers=desk).json()
    assert [p["id"] for p in found] == [first.json()["id"]]
    # Signing up twice: the second is 409 `account_exists`, with no second record.
    sam = {
        "clinic_id": str(world.clinic),
        "name": "Sam Stone",
        "email": "sam@mail.example",
        "password": PASSWORD,
    }
    assert client.post("/signup", json=sam).status_code == 201
    twice = client.post("/signup", json={**sam, "name": "Samuel Stone"})
    assert (twice.status_code, error_code(twice)) == (409, "account_exists")
    assert len(client.get(f"/clinics/{world.clinic}/patients?q=stone", headers=desk).json()) == 1
    # Changing another patient's e-mail to Rosa's is refused the same way.
    taken = client.put(
        f"/patients/{world.quinn}",
        json={"name": "Quinn Quade", "email": "rosa@mail.example"},
        headers=desk,
    )
    assert (taken.status_code, error_code(taken)) == (409, "patient_exists")


@pytest.mark.parametrize(
    "body",
    [
        {
            "clinic_id": "00000000-0000-4000-8000-00000000dead",
            "name": "A",
            "email": "a@b.example",
            "password": PASSWORD,
        },
        {"name": "A", "email": "a@b.example", "password": PASSWORD},
        {"clinic_id": None, "name": "A", "email": "not-an-email", "password": PASSWORD},
    ],
)
def test_a_bad_sign_up_is_4xx(client: TestClient[Litestar], body: dict[str, Any]) -> None:
    response = client.post("/signup", json=body)
    assert 400 <= response.status_code < 500, response.text
    assert (
        client.post("/auth/login", json={"email": "a@b.example", "password": PASSWORD}).status_code
        == 401
    )
