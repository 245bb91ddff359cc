"""Sick calls: what one would displace (asked before it is confirmed), record it and
queue the re-plan of every displaced visit's cadence window, undo it.

Recording displaces at once: each visit still to come on the sick days leaves the
therapist's week and calendar feed and waits, on its plan, for a new time (the board and
the patient's page show it). The re-plan's proposal is applied like any other; what it
cannot place is postponed (`planning.apply`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import Scheduling, SessionView
from scheduler.domain.commands.sick_calls import Undone, sick_days
from scheduler.domain.timekeeping import local_date
from scheduler.planning.horizon import MAX_DAYS
from scheduler.planning.jobs import OptimizationRequest
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.dispatch import on_behalf, request_for, submit
from scheduler.usecases.errors import Forbidden
from scheduler.usecases.runner import UseCases, action
from scheduler.usecases.sessions import BOOKING
from scheduler.worker import JobState

CADENCE_REACH = 14
"""Days on either side of the sick days the re-plan may use at most (a plan's cadence
window is usually shorter: `max_days`)."""


@dataclass(frozen=True)
class Displacing:
    """A visit the sick call displaces (or would), with the names a dispatcher reads."""

    session: SessionView
    patient: str
    postponed: bool = False  # the re-plan found no time: options and the waitlist


@dataclass(frozen=True)
class SickCallPreview:
    """What recording the sick call would do: the therapist, the days, the visits."""

    therapist_id: UUID
    therapist_name: str
    days: list[date]
    timezone: str
    displaced: list[Displacing]


@dataclass(frozen=True)
class SickCall:
    """The sick call recorded, the visits it displaced, and the re-plan queued."""

    sick_call_id: UUID
    therapist_id: UUID
    therapist_name: str
    dates: list[date]
    timezone: str
    displaced: list[Displacing]
    job: JobState


@dataclass(frozen=True)
class Restored:
    """What undoing did, and the clinic's zone."""

    undone: Undone
    timezone: str


def _check_caller(who: Actor, therapist_id: UUID) -> None:
    access.check_role(who, "dispatcher", "therapist")
    if who.role == "therapist" and who.acts_for != therapist_id:
        raise Forbidden("a therapist reports only themself sick")


def _displacing(app: Scheduling, session_ids: list[UUID]) -> list[Displacing]:
    sessions = [app.get_session(s) for s in session_ids]
    return [Displacing(s, app.get_patient(s.patient_id).name) for s in sessions]


def _replan_range(
    app: Scheduling, days: list[date], displaced: list[Displacing], today: date
) -> tuple[date, date]:
    """Every day of each displaced visit's cadence window around the sick days (from
    today, at most MAX_DAYS long)."""
    reach = 1
    for entry in displaced:
        if entry.session.plan_id is not None:
            reach = max(reach, min(CADENCE_REACH, app.get_plan(entry.session.plan_id).max_days))
    first = max(today, days[0] - timedelta(days=reach))
    last = max(first, days[-1] + timedelta(days=reach))
    return first, min(last, first + timedelta(days=MAX_DAYS - 1))


@action()
async def preview_sick_call(
    uc: UseCases, who: Actor, therapist_id: UUID, *, dates: list[date]
) -> SickCallPreview:
    """What a sick call on `dates` would displace, for the caller to confirm; records
    nothing."""
    _check_caller(who, therapist_id)
    days = sick_days(dates)

    def run(app: Scheduling, now: datetime) -> SickCallPreview:
        therapist = access.therapist_for(app, who, therapist_id)
        clinic = app.get_clinic(therapist.clinic_id)
        request_for(  # the same range checks as recording: a bad range is refused here too
            app,
            who if who.front_desk else on_behalf(who, therapist.clinic_id),
            therapist.clinic_id,
            (days[0], days[-1]),
            now,
            purpose="replan",
            time_limit_s=1.0,
        )
        found = app.sick_call_displaces(therapist.id, days=days, now=now)
        return SickCallPreview(
            therapist.id, therapist.name, days, clinic.timezone, _displacing(app, found)
        )

    return await uc.read(run)


@action(limit=BOOKING)
async def report_sick(
    uc: UseCases,
    who: Actor,
    therapist_id: UUID,
    *,
    dates: list[date],
    reason: str = "",
    time_limit_s: float,
) -> SickCall:
    """Record the therapist off sick on `dates` (confirmed by the caller): the days are
    blocked and their visits displaced at once; then queue a re-plan of every displaced
    visit's cadence window. The range is checked before anything is recorded. The
    clinic's dispatchers report any of its therapists; a therapist reports themself (the
    re-plan is then asked for on the clinic's behalf, for its dispatchers to apply).
    """
    _check_caller(who, therapist_id)
    days = sick_days(dates)

    def run(app: Scheduling, now: datetime) -> tuple[OptimizationRequest, UUID, SickCallPreview]:
        therapist = access.therapist_for(app, who, therapist_id)
        clinic = app.get_clinic(therapist.clinic_id)
        asking = who if who.front_desk else on_behalf(who, therapist.clinic_id)
        days_range = (days[0], days[-1])
        request_for(app, asking, clinic.id, days_range, now, purpose="replan", time_limit_s=1.0)
        call_id = app.record_sick_call(
            therapist.id, days=days, actor=who.actor, reason=reason or "sick", now=now
        )
        displaced = _displacing(app, app.get_sick_call(call_id).displaced)
        span = _replan_range(app, days, displaced, local_date(now, ZoneInfo(clinic.timezone)))
        request = request_for(
            app, asking, clinic.id, span, now, purpose="replan", time_limit_s=time_limit_s
        )
        recorded = SickCallPreview(therapist.id, therapist.name, days, clinic.timezone, displaced)
        return request, call_id, recorded

    request, call_id, recorded = await uc.write(run)
    return SickCall(
        call_id,
        recorded.therapist_id,
        recorded.therapist_name,
        recorded.days,
        recorded.timezone,
        recorded.displaced,
        await submit(uc, request),
    )


@action(limit=BOOKING)
async def undo_sick_call(
    uc: UseCases, who: Actor, sick_call_id: UUID, *, reason: str = ""
) -> Restored:
    """Undo a sick call: its days are free again and each visit still waiting goes back
    where it was if that time is free (the others keep waiting). 409 once undone."""
    access.check_role(who, "dispatcher", "therapist")

    def run(app: Scheduling, now: datetime) -> Restored:
        call = app.get_sick_call(sick_call_id)
        _check_caller(who, call.therapist_id)
        therapist = access.therapist_for(app, who, call.therapist_id)
        undone = app.undo_sick_call(
            call.id, actor=who.actor, reason=reason or "sick call undone", now=now
        )
        return Restored(undone, app.get_clinic(therapist.clinic_id).timezone)

    return await uc.write(run)


@action()
async def waiting(uc: UseCases, who: Actor, clinic_id: UUID) -> list[Displacing]:
    """The clinic's sessions a sick call displaced that still wait for a new time."""

    def run(app: Scheduling, _: datetime) -> list[Displacing]:
        access.clinic_for(app, who, clinic_id)
        shown = []
        for plan in app.list_plans(clinic_id):
            for entry in _displacing(app, list(plan.displaced)):
                shown.append(replace(entry, postponed=entry.session.id in plan.postponed))
        return sorted(shown, key=lambda d: d.session.start)

    return await uc.read(run)
