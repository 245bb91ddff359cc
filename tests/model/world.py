"""The model's clinic: few therapists and patients, tight authorizations and cadences, so
random commands run into every rule quickly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from scheduler.domain import Scheduling

ZONE = "America/Chicago"


@dataclass
class ModelWorld:
    """Ids of the seeded records, by the names the machine uses."""

    clinic: UUID
    therapists: dict[str, UUID] = field(default_factory=dict)
    patients: dict[str, UUID] = field(default_factory=dict)
    plans: dict[str, UUID] = field(default_factory=dict)
    plan_patient: dict[str, str] = field(default_factory=dict)


def seed(app: Scheduling, now: datetime, expires_on: date) -> ModelWorld:
    """Three therapists, three patients with four plans (two share one prescription),
    and a new patient waiting for an evaluation."""
    who = {"actor": "seed", "now": now}
    world = ModelWorld(
        app.register_clinic(
            name="Model Clinic",
            address="1 N State St",
            location=(41.8837, -87.6289),
            timezone=ZONE,
            **who,
        )
    )
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    for name, skills, home, shifts, cap in (
        ("ana", ["ms", "lymphatic"], (41.91, -87.67), {day: [480, 1020] for day in weekdays}, 4),
        ("ben", ["ms", "sports_injury"], None, {day: [540, 1020] for day in (*weekdays, "sat")}, 6),
        (
            "cleo",
            ["lymphatic", "prenatal"],
            (41.95, -87.66),
            {day: [540, 900] for day in weekdays},
            3,
        ),
    ):
        world.therapists[name] = app.register_therapist(
            clinic_id=world.clinic,
            name=name.title(),
            specializations=skills,
            mobile=home is not None,
            home=home,
            shifts=shifts,
            max_visits_per_day=cap,
            **who,
        )
    homes = {"pat": (41.95, -87.70), "quinn": (41.92, -87.65), "rae": (41.90, -87.68)}
    for name, home in homes.items():
        world.patients[name] = app.register_patient(
            clinic_id=world.clinic, name=name.title(), home=home, **who
        )
        app.record_evaluation(
            world.patients[name], condition="chronic", pain_level=5, contraindications=[], **who
        )

    def plan(
        key: str,
        patient: str,
        rx: UUID,
        skill: str,
        setting: str,
        cadence: tuple[int, int],
        sessions: int,
        minutes: int,
    ) -> None:
        world.plans[key] = app.create_plan(
            patient_id=world.patients[patient],
            prescription_id=rx,
            specialization=skill,
            sessions=sessions,
            session_minutes=minutes,
            min_days=cadence[0],
            max_days=cadence[1],
            setting=setting,
            **who,
        )
        world.plan_patient[key] = patient

    pat_rx = app.record_prescription(
        world.patients["pat"],
        condition="multiple sclerosis",
        authorized_sessions=5,
        expires_on=expires_on,
        **who,
    )
    plan("pat-ms", "pat", pat_rx, "ms", "home", (2, 5), 5, 60)
    # Two plans under one prescription of three sessions: the authorization is shared.
    quinn_rx = app.record_prescription(
        world.patients["quinn"],
        condition="lymphedema after surgery",
        authorized_sessions=3,
        expires_on=expires_on,
        **who,
    )
    plan("quinn-arm", "quinn", quinn_rx, "lymphatic", "home", (1, 3), 3, 45)
    plan("quinn-leg", "quinn", quinn_rx, "lymphatic", "home", (1, 4), 2, 45)
    rae_rx = app.record_prescription(
        world.patients["rae"],
        condition="ankle sprain",
        authorized_sessions=4,
        expires_on=expires_on,
        **who,
    )
    plan("rae-ankle", "rae", rae_rx, "sports_injury", "clinic", (3, 7), 4, 45)
    # A new patient: no evaluation yet, so no plan; the machine books their evaluation.
    world.patients["sol"] = app.register_patient(
        clinic_id=world.clinic, name="Sol", home=(41.93, -87.64), **who
    )
    return world
