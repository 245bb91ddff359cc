"""The waitlist: join and leave it for a plan, see offers, take them up or turn them down.

The actions are `scheduler.usecases.waitlist`'s. Taking an offer up books through the
ordinary booking command: a slot taken meanwhile answers 409 `offer_lapsed`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.records import Session
from scheduler.api.schemas.waitlist import JoinWaitlist, Offer, Waitlist, WaitlistEntry
from scheduler.usecases import UseCases
from scheduler.usecases import waitlist as actions

WRITES = responses(400, 401, 403, 404, 409, 422, 429)


class WaitlistController(Controller):
    """Waiting for earlier time, and the offers it brings."""

    tags = ("waitlist",)

    @post(
        "/me/plans/{plan_id:uuid}/waitlist",
        operation_id="joinWaitlist",
        summary="Put my plan's next session on the waitlist",
        guards=[allow("patient")],
        responses=WRITES,
    )
    async def join(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        data: JSONBody[JoinWaitlist],
        uc: NamedDependency[UseCases],
    ) -> WaitlistEntry:
        """Wait for a slot starting in the window (with one therapist if named): 201, or
        409 `already_waiting`, or 422 for a window that is reversed, past or too long, or
        `contraindication_unresolved` while a booked session is flagged."""
        return await _join(uc, request, plan_id, data)

    @post(
        "/plans/{plan_id:uuid}/waitlist",
        operation_id="joinWaitlistForPatient",
        summary="Put a patient's plan on the waitlist (front desk)",
        guards=[allow("dispatcher", "admin")],
        responses=WRITES,
    )
    async def join_for_patient(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        data: JSONBody[JoinWaitlist],
        uc: NamedDependency[UseCases],
    ) -> WaitlistEntry:
        """The same, by the front desk on a patient's behalf (a plan of their clinic)."""
        return await _join(uc, request, plan_id, data)

    @delete(
        "/me/plans/{plan_id:uuid}/waitlist",
        operation_id="leaveWaitlist",
        summary="Take my plan off the waitlist",
        guards=[allow("patient")],
        responses=responses(401, 403, 404),
    )
    async def leave(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> None:
        """Leave the waitlist (204); an open offer is declined and goes to the next in line."""
        await actions.leave(uc, principal_of(request), plan_id)

    @delete(
        "/plans/{plan_id:uuid}/waitlist",
        operation_id="leaveWaitlistForPatient",
        summary="Take a patient's plan off the waitlist (front desk)",
        guards=[allow("dispatcher", "admin")],
        responses=responses(401, 403, 404),
    )
    async def leave_for_patient(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> None:
        """The same, by the front desk."""
        await actions.leave(uc, principal_of(request), plan_id)

    @get(
        "/me/offers",
        operation_id="myOffers",
        summary="Offers made to me from the waitlist",
        guards=[allow("patient")],
        responses=responses(401, 403),
    )
    async def mine(
        self, request: Request[Any, Any, Any], uc: NamedDependency[UseCases]
    ) -> list[Offer]:
        """My offers, newest first; open ones can be taken up until `expires_at`."""
        views, timezone = await actions.offers(uc, principal_of(request))
        return [Offer.of(view, timezone) for view in views]

    @post(
        "/offers/{offer_id:uuid}/accept",
        operation_id="acceptOffer",
        summary="Take up an offer: book its slot",
        guards=[allow("patient", "dispatcher")],
        status_code=200,
        responses=WRITES,
    )
    async def accept(
        self,
        request: Request[Any, Any, Any],
        offer_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> Session:
        """Book the offered slot (the ordinary booking rules apply): the new session, or
        409 `offer_lapsed` when the slot was taken meanwhile (nothing is booked), or 422
        `offer_closed` / `offer_expired`. Taking an offer up again (a retry, a double
        click) answers the same session. Rate limited like booking (429)."""
        return Session.of(await actions.accept(uc, principal_of(request), offer_id))

    @delete(
        "/offers/{offer_id:uuid}",
        operation_id="declineOffer",
        summary="Turn an offer down",
        guards=[allow("patient", "dispatcher")],
        responses=responses(401, 403, 404, 422),
    )
    async def decline(
        self,
        request: Request[Any, Any, Any],
        offer_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> None:
        """Decline (204): the plan keeps waiting and the slot goes to the next in line."""
        await actions.decline(uc, principal_of(request), offer_id)

    @get(
        "/clinics/{clinic_id:uuid}/waitlist",
        operation_id="clinicWaitlist",
        summary="The clinic's waitlist and offers",
        guards=[allow("dispatcher", "admin")],
        responses=responses(401, 403, 404),
    )
    async def clinic(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> Waitlist:
        """Every entry (first in line first) and offer (newest first) of the clinic."""
        found = await actions.of_clinic(uc, principal_of(request), clinic_id)
        return Waitlist(
            entries=[WaitlistEntry.of(e) for e in found.entries],
            offers=[Offer.of(o, found.timezone) for o in found.offers],
        )


async def _join(
    uc: UseCases, request: Request[Any, Any, Any], plan_id: UUID, data: JoinWaitlist
) -> WaitlistEntry:
    entry = await actions.join(
        uc,
        principal_of(request),
        plan_id,
        earliest=data.earliest,
        latest=data.latest,
        therapist_id=data.therapist_id,
        session_id=data.session_id,
    )
    return WaitlistEntry.of(entry)
