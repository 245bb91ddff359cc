"""A patient's own sessions: cancelling, after the late-cancel policy (moving is choosing
from the options: `booking.py`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import checked_form, go, render, signed_in
from scheduler.settings import Settings
from scheduler.usecases import UseCases
from scheduler.usecases import sessions as actions
from scheduler.usecases.home import hours_until, is_late


class PatientSessionPages(Controller):
    """`/app/patient/sessions/{id}/cancel`."""

    path = "/app/patient/sessions/{session_id:uuid}"
    include_in_schema = False
    opt = PUBLIC

    @get("/cancel", name="pages:cancel")
    async def confirm_cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        uc: NamedDependency[UseCases],
    ) -> Template:
        """The late-cancel policy and whether this cancellation would be late, before it."""
        return await self._cancel_page(request, session_id, settings, uc, errors={})

    async def _cancel_page(
        self,
        request: Request[Any, Any, Any],
        session_id: UUID,
        settings: Settings,
        uc: UseCases,
        *,
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        who = signed_in(request, settings, uc, "patient")
        page = await actions.page(uc, who, session_id)
        now = uc.clock()
        return render(
            request,
            "cancel.html",
            status=status,
            session=page.session,
            therapist=page.therapist,
            hours=page.late_cancel_hours,
            late=is_late(page.session, now, page.late_cancel_hours),
            hours_left=hours_until(page.session, now),
            errors=errors,
        )

    @post("/cancel", status_code=303)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        uc: NamedDependency[UseCases],
    ) -> Template | Redirect:
        """Cancel after the patient has seen the policy."""
        who = signed_in(request, settings, uc, "patient")
        form = await checked_form(request)
        reason = form.get("reason", "")
        if len(reason) > 500:
            errors = {"reason": "Keep the reason under 500 characters."}
            return await self._cancel_page(
                request, session_id, settings, uc, errors=errors, status=400
            )
        errors = {}
        with refusal_on(errors):
            done = await actions.cancel(
                uc, who, session_id, reason=reason or "cancelled by the patient"
            )
            return go("/app/patient", cancelled=session_id, late=1 if done.late else "")
        return await self._cancel_page(request, session_id, settings, uc, errors=errors, status=409)
