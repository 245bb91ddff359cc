"""The dispatcher's optimizations: queue a solve, preview its proposal, apply it (sick
calls, which queue a re-plan, are in `sick_calls`).

The solver proposes, the calendar decides: a proposal is applied as ordinary booking
commands under the dispatcher's name, and whatever was booked meanwhile wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import Scheduling
from scheduler.domain.timekeeping import local_date
from scheduler.planning.apply import Outcome, apply_proposal
from scheduler.planning.diff import Diff, diff
from scheduler.planning.horizon import check_range
from scheduler.planning.jobs import OptimizationRequest
from scheduler.planning.problem import Purpose
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Unavailable
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


def on_behalf(who: Actor, clinic_id: UUID) -> Actor:
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


def request_for(
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


async def submit(uc: UseCases, request: OptimizationRequest) -> JobState:
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
        lambda app, now: request_for(
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
    return await submit(uc, request)


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
        for unplaced in proposal.unplaced:  # by session: an unplaced item names no patient
            patient_id = app.get_session(unplaced.session_id).patient_id
            names[unplaced.session_id] = app.get_patient(patient_id).name
        return Preview(found, clinic.timezone, names)

    return await uc.read(run)


@action()
async def apply(
    uc: UseCases, who: Actor, proposal_id: UUID, *, only: list[str] | None = None
) -> Applied:
    """Apply the proposal (or only the items whose keys are in `only`) as booking
    commands under the caller's name; what was booked meanwhile wins and comes back as a
    conflict; displaced sessions left without a time are postponed. Once per proposal."""
    access.check_role(who, "dispatcher")

    def run(app: Scheduling, now: datetime) -> Applied:
        proposal = access.proposal_for(app, who, proposal_id)
        outcome = apply_proposal(
            app, proposal_id, actor=who.actor, now=now, only=set(only) if only is not None else None
        )
        return Applied(outcome, app.get_clinic(proposal.clinic_id).timezone)

    return await uc.write(run)


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
