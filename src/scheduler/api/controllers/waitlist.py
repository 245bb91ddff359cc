"""The waitlist: join and leave it for a plan, see offers, take them up or turn them down.

Offers are made by the offer policy from cancelled and moved sessions (see
`scheduler.domain.commands.offers`); the routes that show offers run it first, so an offer
is visible as soon as the time is freed. Taking an offer up books through the ordinary
booking command: a slot taken meanwhile answers 409 `offer_lapsed` and books nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.access import check_clinic, plan_for
from scheduler.api.auth import Principal, allow, principal_of
from scheduler.api.errors import Forbidden, Missing, responses
from scheduler.api.gateway import Gateway
from scheduler.api.ratelimit import RateLimiter
from scheduler.api.schemas.records import Session
from scheduler.api.schemas.waitlist import JoinWaitlist, Offer, Waitlist, WaitlistEntry
from scheduler.domain.queries.waitlist import OfferView
from scheduler.settings import Settings

WRITES = responses(400, 401, 403, 404, 409, 422, 429)


async def _offers(gateway: Gateway, principal: Principal) -> tuple[list[OfferView], str]:
    """The caller's offers (a patient's own, a dispatcher's clinic's), after a policy run."""
    app = gateway.scheduling
    clinic_id = principal.clinic_id
    if clinic_id is None:
        raise Forbidden("offers belong to a clinic: sign in as its patient or dispatcher")
    patient_id = principal.acts_for if principal.role == "patient" else None

    def load() -> tuple[list[OfferView], str]:
        app.offer_freed_time(now=gateway.now())
        views = app.waitlist_offers(clinic_id, patient_id=patient_id, now=gateway.now())
        return views, app.get_clinic(clinic_id).timezone

    return await gateway.run(load)


async def _offer(gateway: Gateway, principal: Principal, offer_id: UUID) -> OfferView:
    """One of the caller's offers; 404 when it is unknown or not theirs to see."""
    views, _ = await _offers(gateway, principal)
    found = next((view for view in views if view.id == offer_id), None)
    if found is None:
        raise Missing(f"no offer {offer_id} for you: see GET /me/offers")
    return found


async def _join(
    gateway: Gateway, principal: Principal, plan_id: UUID, data: JoinWaitlist
) -> WaitlistEntry:
    """Put the plan on the waitlist if the caller may see it; the new entry."""
    plan = await plan_for(gateway, principal, plan_id)
    app = gateway.scheduling

    def join() -> WaitlistEntry:
        entry_id = app.join_waitlist(
            plan_id,
            earliest=data.earliest,
            latest=data.latest,
            therapist_id=data.therapist_id,
            session_id=data.session_id,
            actor=principal.actor,
            now=gateway.now(),
        )
        entries = app.waitlist_entries(plan.clinic_id, patient_id=plan.patient_id)
        return WaitlistEntry.of(next(entry for entry in entries if entry.id == entry_id))

    return await gateway.run(join)


async def _leave(gateway: Gateway, principal: Principal, plan_id: UUID) -> None:
    """Take the plan off the waitlist if the caller may see it."""
    await plan_for(gateway, principal, plan_id)
    app = gateway.scheduling
    await gateway.run(
        app.leave_waitlist, plan_id, actor=principal.actor, reason="left", now=gateway.now()
    )


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
        gateway: NamedDependency[Gateway],
    ) -> WaitlistEntry:
        """Wait for a slot starting in the window (with one therapist if named): 201, or
        409 `already_waiting`, or 422 for a window that is reversed, past or too long."""
        return await _join(gateway, principal_of(request), plan_id, data)

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
        gateway: NamedDependency[Gateway],
    ) -> WaitlistEntry:
        """The same, by the front desk on a patient's behalf (a plan of their clinic)."""
        return await _join(gateway, principal_of(request), plan_id, data)

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
        gateway: NamedDependency[Gateway],
    ) -> None:
        """Leave the waitlist (204); an open offer is declined and goes to the next in line."""
        await _leave(gateway, principal_of(request), plan_id)

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
        gateway: NamedDependency[Gateway],
    ) -> None:
        """The same, by the front desk."""
        await _leave(gateway, principal_of(request), plan_id)

    @get(
        "/me/offers",
        operation_id="myOffers",
        summary="Offers made to me from the waitlist",
        guards=[allow("patient")],
        responses=responses(401, 403),
    )
    async def mine(
        self, request: Request[Any, Any, Any], gateway: NamedDependency[Gateway]
    ) -> list[Offer]:
        """My offers, newest first; open ones can be taken up until `expires_at`."""
        views, timezone = await _offers(gateway, principal_of(request))
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
        *,
        request: Request[Any, Any, Any],
        offer_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
        limiter: NamedDependency[RateLimiter],
        settings: NamedDependency[Settings],
    ) -> Session:
        """Book the offered slot (the ordinary booking rules apply): the new session, or
        409 `offer_lapsed` when the slot was taken meanwhile (nothing is booked), or 422
        `offer_closed` / `offer_expired`. Taking an offer up again (a retry, a double
        click) answers the same session. Rate limited like booking (429)."""
        principal = principal_of(request)
        await limiter.hit_booking(principal.account_id, settings)
        offer = await _offer(gateway, principal, offer_id)
        app = gateway.scheduling

        def accept() -> Session:
            session_id = app.accept_offer(
                offer.clinic_id, offer_id, actor=principal.actor, now=gateway.now()
            )
            return Session.of(app.get_session(session_id))

        return await gateway.run(accept)

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
        gateway: NamedDependency[Gateway],
    ) -> None:
        """Decline (204): the plan keeps waiting and the slot goes to the next in line."""
        principal = principal_of(request)
        offer = await _offer(gateway, principal, offer_id)
        app = gateway.scheduling
        await gateway.run(
            app.decline_offer,
            offer.clinic_id,
            offer_id,
            actor=principal.actor,
            reason="declined",
            now=gateway.now(),
        )

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
        gateway: NamedDependency[Gateway],
    ) -> Waitlist:
        """Every entry (longest waiting first) and offer (newest first) of the clinic."""
        await check_clinic(gateway, principal_of(request), clinic_id)
        app = gateway.scheduling

        def load() -> Waitlist:
            app.offer_freed_time(now=gateway.now())
            timezone = app.get_clinic(clinic_id).timezone
            return Waitlist(
                entries=[WaitlistEntry.of(e) for e in app.waitlist_entries(clinic_id)],
                offers=[
                    Offer.of(o, timezone) for o in app.waitlist_offers(clinic_id, now=gateway.now())
                ],
            )

        return await gateway.run(load)
