"""A patient's own sessions: cancelling, after the late-cancel policy (moving is choosing
from the options: `booking.py`)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.usecases import sessions as actions
from scheduler.usecases.home import hours_until, is_late


class PatientSessionPages(Controller):
    """`/app/patient/sessions/{id}/cancel`."""

    path = "/app/patient/sessions/{session_id:uuid}"
    include_in_schema = False
    opt = PUBLIC

    @get("/cancel", name="pages:cancel")
    async def confirm_cancel(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template:
        """The late-cancel policy and whether this cancellation would be late, before it."""
        return await self._cancel_page(page, session_id, errors={})

    async def _cancel_page(
        self, page: PageContext, session_id: UUID, *, errors: dict[str, str], status: int = 200
    ) -> Template:
        who = page.signed_in("patient")
        booked = await actions.page(page.uc, who, session_id)
        now = page.uc.clock()
        return page.render(
            "cancel.html",
            status=status,
            session=booked.session,
            therapist=booked.therapist,
            hours=booked.late_cancel_hours,
            late=is_late(booked.session, now, booked.late_cancel_hours),
            hours_left=hours_until(booked.session, now),
            errors=errors,
        )

    @post("/cancel", status_code=303)
    async def cancel(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Cancel after the patient has seen the policy."""
        who = page.signed_in("patient")
        form = await page.form()
        reason = form.get("reason", "")
        if len(reason) > 500:
            errors = {"reason": "Keep the reason under 500 characters."}
            return await self._cancel_page(page, session_id, errors=errors, status=400)
        errors = {}
        with refusal_on(errors):
            done = await actions.cancel(
                page.uc, who, session_id, reason=reason or "cancelled by the patient"
            )
            return go("/app/patient", cancelled=session_id, late=1 if done.late else "")
        return await self._cancel_page(page, session_id, errors=errors, status=409)
