"""A small clinic on a real store for the planner's tests: three therapists, four patients."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from scheduler.domain import Scheduling

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)  # a Thursday
MONDAY = date(2026, 10, 5)
WEEKDAYS = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}
CHECKER = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "check_plan.py"


def check(problem: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The shared, independent checker's report (imported by path, never copied)."""
    spec = importlib.util.spec_from_file_location("check_plan", CHECKER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report: dict[str, Any] = module.check(problem, result)
    return report


@dataclass
class Clinic:
    """Ids of the clinic's records, by first name."""

    app: Scheduling
    id: UUID
    therapists: dict[str, UUID] = field(default_factory=dict)
    plans: dict[str, UUID] = field(default_factory=dict)

    def at(self, day: date, clock: str) -> datetime:
        """UTC instant of local `clock` ('10:30') on `day`."""
        hours, minutes = (int(part) for part in clock.split(":"))
        return self.app.local_time(self.id, day, hours * 60 + minutes)

    def book(self, plan: str, therapist: str, day: date, clock: str) -> UUID:
        """Book the plan's next session, as the front desk."""
        return self.app.book_session(
            plan_id=self.plans[plan],
            therapist_id=self.therapists[therapist],
            start=self.at(day, clock),
            actor="desk",
            now=NOW,
        )


def build_clinic(app: Scheduling) -> Clinic:
    """Ana and Cleo (mobile, MS), Ben (at the clinic, sports injuries); four MS patients
    at home and one knee at the clinic."""
    who = {"actor": "admin", "now": NOW}
    clinic = Clinic(
        app,
        app.register_clinic(
            name="Loop",
            address="1 N State St",
            location=(41.8837, -87.6289),
            timezone="America/Chicago",
            **who,
        ),
    )
    for name, skills, home in (
        ("ana", ["ms"], (41.91, -87.67)),
        ("cleo", ["ms"], (41.93, -87.66)),
        ("ben", ["sports_injury"], None),
    ):
        clinic.therapists[name] = app.register_therapist(
            clinic_id=clinic.id,
            name=name.title(),
            specializations=skills,
            mobile=home is not None,
            home=home,
            shifts=WEEKDAYS,
            **who,
        )
    homes = {
        "pat": (41.95, -87.70),
        "quinn": (41.92, -87.65),
        "rae": (41.90, -87.68),
        "sol": (41.94, -87.64),
    }
    for name, home in homes.items():
        patient = app.register_patient(clinic_id=clinic.id, name=name.title(), home=home, **who)
        app.record_evaluation(patient, condition="ms", pain_level=5, contraindications=[], **who)
        rx = app.record_prescription(
            patient, condition="ms", authorized_sessions=8, expires_on=date(2026, 12, 31), **who
        )
        clinic.plans[name] = app.create_plan(
            patient_id=patient,
            prescription_id=rx,
            specialization="ms",
            sessions=8,
            session_minutes=60,
            min_days=2,
            max_days=7,
            setting="home",
            **who,
        )
        if name == "pat":
            knee = app.record_prescription(
                patient,
                condition="knee sprain",
                authorized_sessions=3,
                expires_on=date(2026, 12, 31),
                **who,
            )
            clinic.plans["pat-knee"] = app.create_plan(
                patient_id=patient,
                prescription_id=knee,
                specialization="sports_injury",
                sessions=3,
                session_minutes=45,
                min_days=2,
                max_days=7,
                setting="clinic",
                **who,
            )
    return clinic
