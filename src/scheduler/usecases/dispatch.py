"""The dispatcher's optimizations and sick calls: queue a solve, preview its proposal,
apply it; record a therapist off sick and queue a re-plan.

The solver proposes, the calendar decides: a proposal is applied as ordinary booking
commands under the dispatcher's name, and whatever was booked meanwhile wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import Scheduling
from scheduler.domain.errors import InvalidInput
from scheduler.domain.timekeeping import local_date
from scheduler.planning.apply import Outcome, apply_proposal
from scheduler.planning.diff import Diff, diff
from scheduler.planning.horizon import check_range
from scheduler.planning.jobs import OptimizationRequest
from scheduler.planning.problem import Purpose
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden, Unavailable
from scheduler.usecases.runner import UseCases, action
from scheduler.usecases.sessions import BOOKING
from scheduler.worker import JobState, QueueUnavailable


@dataclass(frozen=True)
class Preview:
    """A proposal against the live calendar, the clinic's zone, and the names it mentions."""

    diff: Diff
    timezone: str
    names: dict[UUID, str]


@dataclass(frozen=True)
class Applied:
    """What applying did, and the clinic's zone."""

    outcome: Outcome
    timezone: str


@dataclass(frozen=True)
class Demand:
    """A plan with sessions left to book and none booked ahead, and why it is waiting."""

    plan_id: UUID
    patient: str
    condition: str
    reason: str


@dataclass(frozen=True)
class SickCall:
    """The sick days recorded and the re-plan queued for them."""

    therapist_id: UUID
    therapist_name: str
    dates: list[date]
    job: JobState


def _on_behalf(who: Actor, clinic_id: UUID) -> Actor:
    """The clinic's dispatching, asked for by `who` (named in the events as themself)."""
    return Actor(
        who.account_id,
        "dispatcher",
        who.acts_for,
        clinic_id,
        name=who.actor,
        token_id=who.token_id,
        expires_at=who.expires_at,
    )


def _request(
    app: Scheduling,
    who: Actor,
    clinic_id: UUID,
    days: tuple[date, date],
    now: datetime,
    *,
    purpose: Purpose,
    time_limit_s: float,
    keep_booked: bool = True,
) -> OptimizationRequest:
    """A checked request to solve the clinic's `days`; InvalidInput for a range that is
    reversed, in the past or too long (nothing is queued)."""
    clinic = access.clinic_for(app, who, clinic_id)
    check_range(days[0], days[1], local_date(now, ZoneInfo(clinic.timezone)))
    return OptimizationRequest(
        clinic_id=str(clinic.id),
        first=days[0].isoformat(),
        last=days[1].isoformat(),
        now=now.isoformat(),
        time_limit_s=time_limit_s,
        purpose=purpose,
        keep_booked=keep_booked,
        actor=who.actor,
    )


async def _submit(uc: UseCases, request: OptimizationRequest) -> JobState:
    try:
        job_id = await uc.jobs.submit(request)
        state: JobState | None = await uc.jobs.state(job_id)
    except QueueUnavailable as error:
        raise Unavailable(
            f"the optimization queue is unreachable ({error}); nothing was queued, try again",
            code="optimization_queue_unavailable",
        ) from error
    assert state is not None, "a job just queued is known"
    return state


@action(limit=BOOKING)
async def optimize(
    uc: UseCases,
    who: Actor,
    clinic_id: UUID,
    *,
    first: date,
    last: date,
    time_limit_s: float,
    keep_booked: bool = True,
) -> JobState:
    """Queue a solve of the clinic's `first`..`last`; nothing changes until it is applied."""
    access.check_role(who, "dispatcher")
    request = await uc.write(
        lambda app, now: _request(
            app,
            who,
            clinic_id,
            (first, last),
            now,
            purpose="optimize",
            time_limit_s=time_limit_s,
            keep_booked=keep_booked,
        )
    )
    return await _submit(uc, request)


@action()
async def job(uc: UseCases, who: Actor, job_id: str) -> JobState | None:
    """Where the job stands (None: no such job of the caller's clinic)."""
    access.check_role(who, "dispatcher")
    try:
        state: JobState | None = await uc.jobs.state(job_id)
    except QueueUnavailable as error:
        raise Unavailable(
            f"the optimization queue is unreachable ({error}); try again shortly",
            code="optimization_queue_unavailable",
        ) from error
    if state is None:
        return None
    access.clinic_for_staff(who, UUID(state.clinic_id), "optimization")
    return state


@action()
async def preview(uc: UseCases, who: Actor, proposal_id: UUID) -> Preview:
    """The proposal against today's calendar: moved, added, unchanged, stale, km saved."""
    access.check_role(who, "dispatcher")

    def run(app: Scheduling, _: datetime) -> Preview:
        proposal = access.proposal_for(app, who, proposal_id)
        clinic = app.get_clinic(proposal.clinic_id)
        found = diff(app, proposal)
        names: dict[UUID, str] = {t.id: t.name for t in app.list_therapists(clinic.id)}
        items = [*found.moved, *found.added, *found.unchanged, *found.stale]
        for patient_id in {item.patient_id for item in items}:
            names[patient_id] = app.get_patient(patient_id).name
        return Preview(found, clinic.timezone, names)

    return await uc.read(run)


@action()
async def apply(uc: UseCases, who: Actor, proposal_id: UUID) -> Applied:
    """Apply the proposal as booking commands under the caller's name; what was booked
    meanwhile wins and comes back as a conflict. Once per proposal."""
    access.check_role(who, "dispatcher")

    def run(app: Scheduling, now: datetime) -> Applied:
        proposal = access.proposal_for(app, who, proposal_id)
        outcome = apply_proposal(app, proposal_id, actor=who.actor, now=now)
        return Applied(outcome, app.get_clinic(proposal.clinic_id).timezone)

    return await uc.write(run)


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
    """Block whole local days as sick time, then queue a minimal-disruption re-plan of
    them. The range is checked before anything is recorded: a bad one changes nothing.
    The clinic's dispatchers report any of its therapists; a therapist reports themself
    (the re-plan is then asked for on the clinic's behalf, for its dispatchers to apply).
    """
    access.check_role(who, "dispatcher", "therapist")
    if who.role == "therapist" and who.acts_for != therapist_id:
        raise Forbidden("a therapist reports only themself sick")
    days = sorted(set(dates))
    if not days:
        raise InvalidInput("name at least one day the therapist is off sick")

    def run(app: Scheduling, now: datetime) -> tuple[OptimizationRequest, str]:
        therapist = access.therapist_for(app, who, therapist_id)
        asking = who if who.front_desk else _on_behalf(who, therapist.clinic_id)
        request = _request(
            app,
            asking,
            therapist.clinic_id,
            (days[0], days[-1]),
            now,
            purpose="replan",
            time_limit_s=time_limit_s,
        )
        for day in days:
            app.record_time_off(
                therapist.id,
                start=app.local_time(therapist.clinic_id, day, 0),
                end=app.local_time(therapist.clinic_id, day + timedelta(days=1), 0),
                kind="sick",
                actor=who.actor,
                reason=reason or "sick",
                now=now,
            )
        return request, therapist.name

    request, name = await uc.write(run)
    return SickCall(therapist_id, name, days, await _submit(uc, request))


@action()
async def demand(uc: UseCases, who: Actor, clinic_id: UUID) -> list[Demand]:
    """Active plans of the clinic with sessions left to book but nothing booked ahead."""

    def run(app: Scheduling, now: datetime) -> list[Demand]:
        access.clinic_for(app, who, clinic_id)
        found = []
        for plan in app.list_plans(clinic_id):
            left = plan.sessions_left
            if plan.status != "active" or left <= 0:
                continue
            sessions = [app.get_session(session_id) for session_id in plan.session_ids]
            if any(s.status == "booked" and s.start > now for s in sessions):
                continue
            place = "home visit" if plan.setting == "home" else "at the clinic"
            held = "no session held yet" if not plan.sessions_held else f"{plan.sessions_held} held"
            reason = (
                f"nothing booked ahead; {left} of {plan.sessions} sessions left ({held}); "
                f"every {plan.min_days}-{plan.max_days} days; needs {plan.specialization}, {place}"
            )
            patient = app.get_patient(plan.patient_id)
            found.append(Demand(plan.id, patient.name, plan.condition, reason))
        return found

    return await uc.read(run)
