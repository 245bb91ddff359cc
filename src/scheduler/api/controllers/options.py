"""Options: every bookable start for a plan's next session, or for moving a session.

The patient asks for their own plan (`/me/plans/{id}/options`), the front desk for any plan
of its clinic (`/plans/{id}/options`, with the km each adds to a route), and either for a
booked session's move (`/sessions/{id}/options`). All three call the same action.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.types import Dependencies

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.options.ranking import PAGE_SIZE, SessionOptions
from scheduler.usecases import UseCases
from scheduler.usecases import plans as plan_actions
from scheduler.usecases.plans import OptionQuery

Therapist = Annotated[UUID | None, QueryParameter(description="Only this therapist's times")]
PartOfDay = Annotated[
    Literal["morning", "afternoon", "evening"] | None,
    QueryParameter(description="Only starts before 12:00, 12:00-17:00, or from 17:00"),
]
FirstDay = Annotated[date | None, QueryParameter(description="Only from this clinic day on")]
LastDay = Annotated[date | None, QueryParameter(description="Only up to this clinic day")]
Page = Annotated[int, QueryParameter(ge=1, le=1000, description="Which page, from 1")]
Size = Annotated[int, QueryParameter(ge=1, le=100, description="Options per page")]
READS = responses(400, 401, 403, 404)


def _query(
    *,
    therapist_id: Therapist = None,
    part_of_day: PartOfDay = None,
    first_day: FirstDay = None,
    last_day: LastDay = None,
    page: Page = 1,
    size: Size = PAGE_SIZE,
) -> OptionQuery:
    """The filters and page of the query string (every route here takes them)."""
    return OptionQuery(therapist_id, part_of_day, first_day, last_day, page, size)


class OptionsController(Controller):
    """Ranked, filtered, paged options for booking or moving a session."""

    tags = ("options",)
    dependencies: Dependencies | None = {  # noqa: RUF012 - how Litestar declares them
        "narrowed": Provide(_query, sync_to_thread=False)
    }

    @get(
        "/me/plans/{plan_id:uuid}/options",
        operation_id="myPlanOptions",
        summary="Every bookable time for my plan's next session, ranked",
        guards=[allow("patient")],
        responses=READS,
    )
    async def mine(
        self,
        *,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        narrowed: NamedDependency[OptionQuery],
    ) -> SessionOptions:
        """Every start on the clinic's grid that the booking rules accept, over the days the
        plan's cadence allows (4 weeks ahead at most): your therapist first, then the
        days closest to the prescribed gap, then your usual times; each with its reasons
        ("your therapist Ana", "5 days after your last session, as prescribed")."""
        return await plan_actions.options(uc, principal_of(request), plan_id, narrowed)

    @get(
        "/plans/{plan_id:uuid}/options",
        operation_id="planOptions",
        summary="Every bookable time for a plan's next session (front desk)",
        guards=[allow("dispatcher", "admin")],
        responses=READS,
    )
    async def desk(
        self,
        *,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        narrowed: NamedDependency[OptionQuery],
    ) -> SessionOptions:
        """The options the patient sees, for the front desk booking on their behalf; each
        also says what it adds to the therapist's route (`added_km`)."""
        return await plan_actions.options(uc, principal_of(request), plan_id, narrowed)

    @get(
        "/sessions/{session_id:uuid}/options",
        operation_id="moveOptions",
        summary="Every time a booked session can move to, ranked",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=READS,
    )
    async def move(
        self,
        *,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        narrowed: NamedDependency[OptionQuery],
    ) -> SessionOptions:
        """Where the session can go: the same search as booking, within the days the
        plan's cadence allows between its neighbouring sessions (`window` explains)."""
        return await plan_actions.move_options(uc, principal_of(request), session_id, narrowed)
