"""A patient's own sessions: cancelling (after the late-cancel policy) and moving."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api import positions
from scheduler.api.access import session_for
from scheduler.api.auth import PUBLIC
from scheduler.api.gateway import Gateway
from scheduler.api.pages.patient import signed_in_patient
from scheduler.api.pages.patient_view import hours_until, is_late
from scheduler.api.pages.web import checked_form, go, parse_date, parse_time, render
from scheduler.domain.errors import SchedulingError
from scheduler.settings import Settings


class PatientSessionPages(Controller):
    """`/app/patient/sessions/{id}/cancel` and `/move`."""

    path = "/app/patient/sessions/{session_id:uuid}"
    include_in_schema = False
    opt = PUBLIC

    @get("/cancel", name="pages:cancel")
    async def confirm_cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template:
        """The late-cancel policy and whether this cancellation would be late, before it."""
        return await self._cancel_page(request, session_id, settings, gateway, errors={})

    async def _cancel_page(
        self,
        request: Request[Any, Any, Any],
        session_id: UUID,
        settings: Settings,
        gateway: Gateway,
        *,
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        principal, _ = await signed_in_patient(request, settings, gateway)
        session = await session_for(gateway, principal, session_id)
        app = gateway.scheduling
        clinic = await gateway.run(app.get_clinic, session.clinic_id)
        therapist = await gateway.run(app.get_therapist, session.therapist_id)
        now = gateway.now()
        return render(
            request,
            "cancel.html",
            status=status,
            session=session,
            therapist=therapist.name,
            hours=clinic.late_cancel_hours,
            late=is_late(session, now, clinic.late_cancel_hours),
            hours_left=hours_until(session, now),
            errors=errors,
        )

    @post("/cancel", status_code=303)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template | Redirect:
        """Cancel after the patient has seen the policy."""
        principal, _ = await signed_in_patient(request, settings, gateway)
        form = await checked_form(request)
        reason = form.get("reason", "")
        if len(reason) > 500:
            errors = {"reason": "Keep the reason under 500 characters."}
            return await self._cancel_page(
                request, session_id, settings, gateway, errors=errors, status=400
            )
        await session_for(gateway, principal, session_id)
        app = gateway.scheduling
        try:
            late = await positions.command(
                gateway,
                app.cancel_session,
                session_id,
                actor=principal.actor,
                reason=reason or "cancelled by the patient",
                now=gateway.now(),
            )
        except SchedulingError as error:
            return await self._cancel_page(
                request, session_id, settings, gateway, errors={"form": f"{error}."}, status=409
            )
        return go("/app/patient", cancelled=session_id, late=1 if late else "")

    @get("/move", name="pages:move")
    async def move_form(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template:
        """Choose a new day and time for a session."""
        return await self._move_page(request, session_id, settings, gateway, errors={}, form={})

    async def _move_page(
        self,
        request: Request[Any, Any, Any],
        session_id: UUID,
        settings: Settings,
        gateway: Gateway,
        *,
        errors: dict[str, str],
        form: dict[str, str],
        status: int = 200,
    ) -> Template:
        principal, _ = await signed_in_patient(request, settings, gateway)
        session = await session_for(gateway, principal, session_id)
        therapist = await gateway.run(gateway.scheduling.get_therapist, session.therapist_id)
        return render(
            request,
            "move.html",
            status=status,
            session=session,
            therapist=therapist.name,
            errors=errors,
            form=form,
        )

    @post("/move", status_code=303)
    async def move(
        self,
        *,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template | Redirect:
        """Move the session to the day and time entered (same therapist)."""
        principal, _ = await signed_in_patient(request, settings, gateway)
        form = await checked_form(request)
        errors: dict[str, str] = {}
        day = parse_date(form.get("day", ""), "day", errors)
        at = parse_time(form.get("time", ""), "time", errors)
        session = await session_for(gateway, principal, session_id)
        app = gateway.scheduling
        start = None
        if day and at:
            start = await gateway.run(
                app.local_time, session.clinic_id, day, at.hour * 60 + at.minute
            )
            if start <= gateway.now():
                errors["day"] = "Choose a day and time in the future."
        if start is not None and not errors:
            try:
                await positions.command(
                    gateway,
                    app.reschedule_session,
                    session_id,
                    start=start,
                    actor=principal.actor,
                    reason=form.get("reason") or "moved by the patient",
                    now=gateway.now(),
                )
            except SchedulingError as error:
                errors["time"] = f"This time cannot be booked: {error}."
        if errors:
            return await self._move_page(
                request, session_id, settings, gateway, errors=errors, form=form, status=400
            )
        return go("/app/patient", moved=session_id)
