"""FHIR R5 over HTTP: Appointments and Slots that `fhir.resources` accepts, for the right people."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fhir.resources.appointment import Appointment
from fhir.resources.bundle import Bundle
from fhir.resources.slot import Slot
from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis) for every test here.
from .production import (  # noqa: F401
    production_settings,
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
    too_long = url.replace(f"end={MONDAY}", f"end={MONDAY + timedelta(days=40)}")
    assert client.get(too_long, headers=tokens["ana"]).status_code == 422
