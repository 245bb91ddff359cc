"""The admin's and front desk's page forms, as cases of `test_write_positions`: each
one succeeds and answers `X-Position` like the JSON route beside it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .world import PASSWORD

POLICIES = {
    "late_cancel_hours": "24",
    "slot_minutes": "15",
    "offer_hours": "2",
    "reassessment_every": "6",
    "evaluation_minutes": "60",
    "travel_speed_kmh": "30",
}
CLINIC = {
    "name": "North Clinic",
    "address": "400 N Michigan Ave, Chicago",
    "location_latitude": "41.89",
    "location_longitude": "-87.62",
    **POLICIES,
}
ANA = {
    "name": "Ana Alvarez",
    "specializations": "ms",
    "mobile": "yes",
    "home_latitude": "41.91",
    "home_longitude": "-87.67",
    "max_visits_per_day": "7",
}


def _decide(c: Any) -> Any:
    asked = c.client.post(
        "/me/shift-requests", json={"shifts": {"mon": [600, 960]}}, headers=c.tokens["ana"]
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()["shift_requests"][0]["id"]
    return c.form(
        "dispatcher", f"/app/desk/therapists/{c.world.ana}/requests/{request}", decision="approve"
    )


def _account_of_new(c: Any, kind: str) -> Any:
    """Register a patient or therapist (JSON), then open their sign-in on the desk page."""
    body: dict[str, Any] = (
        {"name": "Rae Moss", "phone": "+1 312 555 0142"}
        if kind == "patients"
        else {"name": "Cy Moss", "specializations": ["ms"], "mobile": False}
    )
    made = c.client.post(
        f"/clinics/{c.world.clinic}/{kind}", json=body, headers=c.tokens["dispatcher"]
    )
    assert made.status_code == 201, made.text
    return c.form(
        "dispatcher",
        f"/app/desk/{kind}/{made.json()['id']}/account",
        account_email=f"{kind}-new@loop.example",
        account_password=PASSWORD,
    )


def _evaluation_of_new(c: Any) -> Any:
    """Register a patient (JSON), then book their evaluation on the desk page."""
    made = c.client.post(
        f"/clinics/{c.world.clinic}/patients",
        json={"name": "Rae Moss", "phone": "+1 312 555 0142"},
        headers=c.tokens["dispatcher"],
    )
    patient = made.json()["id"]
    options = c.client.get(
        f"/patients/{patient}/evaluation-options?reason=multiple%20sclerosis",
        headers=c.tokens["dispatcher"],
    ).json()
    first = options[0]
    return c.form(
        "dispatcher",
        f"/app/desk/patients/{patient}/evaluation",
        reason="multiple sclerosis",
        setting="clinic",
        option=f"{first['therapist_id']}@{first['start']}",
    )


STAFF_PAGE_CASES: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("POST", "/app/admin/clinics/new"): lambda c: c.form(
        "admin", "/app/admin/clinics/new", timezone="America/Chicago", **CLINIC
    ),
    ("POST", "/app/admin/clinics/{clinic_id:uuid}"): lambda c: c.form(
        "admin", f"/app/admin/clinics/{c.world.clinic}", **CLINIC
    ),
    ("POST", "/app/admin/clinics/{clinic_id:uuid}/accounts"): lambda c: c.form(
        "admin",
        f"/app/admin/clinics/{c.world.clinic}/accounts",
        role="dispatcher",
        email="second-desk@loop.example",
        password=PASSWORD,
    ),
    ("POST", "/app/desk/clinics/{clinic_id:uuid}/therapists/new"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/clinics/{c.world.clinic}/therapists/new",
        **{**ANA, "name": "Cy Moss", "mobile": "no", "home_latitude": "", "home_longitude": ""},
        mon_start="09:00",
        mon_end="17:00",
    ),
    ("POST", "/app/desk/therapists/{therapist_id:uuid}/profile"): lambda c: c.form(
        "dispatcher", f"/app/desk/therapists/{c.world.ana}/profile", **ANA
    ),
    ("POST", "/app/desk/therapists/{therapist_id:uuid}/shifts"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/therapists/{c.world.ana}/shifts",
        tue_start="08:00",
        tue_end="16:00",
    ),
    ("POST", "/app/desk/therapists/{therapist_id:uuid}/time-off"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/therapists/{c.world.ana}/time-off",
        first="2026-10-07",
        last="2026-10-08",
    ),
    ("POST", "/app/desk/therapists/{therapist_id:uuid}/active"): lambda c: c.form(
        "dispatcher", f"/app/desk/therapists/{c.world.ben}/active", active="no"
    ),
    ("POST", "/app/desk/therapists/{therapist_id:uuid}/requests/{request_id:uuid}"): _decide,
    ("POST", "/app/desk/clinics/{clinic_id:uuid}/patients/new"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/clinics/{c.world.clinic}/patients/new",
        name="Rae Moss",
        phone="+1 312 555 0142",
        address="1400 N Lake Shore Dr, Chicago",
    ),
    ("POST", "/app/desk/plans/{plan_id:uuid}/book"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/plans/{c.world.pat_plan}/book",
        option=f"{c.world.ana}@{c.world.local['mon 10:00'].isoformat()}",
    ),
    ("POST", "/app/desk/sessions/{session_id:uuid}/move"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/move",
        day="2026-10-05",
        time="14:00",
    ),
    ("POST", "/app/desk/patients/{patient_id:uuid}/account"): lambda c: _account_of_new(
        c, "patients"
    ),
    ("POST", "/app/desk/therapists/{therapist_id:uuid}/account"): lambda c: _account_of_new(
        c, "therapists"
    ),
    ("POST", "/app/desk/patients/{patient_id:uuid}/evaluation"): _evaluation_of_new,
    ("POST", "/app/desk/patients/{patient_id:uuid}/details"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/patients/{c.world.quinn}/details",
        name="Quinn Quist",
        phone="+1 312 555 0177",
        address="233 S Wacker Dr, Chicago",
        home_latitude="41.8789",
        home_longitude="-87.6359",
        availability="Mon/Wed 9-12, Thu after 15:00",
    ),
    ("POST", "/app/desk/sessions/{session_id:uuid}/cancel"): lambda c: c.form(
        "dispatcher", f"/app/desk/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/cancel"
    ),
}
