"""`/sick-calls/{id}`: undo a sick call; `/clinics/{id}/displaced`: the visits waiting for
a new time. Recording one is `POST /therapists/{id}/sick` (after `GET .../sick-preview`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.dispatch import DisplacedVisit, SickCallUndone, UndoSickCall
from scheduler.usecases import UseCases
from scheduler.usecases import sick_calls as actions


class SickCallsController(Controller):
    """Sick calls after they are recorded."""

    tags = ("dispatch",)

    @post(
        "/sick-calls/{sick_call_id:uuid}/undo",
        operation_id="undoSickCall",
        guards=[allow("therapist", "dispatcher")],
        summary="Undo a sick call",
        status_code=200,
        responses=responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def undo(
        self,
        request: Request[Any, Any, Any],
        sick_call_id: FromPath[UUID],
        data: JSONBody[UndoSickCall],
        uc: NamedDependency[UseCases],
    ) -> SickCallUndone:
        """The therapist is not off sick after all: the days are free again, and each
        visit still waiting for a new time goes back where it was if that time is still
        free (`restored`); the others keep waiting (`waiting`). Visits already given a
        new time stay there. 409 once undone. The therapist themself, or their clinic's
        dispatchers.
        """
        done = await actions.undo_sick_call(
            uc, principal_of(request), sick_call_id, reason=data.reason
        )
        undone = done.undone
        return SickCallUndone(undone.sick_call_id, undone.restored, undone.waiting)

    @get(
        "/clinics/{clinic_id:uuid}/displaced",
        operation_id="listDisplacedVisits",
        guards=[allow("dispatcher", "admin")],
        summary="Visits a sick call displaced that wait for a new time",
        responses=responses(401, 403, 404),
    )
    async def displaced(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[DisplacedVisit]:
        """Each displaced visit with its patient and old time; `postponed`: the re-plan
        found no time, the patient has options and first place on the waitlist."""
        found = await actions.waiting(uc, principal_of(request), clinic_id)
        return [DisplacedVisit.of(d, postponed=d.postponed) for d in found]
