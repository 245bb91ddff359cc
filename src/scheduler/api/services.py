"""The dispatcher's actions shared by the JSON API and the board's forms.

Each checks who may act, then runs the domain through the gateway; the callers differ
only in how they answer (JSON, or a redirect with a notice).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.api.access import check_clinic, session_for
from scheduler.api.auth import Principal
from scheduler.api.gateway import Gateway
from scheduler.domain.timekeeping import local_date
from scheduler.planning.apply import Outcome, apply_proposal
from scheduler.planning.horizon import check_range
from scheduler.planning.jobs import OptimizationRequest
from scheduler.planning.problem import Purpose


async def optimization_request(
    gateway: Gateway,
    principal: Principal,
    clinic_id: UUID,
    days: tuple[date, date],
    *,
    purpose: Purpose,
    time_limit_s: float,
    keep_booked: bool = True,
) -> OptimizationRequest:
    """A checked request to solve the clinic's `days` (first, last) as `principal`.

    Raises InvalidInput for a range that is reversed, in the past or too long
    (nothing is queued).
    """
    clinic = await gateway.run(gateway.scheduling.get_clinic, clinic_id)
    now = gateway.now()
    first, last = days
    check_range(first, last, local_date(now, ZoneInfo(clinic.timezone)))
    return OptimizationRequest(
        clinic_id=str(clinic_id),
        first=first.isoformat(),
        last=last.isoformat(),
        now=now.isoformat(),
        time_limit_s=time_limit_s,
        purpose=purpose,
        keep_booked=keep_booked,
        actor=principal.actor,
    )


async def record_sick_days(
    gateway: Gateway, principal: Principal, therapist_id: UUID, days: list[date], reason: str
) -> None:
    """Block each of `days` (whole local days of the therapist's clinic) as sick time.

    Raises Forbidden for a therapist of another clinic (nothing is recorded).
    """
    app = gateway.scheduling
    therapist = await gateway.run(app.get_therapist, therapist_id)
    await check_clinic(gateway, principal, therapist.clinic_id)
    for day in days:
        await gateway.run(
            app.record_time_off,
            therapist_id,
            start=await gateway.run(app.local_time, therapist.clinic_id, day, 0),
            end=await gateway.run(app.local_time, therapist.clinic_id, day + timedelta(days=1), 0),
            kind="sick",
            actor=principal.actor,
            reason=reason,
            now=gateway.now(),
        )


async def apply_as(gateway: Gateway, principal: Principal, proposal_id: UUID) -> Outcome:
    """Apply the proposal under `principal`'s name (see `planning.apply`).

    Raises Forbidden for another clinic's proposal; ProposalAlreadyApplied the second time.
    """
    app = gateway.scheduling
    proposal = await gateway.run(app.get_proposal, proposal_id)
    await check_clinic(gateway, principal, proposal.clinic_id)
    return await gateway.run(
        apply_proposal, app, proposal_id, actor=principal.actor, now=gateway.now()
    )


async def set_pin(
    gateway: Gateway, principal: Principal, session_id: UUID, reason: str, *, pinned: bool
) -> bool:
    """Pin the visit (or release it); False when it already was so.

    Raises Forbidden for a visit of another clinic; SessionNotBooked for a closed one.
    """
    await session_for(gateway, principal, session_id)
    app = gateway.scheduling
    command = app.pin_session if pinned else app.unpin_session
    changed: bool = await gateway.run(
        command, session_id, actor=principal.actor, reason=reason, now=gateway.now()
    )
    return changed
