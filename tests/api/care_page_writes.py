"""The patients' and therapists' page forms, as cases of `test_write_positions`: each
one succeeds and answers `X-Position` like the JSON route beside it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scheduler.domain.rules.care import INTAKE_QUESTIONS

from .world import PASSWORD

PAT = {
    "name": "Pat Patel",
    "email": "pat@mail.example",
    "phone": "+1 773 555 0100",
    "address": "4 N Clark St, Chicago",
    "latitude": "41.95",
    "longitude": "-87.70",
}
INTAKE = {
    **{f"q-{key}": "no" for key in INTAKE_QUESTIONS},
    "pregnant": "no",
    "conditions": "MS since 2019",
    "medications": "",
    "recent_surgery": "",
}


def _sign_up(c: Any) -> Any:
    """A visitor, signed in as nobody, sends the sign-up form."""
    c.client.cookies.clear()
    c.client.get("/app/signup")
    return c.client.post(
        "/app/signup",
        data={
            "csrf_token": c.client.cookies["scheduler_csrf"],
            "clinic": str(c.world.clinic),
            **PAT,
            "name": "Sam Stone",
            "email": "sam@mail.example",
            "phone": "+1 773 555 0177",
            "password": PASSWORD,
            "repeat": PASSWORD,
            "availability": "Mon/Wed 9-12",
        },
        follow_redirects=False,
    )


def _evaluate(c: Any) -> Any:
    """Ana evaluates Pat once she has a session with her (as the JSON case)."""
    c.book(c.world.pat_plan, "mon 10:00")
    return c.form(
        "ana",
        f"/app/chart/{c.world.pat}/evaluations",
        **{"ev-condition": "multiple sclerosis", "ev-pain": "4", "ev-findings": "tone"},
    )


def _prescribe(c: Any) -> Any:
    """Ana writes Pat's referral once she has a session with her."""
    c.book(c.world.pat_plan, "mon 10:00")
    return c.form(
        "ana",
        f"/app/chart/{c.world.pat}/prescriptions",
        **{
            "rx-prescriber": "Dr. Rhee",
            "rx-npi": "1234567893",
            "rx-condition": "multiple sclerosis",
            "rx-icd10": "g35",
            "rx-sessions": "6",
            "rx-expires": "2026-12-31",
        },
    )


def _prescription(c: Any) -> str:
    """A new prescription of Pat's, with sessions left for a plan (JSON)."""
    prescribed = c.client.post(
        f"/patients/{c.world.pat}/prescriptions",
        json={
            "condition": "multiple sclerosis",
            "authorized_sessions": 4,
            "expires_on": "2026-12-31",
        },
        headers=c.tokens["dispatcher"],
    )
    assert prescribed.status_code == 201, prescribed.text
    return str(prescribed.json()["id"])


def _plan(c: Any) -> Any:
    return c.form(
        "dispatcher",
        f"/app/chart/{c.world.pat}/plans",
        **{
            "plan-prescription": _prescription(c),
            "plan-specialization": "ms",
            "plan-sessions": "4",
            "plan-minutes": "60",
            "plan-min-days": "5",
            "plan-max-days": "9",
            "plan-setting": "clinic",
            "plan-therapist": str(c.world.ben),
        },
    )


def _renew(c: Any) -> Any:
    patient = c.client.get(f"/patients/{c.world.pat}", headers=c.tokens["dispatcher"]).json()
    return c.form(
        "dispatcher",
        f"/app/chart/{c.world.pat}/renewals",
        **{
            "rn-prescription": str(patient["prescriptions"][0]["id"]),
            "rn-sessions": "12",
            "rn-expires": "2027-03-31",
            "rn-reason": "more visits approved",
        },
    )


CARE_PAGE_CASES: dict[tuple[str, str], Callable[[Any], Any]] = {
    # The therapist's own availability.
    ("POST", "/app/availability/shift-requests"): lambda c: c.form(
        "ana",
        "/app/availability/shift-requests",
        shifts="Mon 10-16",
        **{"shifts-reason": "school run"},
    ),
    ("POST", "/app/availability/time-off"): lambda c: c.form(
        "ana",
        "/app/availability/time-off",
        **{"off-first": "2026-10-12", "off-last": "2026-10-13", "off-reason": "wedding"},
    ),
    ("POST", "/app/availability/sick"): lambda c: c.form(
        "ana",
        "/app/availability/sick",
        **{"sick-first": "2026-10-06", "sick-last": "2026-10-06", "sick-reason": "flu"},
    ),
    # The chart's forms at the evaluation visit.
    ("POST", "/app/chart/{patient_id:uuid}/evaluations"): _evaluate,
    ("POST", "/app/chart/{patient_id:uuid}/prescriptions"): _prescribe,
    ("POST", "/app/chart/{patient_id:uuid}/plans"): _plan,
    ("POST", "/app/chart/{patient_id:uuid}/renewals"): _renew,
    ("POST", "/app/treatment/{plan_id:uuid}/changes"): lambda c: c.form(
        "dispatcher",
        f"/app/treatment/{c.world.pat_plan}/changes",
        change="cadence",
        **{"cadence-min": "5", "cadence-max": "10", "cadence-reason": "slower"},
    ),
    # The patient's own pages before treatment.
    ("POST", "/app/signup"): _sign_up,
    ("POST", "/app/patient/intake"): lambda c: c.form("pat", "/app/patient/intake", **INTAKE),
    ("POST", "/app/patient/evaluation"): lambda c: c.form(
        "pat",
        "/app/patient/evaluation",
        reason="multiple sclerosis",
        setting="clinic",
        option=f"{c.world.ben}@{c.world.local['mon 10:00'].isoformat()}",
    ),
    ("POST", "/app/patient/profile"): lambda c: c.form("pat", "/app/patient/profile", **PAT),
    ("POST", "/app/patient/profile/availability"): lambda c: c.form(
        "pat", "/app/patient/profile/availability", availability="Mon/Wed 9-12"
    ),
}
