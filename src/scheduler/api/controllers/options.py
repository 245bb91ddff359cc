"""`/me/plans/{id}/options`: ranked options for the signed-in patient's plan."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.options.ranking import SessionOptions
from scheduler.usecases import UseCases
from scheduler.usecases import plans as plan_actions

Count = Annotated[int, QueryParameter(ge=1, le=20, description="How many options")]
Weeks = Annotated[int, QueryParameter(ge=1, le=4, description="How many weeks ahead")]


class OptionsController(Controller):
    """Ranked options for booking the signed-in patient's next session."""

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
        uc: NamedDependency[UseCases],
        k: Count = 5,
        weeks: Weeks = 2,
    ) -> SessionOptions:
        """The best `k` (therapist, time) options for the next session, each with its
        reason ("same therapist as last time, …, Tuesday 6 October 10:00")."""
        return await plan_actions.options(uc, principal_of(request), plan_id, k=k, weeks=weeks)
