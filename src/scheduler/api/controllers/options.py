"""`/me/plans/{id}/options` and `/plans/{id}/options`: ranked options for a plan's next session.

How they are found and checked: `scheduler.api.session_options` (the patient's page shows
the same options).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from scheduler.api.access import plan_for
from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.gateway import Gateway
from scheduler.api.session_options import SessionOptions, rank_options

Count = Annotated[int, QueryParameter(ge=1, le=20, description="How many options")]
Weeks = Annotated[int, QueryParameter(ge=1, le=4, description="How many weeks ahead")]


class OptionsController(Controller):
    """Ranked options for booking a plan's next session."""

    tags = ("options",)

    @get(
        "/me/plans/{plan_id:uuid}/options",
        operation_id="myPlanOptions",
        summary="Ranked options for my plan's next session",
        guards=[allow("patient")],
        responses=responses(400, 401, 403, 404),
    )
    async def mine(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
        k: Count = 5,
        weeks: Weeks = 2,
    ) -> SessionOptions:
        """The best `k` (therapist, time) options for the next session, each with its
        reason ("same therapist as last time, …, Tuesday 6 October 10:00")."""
        return await self._options(request, plan_id, gateway, k, weeks)

    @get(
        "/plans/{plan_id:uuid}/options",
        operation_id="planOptions",
        summary="Ranked options for a plan's next session (front desk)",
        guards=[allow("dispatcher", "admin")],
        responses=responses(400, 401, 403, 404),
    )
    async def for_plan(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
        k: Count = 5,
        weeks: Weeks = 2,
    ) -> SessionOptions:
        """The same options, for a dispatcher booking on a patient's behalf."""
        return await self._options(request, plan_id, gateway, k, weeks)

    async def _options(
        self,
        request: Request[Any, Any, Any],
        plan_id: UUID,
        gateway: Gateway,
        k: int,
        weeks: int,
    ) -> SessionOptions:
        await plan_for(gateway, principal_of(request), plan_id)
        return await gateway.run(
            rank_options, gateway.scheduling, plan_id, now=gateway.now(), k=k, weeks=weeks
        )
