"""The dispatcher's optimizations: queue a solve, preview its proposal, apply it; pins, sick calls.

The solver proposes, the calendar decides: a proposal is applied as ordinary booking
commands under the dispatcher's name, and whatever was booked meanwhile wins (its items
come back as conflicts). Dispatchers only, in their own clinic (others: 403).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.access import check_clinic
from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import ApiError, Missing, responses
from scheduler.api.gateway import Gateway
from scheduler.api.ratelimit import RateLimiter
from scheduler.api.schemas.dispatch import (
    Applied,
    OptimizationJob,
    OptimizeDays,
    Pin,
    PinVisit,
    Preview,
    ReportSick,
    SickCall,
)
from scheduler.api.services import apply_as, optimization_request, record_sick_days, set_pin
from scheduler.planning.diff import diff
from scheduler.planning.jobs import OptimizationRequest
from scheduler.settings import Settings
from scheduler.worker import Optimizations, QueueUnavailable

READS = responses(401, 403, 404, 503)
WRITES = responses(400, 401, 403, 404, 409, 422, 429, 503)


class OptimizationQueueDown(ApiError):
    """Raised when the optimization queue (Redis) does not answer; nothing was queued."""

    status, code = 503, "optimization_queue_unavailable"


async def _state(optimizations: Optimizations, job_id: str) -> Any:
    try:
        return await optimizations.state(job_id)
    except QueueUnavailable as error:
        raise OptimizationQueueDown(
            f"the optimization queue is unreachable ({error}); try again shortly"
        ) from error


async def _limit(request: Request[Any, Any, Any], limiter: RateLimiter, settings: Settings) -> None:
    # A solve costs a core for its time limit: the booking rate bounds how often.
    await limiter.hit_booking(principal_of(request).account_id, settings)


class DispatchController(Controller):
    """Optimizations, proposals, pinned visits and sick calls."""

    tags = ("dispatch",)
    guards = (allow("dispatcher"),)

    @post(
        "/clinics/{clinic_id:uuid}/optimizations",
        operation_id="optimizeDays",
        summary="Queue an optimization of the clinic's days",
        status_code=202,
        responses=WRITES,
    )
    async def optimize(
        self,
        *,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[OptimizeDays],
        gateway: NamedDependency[Gateway],
        optimizations: NamedDependency[Optimizations],
        limiter: NamedDependency[RateLimiter],
        settings: NamedDependency[Settings],
    ) -> OptimizationJob:
        """Solve `from`..`to` in the background; poll the job, then preview its proposal.

        Nothing in the calendar changes until the proposal is applied.
        """
        principal = principal_of(request)
        await check_clinic(gateway, principal, clinic_id)
        await _limit(request, limiter, settings)
        job_request = await optimization_request(
            gateway,
            principal,
            clinic_id,
            (data.first, data.last),
            purpose="optimize",
            time_limit_s=data.time_limit_s,
            keep_booked=data.keep_booked,
        )
        return await _submit(optimizations, job_request)

    @get(
        "/optimizations/{job_id:str}",
        operation_id="getOptimization",
        summary="Where an optimization job stands",
        responses=READS,
    )
    async def job(
        self,
        request: Request[Any, Any, Any],
        job_id: FromPath[str],
        gateway: NamedDependency[Gateway],
        optimizations: NamedDependency[Optimizations],
    ) -> OptimizationJob:
        """Status, progress (0..1) and, once complete, the id of its proposal."""
        state = await _state(optimizations, job_id)
        if state is None:
            raise Missing(f"no optimization job {job_id!r}: queue one with POST .../optimizations")
        await check_clinic(gateway, principal_of(request), UUID(state.clinic_id))
        return OptimizationJob.of(state)

    @get(
        "/proposals/{proposal_id:uuid}",
        operation_id="previewProposal",
        summary="A proposal against the live calendar",
        responses=READS,
    )
    async def preview(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Preview:
        """Visits it would move, add or keep; items made stale by later bookings; booked
        visits it found no place for; route km now and after applying.
        """
        app = gateway.scheduling
        proposal = await gateway.run(app.get_proposal, proposal_id)
        await check_clinic(gateway, principal_of(request), proposal.clinic_id)
        clinic = await gateway.run(app.get_clinic, proposal.clinic_id)
        return Preview.of(await gateway.run(diff, app, proposal), clinic.timezone)

    @post(
        "/proposals/{proposal_id:uuid}/apply",
        operation_id="applyProposal",
        summary="Apply a proposal as booking commands",
        status_code=200,
        responses=WRITES,
    )
    async def apply(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Applied:
        """Book and move its visits one by one under your name; what was booked meanwhile
        wins and comes back in `conflicts`. A proposal can be applied once (409 after).
        """
        outcome = await apply_as(gateway, principal_of(request), proposal_id)
        app = gateway.scheduling
        proposal = await gateway.run(app.get_proposal, proposal_id)
        clinic = await gateway.run(app.get_clinic, proposal.clinic_id)
        return Applied.of(outcome, clinic.timezone)

    @post(
        "/sessions/{session_id:uuid}/pin",
        operation_id="pinSession",
        summary="Pin a visit: no optimization moves it",
        status_code=200,
        responses=WRITES,
    )
    async def pin(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[PinVisit],
        gateway: NamedDependency[Gateway],
    ) -> Pin:
        """Keep the booked visit exactly where it is in every later optimization."""
        return await _set_pin(request, gateway, session_id, data.reason, pinned=True)

    @delete(
        "/sessions/{session_id:uuid}/pin",
        operation_id="unpinSession",
        summary="Release a pinned visit",
        status_code=200,
        responses=WRITES,
    )
    async def unpin(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Pin:
        """Let later optimizations move the visit again."""
        return await _set_pin(request, gateway, session_id, "released", pinned=False)

    @post(
        "/therapists/{therapist_id:uuid}/sick",
        operation_id="reportSick",
        summary="Record a therapist off sick and queue a re-plan",
        status_code=202,
        responses=WRITES,
    )
    async def sick(
        self,
        *,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        data: JSONBody[ReportSick],
        gateway: NamedDependency[Gateway],
        optimizations: NamedDependency[Optimizations],
        limiter: NamedDependency[RateLimiter],
        settings: NamedDependency[Settings],
    ) -> SickCall:
        """Block whole local days as sick time, then queue a minimal-disruption re-plan
        of those days: its proposal moves only the visits the therapist can no longer
        make; every other visit stays where it is.
        """
        principal = principal_of(request)
        app = gateway.scheduling
        therapist = await gateway.run(app.get_therapist, therapist_id)
        await check_clinic(gateway, principal, therapist.clinic_id)
        await _limit(request, limiter, settings)
        days = sorted(set(data.dates))
        # The range is checked before anything is recorded: a bad one changes nothing.
        job_request = await optimization_request(
            gateway,
            principal,
            therapist.clinic_id,
            (days[0], days[-1]),
            purpose="replan",
            time_limit_s=data.time_limit_s,
        )
        await record_sick_days(gateway, principal, therapist_id, days, data.reason or "sick")
        job = await _submit(optimizations, job_request)
        return SickCall(therapist_id=therapist_id, dates=days, job=job)


async def _submit(
    optimizations: Optimizations, job_request: OptimizationRequest
) -> OptimizationJob:
    try:
        job_id = await optimizations.submit(job_request)
    except QueueUnavailable as error:
        raise OptimizationQueueDown(
            f"the optimization queue is unreachable ({error}); nothing was queued, try again"
        ) from error
    state = await _state(optimizations, job_id)
    assert state is not None
    return OptimizationJob.of(state)


async def _set_pin(
    request: Request[Any, Any, Any],
    gateway: Gateway,
    session_id: UUID,
    reason: str,
    *,
    pinned: bool,
) -> Pin:
    principal = principal_of(request)
    changed = await set_pin(gateway, principal, session_id, reason, pinned=pinned)
    return Pin(session_id=session_id, pinned=pinned, changed=changed)
