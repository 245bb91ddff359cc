"""Choosing a time: the review before booking or moving, and the booked session's details.

The review shows what the patient is about to book (day, time, therapist, place, the
cancellation policy) and asks the command itself, without saving, whether the time is
still free (`check_booking` / `check_move`): someone may have taken it since the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import PlanView, Scheduling, SessionView
from scheduler.domain.errors import InvalidInput, SchedulingError
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action


@dataclass(frozen=True)
class Chosen:
    """A time as the patient reviews it, or a booked session as they keep it."""

    plan: PlanView
    therapist_id: UUID
    therapist_name: str
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    home_visit: bool
    place: str  # the street address the session takes place at
    clinic_name: str
    late_cancel_hours: int
    problem: str = ""  # why the time cannot be booked now ('' when it can)
    moving: SessionView | None = None
    session_id: UUID | None = None


def _chosen(
    app: Scheduling,
    plan: PlanView,
    therapist_id: UUID,
    start: datetime,
    *,
    problem: str = "",
    moving: SessionView | None = None,
    session_id: UUID | None = None,
) -> Chosen:
    clinic = app.get_clinic(plan.clinic_id)
    patient = app.get_patient(plan.patient_id)
    therapist = app.get_therapist(therapist_id)
    zone = ZoneInfo(clinic.timezone)
    home = plan.setting == "home"
    end = start + (moving.end - moving.start if moving else _minutes(plan))
    return Chosen(
        plan=plan,
        therapist_id=therapist.id,
        therapist_name=therapist.name,
        start=start,
        end=end,
        start_local=start.astimezone(zone),
        end_local=end.astimezone(zone),
        home_visit=home,
        place=(patient.address or "your home") if home else clinic.address,
        clinic_name=clinic.name,
        late_cancel_hours=clinic.late_cancel_hours,
        problem=problem,
        moving=moving,
        session_id=session_id,
    )


def _minutes(plan: PlanView) -> timedelta:
    return timedelta(minutes=plan.session_minutes)


@action()
async def review(
    uc: UseCases,
    who: Actor,
    plan_id: UUID,
    *,
    therapist_id: UUID,
    start: datetime,
    moving: UUID | None = None,
) -> Chosen:
    """The chosen time, and whether the booking (or the move of `moving`) holds now."""
    access.check_role(who, "patient", "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> Chosen:
        session = access.session_for(app, who, moving) if moving is not None else None
        plan = access.plan_for(
            app, who, session.plan_id if session and session.plan_id else plan_id
        )
        try:
            if session is not None:
                app.check_move(
                    session_id=session.id, therapist_id=therapist_id, start=start, now=now
                )
            else:
                app.check_booking(plan_id=plan.id, therapist_id=therapist_id, start=start, now=now)
            problem = ""
        except SchedulingError as error:
            problem = str(error)
        return _chosen(app, plan, therapist_id, start, problem=problem, moving=session)

    return await uc.read(run)


@action()
async def booked(uc: UseCases, who: Actor, session_id: UUID) -> Chosen:
    """A booked session of a plan, as its patient keeps it (confirmation, calendar file)."""
    access.check_role(who, "patient", "dispatcher", "admin")

    def run(app: Scheduling, _: datetime) -> Chosen:
        session = access.session_for(app, who, session_id)
        if session.plan_id is None:
            raise InvalidInput("an evaluation visit has its own confirmation")
        plan = access.plan_for(app, who, session.plan_id)
        return _chosen(
            app, plan, session.therapist_id, session.start, moving=session, session_id=session.id
        )

    return await uc.read(run)
