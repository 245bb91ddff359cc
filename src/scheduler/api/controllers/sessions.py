"""`/sessions/{id}`: one session, moving, cancelling, completing, the note, no-shows,
history, and pins."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.dispatch import Pin, PinVisit
from scheduler.api.schemas.records import (
    AmendNote,
    Cancellation,
    CancelPolicy,
    CancelSession,
    CompleteSession,
    Event,
    MoveSession,
    NoShow,
    Session,
    rules_of,
)
from scheduler.usecases import UseCases
from scheduler.usecases import sessions as actions

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
        uc: NamedDependency[UseCases],
    ) -> Session:
        """The session, if it is the caller's (patient, therapist) or in their clinic."""
        return Session.of(await actions.get(uc, principal_of(request), session_id))

    @post(
        "/move",
        operation_id="moveSession",
        summary="Move a session to another time",
        guards=[allow("patient", "dispatcher", "admin")],
        status_code=200,
        responses=responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def move(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[MoveSession],
        uc: NamedDependency[UseCases],
    ) -> Session:
        """Reschedule (optionally to another therapist); every booking rule applies again:
        422 `in_the_past`, `cadence`, `session_started`… Dispatchers may override
        `cadence` or `in_the_past` with a reason. Rate limited like booking (429)."""
        view = await actions.move(
            uc,
            principal_of(request),
            session_id,
            start=data.start,
            therapist_id=data.therapist_id,
            reason=data.reason,
            overrides=rules_of(data.overrides),
        )
        return Session.of(view)

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
        uc: NamedDependency[UseCases],
    ) -> Cancellation:
        """Cancel before the start (after it: 422 `session_started`, record a no-show);
        the answer says whether it was late under the clinic's policy."""
        done = await actions.cancel(uc, principal_of(request), session_id, reason=data.reason)
        hours = done.late_cancel_hours
        return Cancellation(
            session=Session.of(done.session),
            late_cancel=done.late,
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
        uc: NamedDependency[UseCases],
    ) -> Session:
        """The therapist of the session records how it went, once it has started; the
        note is required (422 `note_required`). A reassessment session also needs its
        re-evaluation in `reassessment` (422 `reassessment_required`)."""
        again = data.reassessment
        view = await actions.complete(
            uc,
            principal_of(request),
            session_id,
            note=data.note,
            pain_before=data.pain_before,
            pain_after=data.pain_after,
            reassessment=actions.Reassessed(
                pain_level=again.pain_level,
                contraindications=tuple(again.contraindications),
                findings=again.findings,
                notes=again.notes,
            )
            if again
            else None,
        )
        return Session.of(view)

    @post(
        "/note",
        operation_id="amendNote",
        summary="Amend a completed session's progress note",
        guards=[allow("therapist")],
        status_code=200,
        responses=WRITES,
    )
    async def amend(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[AmendNote],
        uc: NamedDependency[UseCases],
    ) -> Session:
        """A correction beside the original note (both stay in the history), with why."""
        view = await actions.amend_note(
            uc,
            principal_of(request),
            session_id,
            note=data.note,
            pain_before=data.pain_before,
            pain_after=data.pain_after,
            reason=data.reason,
        )
        return Session.of(view)

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
        uc: NamedDependency[UseCases],
    ) -> Session:
        """Record a no-show (only once the session has started)."""
        view = await actions.no_show(uc, principal_of(request), session_id, reason=data.reason)
        return Session.of(view)

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
        uc: NamedDependency[UseCases],
    ) -> list[Event]:
        """Booked, moved, cancelled, completed…: who did it, when and why, oldest first."""
        entries = await actions.history(uc, principal_of(request), session_id)
        return [Event.of(entry) for entry in entries]

    @post(
        "/pin",
        operation_id="pinSession",
        summary="Pin a visit: no optimization moves it",
        guards=[allow("dispatcher")],
        status_code=200,
        responses=WRITES,
    )
    async def pin(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        data: JSONBody[PinVisit],
        uc: NamedDependency[UseCases],
    ) -> Pin:
        """Keep the booked visit exactly where it is in every later optimization."""
        done = await actions.pin(
            uc, principal_of(request), session_id, pinned=True, reason=data.reason
        )
        return Pin(session_id=done.session_id, pinned=done.pinned, changed=done.changed)

    @delete(
        "/pin",
        operation_id="unpinSession",
        summary="Release a pinned visit",
        guards=[allow("dispatcher")],
        status_code=200,
        responses=WRITES,
    )
    async def unpin(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> Pin:
        """Let later optimizations move the visit again."""
        done = await actions.pin(uc, principal_of(request), session_id, pinned=False)
        return Pin(session_id=done.session_id, pinned=done.pinned, changed=done.changed)
