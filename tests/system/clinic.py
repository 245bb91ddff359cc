"""A clinic big enough to load: many clinic-based therapists and patients, one desk login.

Seeded straight through `Scheduling`/`Accounts` (as `tests/api/world.py` does) into the
cluster's PostgreSQL. Sessions are booked on a Monday a few weeks after today, because
the API processes stamp commands with the real clock and refuse sessions in the past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from api.world import PASSWORD, WEEKDAYS_9_TO_5
from scheduler.accounts import Accounts
from scheduler.domain import Scheduling
from scheduler.store import postgres_settings

from .load import DESK_EMAIL, Attempt

SLOT_MINUTES = 60
TIMEZONE = "America/Chicago"


@dataclass
class LoadClinic:
    """Ids of the seeded records and the slots worth fighting over."""

    clinic: UUID
    therapists: list[UUID]
    plans: list[UUID]
    day: date

    def starts(self, week: int) -> list[datetime]:
        """The hour slots 09:00 … 16:00 (local) of the Monday `week` weeks after `day`."""
        monday = self.day + timedelta(weeks=week)
        zone = ZoneInfo(TIMEZONE)
        return [
            datetime.combine(monday, time(hour), tzinfo=zone).astimezone(UTC)
            for hour in range(9, 17)
        ]

    def contest(self, week: int) -> list[Attempt]:
        """Every plan tries every therapist at its slot: 16 plans per 4 therapist-hours.

        Plan i wants slot i % 8, so each of the day's 32 therapist-hours is fought over by
        16 plans, and each plan races itself on four therapists at once (the patient can
        be in one place only): at most one winner per therapist-hour and per plan.
        """
        starts = self.starts(week)
        by_slot = sorted(enumerate(self.plans), key=lambda item: item[0] % len(starts))
        return [
            Attempt(plan, therapist, starts[index % len(starts)])
            for index, plan in by_slot
            for therapist in self.therapists
        ]


def booking_day(today: date | None = None) -> date:
    """A Monday at least three weeks ahead: in the future for the real clock."""
    today = today or datetime.now(UTC).date()
    ahead = today + timedelta(days=21)
    return ahead + timedelta(days=(7 - ahead.weekday()) % 7)


def seed_load_clinic(database_url: str, *, therapists: int, patients: int) -> LoadClinic:
    """Register the clinic, its therapists, patients with one plan each, and a desk login."""
    env = {**postgres_settings(database_url), "CREATE_TABLE": "n", "POSTGRES_POOL_SIZE": "2"}
    app, accounts = Scheduling(env), Accounts(env)
    now = datetime.now(UTC)
    who = {"actor": "seed", "now": now}  # every record's history says who made it, and when
    day = booking_day(now.date())
    try:
        clinic = app.register_clinic(
            name="Load Test Massage",
            address="1 N State St, Chicago",
            location=(41.8837, -87.6289),
            timezone=TIMEZONE,
            **who,
        )
        staff = [
            app.register_therapist(
                clinic_id=clinic,
                name=f"Therapist {n}",
                specializations=["ms"],
                mobile=False,
                shifts=WEEKDAYS_9_TO_5,
                **who,
            )
            for n in range(therapists)
        ]
        plans = [_patient_with_plan(app, clinic, n, day, now) for n in range(patients)]
        accounts.open_account(
            email=DESK_EMAIL,
            password=PASSWORD,
            role="dispatcher",
            acts_for=None,
            clinic_id=clinic,
            actor="seed",
            now=now,
        )
        return LoadClinic(clinic=clinic, therapists=staff, plans=plans, day=day)
    finally:
        app.close()
        accounts.close()


def _patient_with_plan(app: Scheduling, clinic: UUID, n: int, day: date, now: datetime) -> UUID:
    who = {"actor": "seed", "now": now}
    patient = app.register_patient(
        clinic_id=clinic, name=f"Patient {n}", home=(41.9, -87.65), **who
    )
    app.record_evaluation(
        patient,
        condition="multiple sclerosis",
        pain_level=5,
        contraindications=[],
        notes="",
        **who,
    )
    prescription = app.record_prescription(
        patient,
        condition="multiple sclerosis",
        authorized_sessions=20,
        expires_on=day + timedelta(days=90),
        **who,
    )
    plan: UUID = app.create_plan(
        patient_id=patient,
        prescription_id=prescription,
        specialization="ms",
        sessions=20,
        session_minutes=SLOT_MINUTES,
        # Load runs book week after week, not at a prescribed cadence.
        min_days=1,
        max_days=90,
        setting="clinic",
        **who,
    )
    return plan
