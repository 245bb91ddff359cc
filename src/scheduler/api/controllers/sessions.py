"""`/sessions/{id}`: one session, moving, cancelling, completing, no-shows and history."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api import positions
from scheduler.api.access import check_therapist_of, session_for
from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.gateway import Gateway
from scheduler.api.ratelimit import RateLimiter
from scheduler.api.schemas.records import (
    Cancellation,
    CancelPolicy,
    CancelSession,
    CompleteSession,
    Event,
    MoveSession,
    NoShow,
    Session,
)
from scheduler.settings import Settings

ANYONE = allow("patient", "therapist", "dispatcher", "admin")
WRITES = responses(400, 401, 403, 404, 409, 422)


class SessionsController(Controller):
    """Sessions of treatment plans."""

    path = "/sessions/{session_id:uuid}"
    tags = ("sessions",)

    @get(
        "/",
        operation_id="getSession",
        summary="One session",
        guards=[ANYONE],
        responses=responses(401, 403, 404),
    )
    async def get_session(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Session:
        """The session, if it is the caller's (patient, therapist) or in their clinic."""
        return Session.of(await session_for(gateway, principal_of(request), session_id))

    @post(
        "/move",
        operation_id="moveSession",
        summary="Move a session to another time",
        guards=[allow("patient", "dispatcher", "admin")],
        status_code=200,
        responses=WRITES,
    )
    async def move(
        self,
        *,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[MoveSession],
        gateway: NamedDependency[Gateway],
        limiter: NamedDependency[RateLimiter],
        settings: NamedDependency[Settings],
    ) -> Session:
        """Reschedule (optionally to another therapist); every booking rule applies again.

        Rate limited like booking (429 with Retry-After).
        """
        principal = principal_of(request)
        await limiter.hit_booking(principal.account_id, settings)
        session = await session_for(gateway, principal, session_id)
        if data.therapist_id is not None:
            await check_therapist_of(gateway, data.therapist_id, session.clinic_id)
        app = gateway.scheduling
        await positions.command(
            gateway,
            app.reschedule_session,
            session_id,
            start=data.start,
            therapist_id=data.therapist_id,
            actor=principal.actor,
            reason=data.reason or "moved",
            now=gateway.now(),
        )
        return Session.of(await gateway.run(app.get_session, session_id))

    @post(
        "/cancel",
        operation_id="cancelSession",
        summary="Cancel a session (late-cancel policy applied and shown)",
        guards=[allow("patient", "dispatcher", "admin")],
        status_code=200,
        responses=WRITES,
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[CancelSession],
        gateway: NamedDependency[Gateway],
    ) -> Cancellation:
        """Cancel; the answer says whether it was late under the clinic's policy."""
        principal = principal_of(request)
        session = await session_for(gateway, principal, session_id)
        app = gateway.scheduling
        late = await positions.command(
            gateway,
            app.cancel_session,
            session_id,
            actor=principal.actor,
            reason=data.reason or "cancelled",
            now=gateway.now(),
        )
        clinic = await gateway.run(app.get_clinic, session.clinic_id)
        hours = clinic.late_cancel_hours
        return Cancellation(
            session=Session.of(await gateway.run(app.get_session, session_id)),
            late_cancel=late,
            policy=CancelPolicy(
                late_cancel_hours=hours,
                rule=f"a cancellation less than {hours} h before the start is late",
            ),
        )

    @post(
        "/complete",
        operation_id="completeSession",
        summary="Complete a session with a progress note",
        guards=[allow("therapist")],
        status_code=200,
        responses=WRITES,
    )
    async def complete(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[CompleteSession],
        gateway: NamedDependency[Gateway],
    ) -> Session:
        """The therapist of the session records how it went (only once it has started)."""
        principal = principal_of(request)
        await session_for(gateway, principal, session_id)
        app = gateway.scheduling
        await positions.command(
            gateway,
            app.complete_session,
            session_id,
            note=data.note,
            pain_before=data.pain_before,
            pain_after=data.pain_after,
            actor=principal.actor,
            now=gateway.now(),
        )
        return Session.of(await gateway.run(app.get_session, session_id))

    @post(
        "/no-show",
        operation_id="markNoShow",
        summary="Mark that the patient did not come",
        guards=[allow("therapist", "dispatcher", "admin")],
        status_code=200,
        responses=WRITES,
    )
    async def no_show(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[NoShow],
        gateway: NamedDependency[Gateway],
    ) -> Session:
        """Record a no-show (only once the session has started)."""
        principal = principal_of(request)
        await session_for(gateway, principal, session_id)
        app = gateway.scheduling
        await positions.command(
            gateway,
            app.record_no_show,
            session_id,
            actor=principal.actor,
            reason=data.reason or "no-show",
            now=gateway.now(),
        )
        return Session.of(await gateway.run(app.get_session, session_id))

    @get(
        "/history",
        operation_id="sessionHistory",
        summary="Every event of a session",
        guards=[ANYONE],
        responses=responses(401, 403, 404),
    )
    async def history(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> list[Event]:
        """Booked, moved, cancelled, completed…: who did it, when and why, oldest first."""
        await session_for(gateway, principal_of(request), session_id)
        entries = await gateway.run(gateway.scheduling.history, session_id)
        return [Event.of(entry) for entry in entries]
