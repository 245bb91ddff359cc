"""The patient's pages: the plan, ranked options to book, moving, cancelling, the waitlist."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api import positions
from scheduler.api.access import check_therapist_of, plan_for, session_for
from scheduler.api.auth import PUBLIC, Principal
from scheduler.api.errors import ApiError
from scheduler.api.gateway import Gateway
from scheduler.api.pages.patient_view import hours_until, is_late, patient_home
from scheduler.api.pages.web import (
    checked_form,
    go,
    parse_date,
    parse_time,
    render,
    require,
    viewer,
)
from scheduler.api.ratelimit import RateLimiter
from scheduler.domain.errors import SchedulingError
from scheduler.settings import Settings


async def _patient(
    request: Request[Any, Any, Any], settings: Settings, gateway: Gateway
) -> tuple[Principal, UUID]:
    principal = viewer(request, settings, gateway)
    require(principal, "patient")
    assert principal.acts_for is not None, "a patient account acts for a patient"
    return principal, principal.acts_for


class PatientPages(Controller):
    """`/app/patient`: a patient's plan and sessions."""

    path = "/app/patient"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:patient")
    async def home(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template:
        """The plan (done, left, next), ranked options to book, and upcoming sessions."""
        return await self._home(request, settings, gateway)

    async def _home(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        gateway: Gateway,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> Template:
        _, patient_id = await _patient(request, settings, gateway)
        home = await gateway.run(patient_home, gateway.scheduling, patient_id, gateway.now())
        today = gateway.now().astimezone(ZoneInfo(home.timezone)).date()
        return render(
            request,
            "patient.html",
            status=status,
            home=home,
            zone=ZoneInfo(home.timezone),
            errors=errors or {},
            form=form or {},
            today=today,
            booked=request.query_params.get("booked"),
            cancelled=request.query_params.get("cancelled"),
            late=request.query_params.get("late") == "1",
            moved=request.query_params.get("moved"),
            joined=request.query_params.get("joined"),
        )

    @post("/plans/{plan_id:uuid}/book", status_code=303)
    async def book(
        self,
        *,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        limiter: NamedDependency[RateLimiter],
    ) -> Template | Redirect:
        """Book the option the patient picked (the booking rules decide again)."""
        principal, _ = await _patient(request, settings, gateway)
        form = await checked_form(request)
        field = f"option-{plan_id}"
        therapist, _, start_text = form.get("option", "").partition("@")
        try:
            therapist_id, start = UUID(therapist), datetime.fromisoformat(start_text)
        except ValueError:
            errors = {field: "Choose one of the times above."}
            return await self._home(request, settings, gateway, status=400, errors=errors)
        try:
            await limiter.hit(
                "booking",
                str(principal.account_id),
                limit=settings.booking_limit,
                window_s=settings.booking_window_s,
            )
            plan = await plan_for(gateway, principal, plan_id)
            await check_therapist_of(gateway, therapist_id, plan.clinic_id)
            app = gateway.scheduling
            session_id = await positions.command(
                gateway,
                app.book_session,
                plan_id=plan_id,
                therapist_id=therapist_id,
                start=start,
                actor=principal.actor,
                now=gateway.now(),
                reason="booked by the patient",
            )
        except (SchedulingError, ApiError) as error:
            errors = {field: f"This time cannot be booked: {error}. Choose another."}
            return await self._home(request, settings, gateway, status=409, errors=errors)
        return go("/app/patient", booked=session_id)

    @post("/plans/{plan_id:uuid}/waitlist", status_code=303)
    async def join_waitlist(
        self,
        *,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template | Redirect:
        """Wait for freed time between two dates (the clinic's days, inclusive)."""
        principal, _ = await _patient(request, settings, gateway)
        form = await checked_form(request)
        errors: dict[str, str] = {}
        prefix = f"wait-{plan_id}"
        first = parse_date(form.get("earliest", ""), f"{prefix}-earliest", errors)
        last = parse_date(form.get("latest", ""), f"{prefix}-latest", errors)
        if first and last and last < first:
            errors[f"{prefix}-latest"] = "The last day must be on or after the first day."
        if first and last and not errors:
            plan = await plan_for(gateway, principal, plan_id)
            app = gateway.scheduling
            try:
                await gateway.run(
                    app.join_waitlist,
                    plan_id,
                    earliest=await gateway.run(app.local_time, plan.clinic_id, first, 0),
                    latest=await gateway.run(
                        app.local_time, plan.clinic_id, last + timedelta(days=1), 0
                    ),
                    actor=principal.actor,
                    now=gateway.now(),
                )
            except SchedulingError as error:
                errors[f"{prefix}-earliest"] = f"{error}."
        if errors:
            return await self._home(
                request, settings, gateway, status=400, errors=errors, form=form
            )
        return go("/app/patient", joined=plan_id)

    @get("/sessions/{session_id:uuid}/cancel", name="pages:cancel")
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
        principal, _ = await _patient(request, settings, gateway)
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

    @post("/sessions/{session_id:uuid}/cancel", status_code=303)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template | Redirect:
        """Cancel after the patient has seen the policy."""
        principal, _ = await _patient(request, settings, gateway)
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

    @get("/sessions/{session_id:uuid}/move", name="pages:move")
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
        principal, _ = await _patient(request, settings, gateway)
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

    @post("/sessions/{session_id:uuid}/move", status_code=303)
    async def move(
        self,
        *,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template | Redirect:
        """Move the session to the day and time entered (same therapist)."""
        principal, _ = await _patient(request, settings, gateway)
        form = await checked_form(request)
        errors: dict[str, str] = {}
        day = parse_date(form.get("day", ""), "day", errors)
        at = parse_time(form.get("time", ""), "time", errors)
        session = await session_for(gateway, principal, session_id)
        app = gateway.scheduling
        if day and at:
            start = await gateway.run(
                app.local_time, session.clinic_id, day, at.hour * 60 + at.minute
            )
            if start <= gateway.now():
                errors["day"] = "Choose a day and time in the future."
        if not errors:
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
