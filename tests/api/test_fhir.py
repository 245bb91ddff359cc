"""FHIR R5 over HTTP: Appointments and Slots that `fhir.resources` accepts, for the right people."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.appointment import Appointment
from fhir.resources.bundle import Bundle
from fhir.resources.careplan import CarePlan
from fhir.resources.operationoutcome import OperationOutcome
from fhir.resources.patient import Patient
from fhir.resources.practitioner import Practitioner
from fhir.resources.schedule import Schedule
from fhir.resources.servicerequest import ServiceRequest
from fhir.resources.slot import Slot
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET, Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis) for every test here.
from .production import (  # noqa: F401
    production_world,
    seeded_database,
)
from .world import MONDAY, Clock, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def _fhir(client: TestClient[Litestar], url: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    return body


def _book(client: TestClient[Litestar], world: World, tokens: Tokens, plan: Any, at: str) -> str:
    body = {"therapist_id": str(world.ana), "start": world.local[at].isoformat()}
    response = client.post(f"/plans/{plan}/sessions", json=body, headers=tokens["dispatcher"])
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_sessions_are_valid_appointments_through_their_lives(
    client: TestClient[Litestar], world: World, tokens: Tokens, clock: Clock
) -> None:
    pats = _book(client, world, tokens, world.pat_plan, "mon 10:00")
    quinns = _book(client, world, tokens, world.quinn_plan, "mon 14:00")
    booked = _fhir(client, f"/fhir/Appointment/{pats}", tokens["pat"])
    appointment = Appointment.model_validate(booked)
    assert (appointment.id, appointment.status) == (pats, "booked")
    assert appointment.start == world.local["mon 10:00"]
    assert appointment.minutesDuration == 60
    actors = {p.actor.reference for p in appointment.participant}
    assert actors == {f"Patient/{world.pat}", f"Practitioner/{world.ana}"}
    assert booked["meta"]["versionId"] == "1"

    clock.current = world.local["mon 10:00"] + timedelta(hours=2)
    tokens.clear()  # days later: sign in again
    done = {"note": "calves looser", "pain_before": 6, "pain_after": 3}
    assert client.post(f"/sessions/{pats}/complete", json=done, headers=tokens["ana"]).is_success
    assert client.post(f"/sessions/{quinns}/cancel", json={}, headers=tokens["quinn"]).is_success
    completed = _fhir(client, f"/fhir/Appointment/{pats}", tokens["ana"])
    assert Appointment.model_validate(completed).status == "fulfilled"
    assert completed["meta"]["versionId"] == "2"
    cancelled = Appointment.model_validate(
        _fhir(client, f"/fhir/Appointment/{quinns}", tokens["dispatcher"])
    )
    assert cancelled.status == "cancelled"
    assert cancelled.cancellationReason.text == "late cancellation"

    mine = Bundle.model_validate(
        _fhir(client, f"/fhir/Appointment?patient=Patient/{world.pat}", tokens["pat"])
    )
    assert [e.resource.id for e in mine.entry] == [pats]
    assert mine.total == 1
    ana = Bundle.model_validate(
        _fhir(client, f"/fhir/Appointment?practitioner={world.ana}", tokens["ana"])
    )
    assert sorted(e.resource.status for e in ana.entry) == ["cancelled", "fulfilled"]
    # A search shows only what the caller may see.
    spying = _fhir(client, f"/fhir/Appointment?patient={world.pat}", tokens["quinn"])
    assert spying["total"] == 0
    assert _fhir(client, f"/fhir/Appointment?practitioner={world.ana}", tokens["ben"])["total"] == 0
    assert client.get(f"/fhir/Appointment/{pats}", headers=tokens["quinn"]).status_code == 403
    assert client.get(f"/fhir/Appointment/{pats}", headers=tokens["ben"]).status_code == 403
    both = client.get(
        f"/fhir/Appointment?patient={world.pat}&practitioner={world.ana}", headers=tokens["admin"]
    )
    assert both.status_code == 422


def test_free_time_is_shift_minus_bookings_as_valid_slots(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    _book(client, world, tokens, world.pat_plan, "mon 10:00")
    _book(client, world, tokens, world.quinn_plan, "mon 14:00")
    url = f"/fhir/Slot?practitioner=Practitioner/{world.ana}&start={MONDAY}&end={MONDAY}"
    body = _fhir(client, url, tokens["ana"])
    bundle = Bundle.model_validate(body)
    slots = [Slot.model_validate(entry["resource"]) for entry in body["entry"]]
    assert bundle.total == len(slots) == 3
    local = world.local["mon 10:00"] - timedelta(hours=10)  # Monday 00:00 local

    def at(hours: int) -> datetime:
        return local + timedelta(hours=hours)

    assert [(s.start, s.end, s.status) for s in slots] == [
        (at(9), at(10), "free"),
        (at(11), at(14), "free"),
        (at(15), at(17), "free"),
    ]
    assert {s.schedule.reference for s in slots} == {f"Schedule/{world.ana}"}
    assert client.get(url, headers=tokens["dispatcher"]).status_code == 200
    for role in ("ben", "other_dispatcher", "pat"):
        assert client.get(url, headers=tokens[role]).status_code == 403, role
    too_long = url.replace(
        f"start={MONDAY}&end={MONDAY}", f"start=ge{MONDAY}&start=lt{MONDAY + timedelta(days=40)}"
    )
    assert client.get(too_long, headers=tokens["ana"]).status_code == 422


PUBLIC_URL = "https://clinic.example/scheduler"


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


def _slots(client: TestClient[Litestar], tokens: Tokens, world: World, query: str) -> list[str]:
    """Local start times of the free Slots the query finds (Ana, as Ana)."""
    body = _fhir(client, f"/fhir/Slot?practitioner={world.ana}&{query}", tokens["ana"])
    Bundle.model_validate(body)
    zone = ZoneInfo("America/Chicago")
    return [
        datetime.fromisoformat(e["resource"]["start"]).astimezone(zone).strftime("%a %H:%M")
        for e in body.get("entry", [])
        if e["search"]["mode"] == "match"
    ]


def test_slot_dates_take_the_standard_prefixes(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    _book(client, world, tokens, world.pat_plan, "mon 10:00")
    _book(client, world, tokens, world.quinn_plan, "mon 14:00")
    eleven = quote((world.local["mon 10:00"] + timedelta(hours=1)).isoformat())
    tuesday = MONDAY + timedelta(days=1)
    monday_slots = ["Mon 09:00", "Mon 11:00", "Mon 15:00"]
    assert _slots(client, tokens, world, f"start={MONDAY}") == monday_slots
    assert _slots(client, tokens, world, f"start=eq{MONDAY}") == monday_slots
    assert _slots(client, tokens, world, f"start=ge{MONDAY}&start=lt{tuesday}") == monday_slots
    both = _slots(client, tokens, world, f"start=ge{MONDAY}&start=le{tuesday}")
    assert both == [*monday_slots, "Tue 09:00"]
    assert _slots(client, tokens, world, f"start=ge{eleven}&start=le{MONDAY}") == monday_slots[1:]
    assert _slots(client, tokens, world, f"start=gt{eleven}&end=le{MONDAY}") == ["Mon 15:00"]
    assert _slots(client, tokens, world, f"start=lt{eleven}&start={MONDAY}") == ["Mon 09:00"]
    assert _slots(client, tokens, world, f"end=gt{MONDAY}&end=lt{tuesday + timedelta(1)}") == [
        "Tue 09:00"
    ]
    # Bounded on one side only: 31 days from there, and an outcome entry says so.
    body = _fhir(client, f"/fhir/Slot?practitioner={world.ana}&start=ge{MONDAY}", tokens["ana"])
    bundle = Bundle.model_validate(body)
    found = [e.resource for e in bundle.entry if e.search.mode == "match"]
    notes = [e.resource for e in bundle.entry if e.search.mode == "outcome"]
    # The 23 weekdays from Monday 5 October to Wednesday 4 November; Monday has 3 spans.
    assert bundle.total == len(found) == 22 + 3
    assert {s.start.date() for s in found} >= {MONDAY, MONDAY + timedelta(days=30)}
    assert max(s.start.date() for s in found) <= MONDAY + timedelta(days=31)
    (note,) = notes
    assert OperationOutcome.model_validate(note.model_dump()).issue[0].severity == "information"
    assert f"to {MONDAY + timedelta(days=30)}" in note.issue[0].diagnostics
    for bad in (
        f"start=ne{MONDAY}",  # a prefix this server does not support
        "start=2026-13-40",  # no such day
        "",  # no days at all
        f"start={MONDAY}T09:00",  # a time without its offset
    ):
        answer = client.get(f"/fhir/Slot?practitioner={world.ana}&{bad}", headers=tokens["ana"])
        assert answer.status_code == 400, (bad, answer.text)
        outcome = OperationOutcome.model_validate(answer.json())
        assert outcome.issue[0].code == "invalid"
        assert outcome.issue[0].details.coding[0].code == "invalid_search"


def test_appointment_dates_take_the_standard_prefixes(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    monday = _book(client, world, tokens, world.pat_plan, "mon 10:00")
    body = {
        "therapist_id": str(world.ana),
        "start": (world.local["mon 10:00"] + timedelta(days=3)).isoformat(),
    }
    later = client.post(
        f"/plans/{world.pat_plan}/sessions", json=body, headers=tokens["dispatcher"]
    )
    assert later.status_code == 201, later.text
    thursday = later.json()["id"]
    thu = MONDAY + timedelta(days=3)

    def found(query: str) -> list[str]:
        url = f"/fhir/Appointment?patient=Patient/{world.pat}&{query}"
        bundle = Bundle.model_validate(_fhir(client, url, tokens["pat"]))
        return [e.resource.id for e in bundle.entry or []]

    assert found(f"date={MONDAY}") == [monday]
    assert found(f"date=ge{MONDAY}") == [monday, thursday]
    assert found(f"date=gt{MONDAY}") == [thursday]
    assert found(f"date=lt{thu}") == [monday]
    assert found(f"date=le{thu}&date=ge{thu}") == [thursday]
    practitioner = f"/fhir/Appointment?practitioner={world.ana}&date=eq{thu}"
    assert [e["resource"]["id"] for e in _fhir(client, practitioner, tokens["ana"])["entry"]] == [
        thursday
    ]


def test_searchsets_link_to_themselves_under_the_public_url_whatever_the_host(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    session = _book(client, world, tokens, world.pat_plan, "mon 10:00")
    headers = {**tokens["pat"], "Host": "evil.example"}
    query = f"patient=Patient/{world.pat}&date=ge{MONDAY}"
    response = client.get(f"/fhir/Appointment?{query}", headers=headers)
    assert response.status_code == 200, response.text
    bundle = Bundle.model_validate(response.json())
    assert [(link.relation, link.url) for link in bundle.link] == [
        ("self", f"{PUBLIC_URL}/fhir/Appointment?{query}")
    ]
    assert [e.fullUrl for e in bundle.entry] == [f"{PUBLIC_URL}/fhir/Appointment/{session}"]
    slots = client.get(
        f"/fhir/Slot?practitioner={world.ana}&start={MONDAY}",
        headers={**tokens["ana"], "Host": "evil.example"},
    ).json()
    assert slots["link"][0]["url"].startswith(f"{PUBLIC_URL}/fhir/Slot?")
    assert all(e["fullUrl"].startswith(f"{PUBLIC_URL}/fhir/Slot/") for e in slots["entry"])
    assert "evil.example" not in response.text + str(slots)


READERS = {
    # who: may read (Patient/pat, Practitioner/ana and Schedule/ana, CarePlan/pat_plan)
    "admin": (True, True, True),
    "dispatcher": (True, True, True),
    "other_dispatcher": (False, False, False),
    "pat": (True, True, True),  # themself; Ana treats them
    "quinn": (False, False, False),  # another patient, with no session with Ana
    "ana": (True, True, True),  # her patient, herself
    "ben": (False, False, False),  # not Pat's therapist, not Ana
}


def test_patient_practitioner_schedule_and_care_plan_reads_follow_the_access_rules(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    _book(client, world, tokens, world.pat_plan, "mon 10:00")
    prescription = _prescription_of(client, world, tokens)
    kinds = {
        "Patient": (f"/fhir/Patient/{world.pat}", Patient, 0),
        "ServiceRequest": (f"/fhir/ServiceRequest/{prescription}", ServiceRequest, 0),
        "Practitioner": (f"/fhir/Practitioner/{world.ana}", Practitioner, 1),
        "Schedule": (f"/fhir/Schedule/{world.ana}", Schedule, 1),
        "CarePlan": (f"/fhir/CarePlan/{world.pat_plan}", CarePlan, 2),
    }
    for who, allowed in READERS.items():
        for kind, (url, model, which) in kinds.items():
            response = client.get(url, headers=tokens[who])
            if allowed[which]:
                assert response.status_code == 200, (who, kind, response.text)
                resource = model.model_validate(response.json())
                assert resource.id == url.rsplit("/", 1)[1]
            else:
                assert response.status_code == 403, (who, kind, response.text)
                OperationOutcome.model_validate(response.json())
                for private in ("Pat Patel", "Ana Alvarez", "multiple sclerosis"):
                    assert private not in response.text, (who, kind)
    patient = _fhir(client, f"/fhir/Patient/{world.pat}", tokens["pat"])
    assert patient["name"][0] == {"text": "Pat Patel", "family": "Patel", "given": ["Pat"]}
    plan = CarePlan.model_validate(_fhir(client, f"/fhir/CarePlan/{world.pat_plan}", tokens["ana"]))
    assert (plan.status, plan.intent, plan.subject.reference) == (
        "active",
        "plan",
        f"Patient/{world.pat}",
    )
    for kind in kinds:
        unknown = client.get(f"/fhir/{kind}/{uuid.uuid4()}", headers=tokens["admin"])
        assert unknown.status_code == 404, (kind, unknown.text)
        OperationOutcome.model_validate(unknown.json())


def test_every_reference_of_a_resource_resolves(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    session = _book(client, world, tokens, world.pat_plan, "mon 10:00")
    slots = _fhir(client, f"/fhir/Slot?practitioner={world.ana}&start={MONDAY}", tokens["ana"])
    resources = [
        _fhir(client, f"/fhir/Appointment/{session}", tokens["pat"]),
        *(entry["resource"] for entry in slots["entry"]),
    ]
    models = {
        "Patient": Patient,
        "Practitioner": Practitioner,
        "Schedule": Schedule,
        "CarePlan": CarePlan,
        "ServiceRequest": ServiceRequest,
    }
    followed = set()
    while resources:
        resource = resources.pop()
        for reference in re.findall(r"'reference': '(\w+/[0-9a-f-]{36})'", str(resource)):
            if reference in followed:
                continue
            followed.add(reference)
            target = _fhir(client, f"/fhir/{reference}", tokens["admin"])
            models[reference.split("/")[0]].model_validate(target)
            resources.append(target)
    assert {r.split("/")[0] for r in followed} == set(models)


def _prescription_of(client: TestClient[Litestar], world: World, tokens: Tokens) -> str:
    patient = client.get(f"/patients/{world.pat}", headers=tokens["admin"]).json()
    return str(patient["prescriptions"][0]["id"])


def test_a_prescription_is_a_service_request_with_its_codes(
    client: TestClient[Litestar], world: World, tokens: Tokens, clock: Any
) -> None:
    recorded = client.post(
        f"/patients/{world.pat}/prescriptions",
        json={
            "condition": "multiple sclerosis",
            "icd10": "G35",
            "authorized_sessions": 6,
            "expires_on": "2026-11-30",
            "prescriber": "Dr. Rhee",
            "npi": "1234567893",
            "authorization_number": "AUTH-77",
        },
        headers=tokens["dispatcher"],
    )
    assert recorded.status_code == 201, recorded.text
    url = f"/fhir/ServiceRequest/{recorded.json()['id']}"
    request = ServiceRequest.model_validate(_fhir(client, url, tokens["pat"]))
    assert (request.status, request.intent) == ("active", "order")
    assert request.subject.reference == f"Patient/{world.pat}"
    assert request.reason[0].concept.coding[0].code == "G35"
    assert request.requester.display == "Dr. Rhee"
    assert request.requester.identifier.value == "1234567893"
    assert request.quantityQuantity.value == 6
    assert request.identifier[0].value == "AUTH-77"
    clock.advance(days=61)  # December: expired
    tokens.clear()
    assert _fhir(client, url, tokens["pat"])["status"] == "completed"


def test_fhir_errors_are_operation_outcomes_with_their_status(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    client.cookies.clear()
    cases = [
        (f"/fhir/Patient/{world.pat}", {}, 401, "login", "not_authenticated"),
        (f"/fhir/Patient/{world.pat}", tokens["quinn"], 403, "forbidden", "forbidden"),
        (f"/fhir/Appointment/{uuid.uuid4()}", tokens["pat"], 404, "not-found", "unknown_session"),
        ("/fhir/Observation/1", tokens["pat"], 404, "not-found", "not_found"),
        (f"/fhir/Slot?practitioner={world.ana}&start={MONDAY}", tokens["pat"], 403, "forbidden",
         "forbidden"),
        ("/fhir/Appointment", tokens["pat"], 422, "processing", "invalid_input"),
    ]  # fmt: skip
    for url, headers, status, issue, code in cases:
        client.cookies.clear()
        response = client.get(url, headers=headers)
        assert response.status_code == status, (url, response.text)
        assert response.headers["content-type"].startswith("application/fhir+json"), url
        outcome = OperationOutcome.model_validate(response.json())
        assert outcome.issue[0].code == issue, url
        assert outcome.issue[0].details.coding[0].code == code, url
        assert outcome.issue[0].details.text
        assert response.headers["x-request-id"] in outcome.issue[0].diagnostics
