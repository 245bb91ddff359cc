"""A small clinic for the behaviour suite: people, records and helpers to book with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from scheduler.domain import Scheduling

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 10, 5)
CLINIC = (41.8837, -87.6289)
ANA_HOME = (41.91, -87.67)
PAT_HOME = (41.95, -87.70)
QUINN_HOME = (41.92, -87.65)
WEEKDAYS_9_TO_5 = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}
SAME_DAY = {"cadence": "several sessions of one plan on one day, to test the day's rules"}
"""A dispatcher's cadence override, for tests of a day's rules that book one plan often."""


@dataclass
class World:
    """Ids of the sample clinic's records and shortcuts for the tests."""

    app: Scheduling
    clinic: UUID
    ana: UUID  # mobile: ms, prenatal, lymphatic; Mon-Fri 09:00-17:00
    ben: UUID  # clinic-based: sports_injury, ms; Mon-Sat 08:00-16:00
    pat: UUID
    quinn: UUID
    pat_home_plan: UUID  # ms, home visits, 60 min, 10 sessions of a 10-session prescription
    pat_clinic_plan: UUID  # sports_injury at the clinic, 45 min, 3 sessions, 3 authorized
    quinn_home_plan: UUID  # ms, home visits, 60 min

    def local(self, day: date, clock: str) -> datetime:
        """UTC instant of local wall-clock `clock` ('10:30') on `day` at the clinic."""
        hours, minutes = (int(part) for part in clock.split(":"))
        return self.app.local_time(self.clinic, day, hours * 60 + minutes)

    def events(self) -> int:
        """How many events the store holds (the notification log's last id)."""
        return self.app.recorder.max_notification_id() or 0

    def book(
        self,
        plan: UUID,
        therapist: UUID,
        day: date,
        clock: str,
        *,
        overrides: dict[str, str] | None = None,
    ) -> UUID:
        """Book at local `clock` on `day`, as the front desk."""
        return self.app.book_session(
            plan_id=plan,
            therapist_id=therapist,
            start=self.local(day, clock),
            actor="desk",
            now=NOW,
            overrides=overrides,
        )


def build_world(app: Scheduling) -> World:
    """Register the sample clinic with two therapists, two patients and three plans."""
    clinic = app.register_clinic(
        name="Loop Medical Massage",
        address="1 N State St, Chicago",
        location=CLINIC,
        timezone="America/Chicago",
        actor="admin",
        now=NOW,
    )
    ana = app.register_therapist(
        clinic_id=clinic,
        name="Ana",
        specializations=["ms", "prenatal", "lymphatic"],
        mobile=True,
        home=ANA_HOME,
        shifts=WEEKDAYS_9_TO_5,
        max_visits_per_day=4,
        actor="admin",
        now=NOW,
    )
    ben = app.register_therapist(
        clinic_id=clinic,
        name="Ben",
        specializations=["sports_injury", "ms"],
        mobile=False,
        shifts={day: [480, 960] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
        actor="admin",
        now=NOW,
    )
    pat = app.register_patient(clinic_id=clinic, name="Pat", home=PAT_HOME, actor="desk", now=NOW)
    quinn = app.register_patient(
        clinic_id=clinic, name="Quinn", home=QUINN_HOME, actor="desk", now=NOW
    )
    for patient in (pat, quinn):
        app.record_evaluation(
            patient,
            condition="multiple sclerosis",
            pain_level=6,
            contraindications=[],
            notes="spasticity in calves",
            actor="dr-lee",
            now=NOW,
        )
    pat_ms = app.record_prescription(
        pat,
        condition="multiple sclerosis",
        authorized_sessions=10,
        expires_on=date(2026, 12, 31),
        actor="desk",
        now=NOW,
    )
    pat_knee = app.record_prescription(
        pat,
        condition="knee sprain",
        authorized_sessions=3,
        expires_on=date(2026, 10, 31),
        actor="desk",
        now=NOW,
    )
    quinn_ms = app.record_prescription(
        quinn,
        condition="multiple sclerosis",
        authorized_sessions=10,
        expires_on=date(2026, 12, 31),
        actor="desk",
        now=NOW,
    )
    plan = {"min_days": 2, "max_days": 9, "actor": "desk", "now": NOW}
    return World(
        app=app,
        clinic=clinic,
        ana=ana,
        ben=ben,
        pat=pat,
        quinn=quinn,
        pat_home_plan=app.create_plan(
            patient_id=pat,
            prescription_id=pat_ms,
            specialization="ms",
            sessions=10,
            session_minutes=60,
            setting="home",
            **plan,  # type: ignore[arg-type]
        ),
        pat_clinic_plan=app.create_plan(
            patient_id=pat,
            prescription_id=pat_knee,
            specialization="sports_injury",
            sessions=3,
            session_minutes=45,
            setting="clinic",
            **plan,  # type: ignore[arg-type]
        ),
        quinn_home_plan=app.create_plan(
            patient_id=quinn,
            prescription_id=quinn_ms,
            specialization="ms",
            sessions=10,
            session_minutes=60,
            setting="home",
            **plan,  # type: ignore[arg-type]
        ),
    )


def later(minutes: int) -> datetime:
    """NOW plus `minutes`: a later moment for commands and time travel."""
    return NOW + timedelta(minutes=minutes)
