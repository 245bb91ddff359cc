"""`/plans/{id}`: one treatment plan, its sessions, booking and history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api import positions
from scheduler.api.access import check_therapist_of, may_see_session, plan_for
from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.gateway import Gateway
from scheduler.api.ratelimit import RateLimiter
from scheduler.api.schemas.records import BookSession, Event, Plan, Session
from scheduler.settings import Settings

ANYONE = allow("patient", "therapist", "dispatcher", "admin")
READS = responses(401, 403, 404)


class PlansController(Controller):
    """Treatment plans."""

    path = "/plans/{plan_id:uuid}"
    tags = ("plans",)
    guards = (ANYONE,)

    @get("/", operation_id="getPlan", summary="One treatment plan", responses=READS)
    async def get_plan(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Plan:
        """The plan, if it is the caller's, one they treat, or in their clinic."""
        return Plan.of(await plan_for(gateway, principal_of(request), plan_id))

    @get("/sessions", operation_id="planSessions", summary="Sessions of a plan", responses=READS)
    async def sessions(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> list[Session]:
        """The plan's sessions in start order (a therapist sees only their own)."""
        principal = principal_of(request)
        plan = await plan_for(gateway, principal, plan_id)
        app = gateway.scheduling

        def load() -> list[Session]:
            views = [app.get_session(session_id) for session_id in plan.session_ids]
            return [
                Session.of(view)
                for view in sorted(views, key=lambda view: view.start)
                if may_see_session(principal, view)
            ]

        return await gateway.run(load)

    @post(
        "/sessions",
        operation_id="bookSession",
        summary="Book a session of a plan",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def book(
        self,
        *,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        data: JSONBody[BookSession],
        gateway: NamedDependency[Gateway],
        limiter: NamedDependency[RateLimiter],
        settings: NamedDependency[Settings],
    ) -> Session:
        """Book with a therapist at a time: 201, or the rule it breaks (422), or 409 when
        other bookings kept changing the same day. Send an `Idempotency-Key` so a retry
        never books twice. Rate limited per account (429 with Retry-After).
        """
        principal = principal_of(request)
        await limiter.hit_booking(principal.account_id, settings)
        plan = await plan_for(gateway, principal, plan_id)
        await check_therapist_of(gateway, data.therapist_id, plan.clinic_id)
        app = gateway.scheduling
        session_id = await positions.command(
            gateway,
            app.book_session,
            plan_id=plan_id,
            therapist_id=data.therapist_id,
            start=data.start,
            actor=principal.actor,
            now=gateway.now(),
            reason=data.reason or "booked",
        )
        return Session.of(await gateway.run(app.get_session, session_id))

    @get("/history", operation_id="planHistory", summary="Every event of a plan", responses=READS)
    async def history(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> list[Event]:
        """Created, cadence changed, sessions held and released…, oldest first."""
        await plan_for(gateway, principal_of(request), plan_id)
        entries = await gateway.run(gateway.scheduling.history, plan_id)
        return [Event.of(entry) for entry in entries]
