"""What the patient sees first: plans (done, left, next) and sessions; the times to book
are a page of their own (`plans.options`).

One query action, read in one store thread, for the patient's page (and any client).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from scheduler.domain import PlanView, Scheduling, SessionView
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action


@dataclass
class PlanProgress:
    """One plan as the patient follows it: done, left, next."""

    plan: PlanView
    done: int
    missed: int
    booked: int
    left_to_book: int
    next_session: SessionView | None
    waiting: bool = False
    flagged: list[SessionView] = field(default_factory=list)
    needs_time: list[SessionView] = field(default_factory=list)  # displaced by a sick call


@dataclass
class PatientHome:
    """Everything on the patient's page."""

    name: str
    timezone: str
    late_cancel_hours: int
    plans: list[PlanProgress]
    upcoming: list[SessionView]
    therapist_names: dict[UUID, str]


def _progress(
    app: Scheduling, plan: PlanView, sessions: list[SessionView], now: datetime
) -> PlanProgress:
    mine = [s for s in sessions if s.plan_id == plan.id]
    upcoming = sorted(
        (s for s in mine if s.status == "booked" and s.end > now), key=lambda s: s.start
    )
    return PlanProgress(
        plan=plan,
        done=sum(s.status == "completed" for s in mine),
        missed=sum(s.status == "no_show" for s in mine),
        booked=len(upcoming),
        left_to_book=plan.sessions_left,
        next_session=upcoming[0] if upcoming else None,
        flagged=[s for s in upcoming if s.flags],
        needs_time=[s for s in mine if s.status == "displaced"],
    )


def home_of(app: Scheduling, patient_id: UUID, now: datetime) -> PatientHome:
    """The patient's plans with their progress, and upcoming sessions."""
    patient = app.get_patient(patient_id)
    clinic = app.get_clinic(patient.clinic_id)
    sessions = app.patient_sessions(patient_id)
    waiting = {
        entry.plan_id
        for entry in app.waitlist_entries(clinic.id, patient_id=patient_id)
        if entry.status in ("waiting", "offered")
    }
    plans = []
    for plan_id in patient.plans:
        progress = _progress(app, app.get_plan(plan_id), sessions, now)
        progress.waiting = plan_id in waiting
        plans.append(progress)
    upcoming = sorted(
        (s for s in sessions if s.status == "booked" and s.end > now), key=lambda s: s.start
    )
    names = {t.id: t.name for t in app.list_therapists(clinic.id)}
    return PatientHome(
        name=patient.name,
        timezone=clinic.timezone,
        late_cancel_hours=clinic.late_cancel_hours,
        plans=plans,
        upcoming=upcoming,
        therapist_names=names,
    )


@action()
async def patient_home(uc: UseCases, who: Actor) -> PatientHome:
    """The signed-in patient's home: plans with their progress, upcoming sessions."""
    access.check_role(who, "patient")
    assert who.acts_for is not None, "a patient account acts for a patient"
    patient_id = who.acts_for
    return await uc.read(lambda app, now: home_of(app, patient_id, now))


def is_late(session: SessionView, now: datetime, late_cancel_hours: int) -> bool:
    """Whether cancelling `session` at `now` counts as late under the clinic's rule."""
    return (session.start - now).total_seconds() < late_cancel_hours * 3600


def hours_until(session: SessionView, now: datetime) -> float:
    """Hours from `now` to the session's start."""
    return (session.start - now).total_seconds() / 3600
