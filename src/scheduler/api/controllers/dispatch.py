"""The dispatcher's optimizations: queue a solve, preview its proposal, apply it; sick calls.

The solver proposes, the calendar decides (`scheduler.usecases.dispatch`). Dispatchers
only, in their own clinic (others: 403). Pins are on `/sessions/{id}/pin`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import Missing, responses
from scheduler.api.schemas.dispatch import (
    Applied,
    ApplyProposal,
    OptimizationJob,
    OptimizeDays,
    Preview,
)
from scheduler.usecases import UseCases
from scheduler.usecases import dispatch as actions

READS = responses(401, 403, 404, 503)
WRITES = responses(400, 401, 403, 404, 409, 422, 429, 503)


class DispatchController(Controller):
    """Optimizations, proposals and sick calls."""

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
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[OptimizeDays],
        uc: NamedDependency[UseCases],
    ) -> OptimizationJob:
        """Solve `from`..`to` in the background; poll the job, then preview its proposal.

        Nothing in the calendar changes until the proposal is applied.
        """
        state = await actions.optimize(
            uc,
            principal_of(request),
            clinic_id,
            first=data.first,
            last=data.last,
            time_limit_s=data.time_limit_s,
            keep_booked=data.keep_booked,
        )
        return OptimizationJob.of(state)

    @get(
        "/optimizations/{job_id:str}",
        operation_id="getOptimization",
        summary="Where an optimization job stands",
        responses=READS,
    )
    async def job(
        self, request: Request[Any, Any, Any], job_id: FromPath[str], uc: NamedDependency[UseCases]
    ) -> OptimizationJob:
        """Status, progress (0..1) and, once complete, the id of its proposal."""
        state = await actions.job(uc, principal_of(request), job_id)
        if state is None:
            raise Missing(f"no optimization job {job_id!r}: queue one with POST .../optimizations")
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
        uc: NamedDependency[UseCases],
    ) -> Preview:
        """Visits it would move, add or keep; items made stale by later bookings; booked
        visits it found no place for; route km now and after applying.
        """
        found = await actions.preview(uc, principal_of(request), proposal_id)
        return Preview.of(found.diff, found.timezone)

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
        uc: NamedDependency[UseCases],
        data: JSONBody[ApplyProposal | None] = None,
    ) -> Applied:
        """Book and move its visits one by one under your name; what was booked meanwhile
        wins and comes back in `conflicts`. With `{"only": [keys]}`, only those items
        (the preview's `key`s; the rest come back `skipped`). A re-plan's displaced
        visits left without a time are `postponed`: they wait on their plans, first on
        the waitlist, their patients see options. A proposal can be applied once (409
        after); an unknown key is 422 and applies nothing.
        """
        only = data.only if data is not None else None
        done = await actions.apply(uc, principal_of(request), proposal_id, only=only)
        return Applied.of(done.outcome, done.timezone)
