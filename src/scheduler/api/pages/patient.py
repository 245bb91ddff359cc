"""The patient's page: the plan (done, left, next), ranked options to book, the waitlist."""

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
from scheduler.api.access import check_therapist_of, plan_for
from scheduler.api.auth import PUBLIC, Principal
from scheduler.api.errors import ApiError
from scheduler.api.gateway import Gateway
from scheduler.api.pages.patient_view import patient_home
from scheduler.api.pages.web import (
    checked_form,
    go,
    parse_date,
    render,
    require,
    viewer,
)
from scheduler.api.ratelimit import RateLimiter
from scheduler.domain.errors import SchedulingError
from scheduler.settings import Settings


async def signed_in_patient(
    request: Request[Any, Any, Any], settings: Settings, gateway: Gateway
) -> tuple[Principal, UUID]:
    """The signed-in patient account and the patient it acts for (else 401/403 pages)."""
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
        _, patient_id = await signed_in_patient(request, settings, gateway)
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
        principal, _ = await signed_in_patient(request, settings, gateway)
        form = await checked_form(request)
        field = f"option-{plan_id}"
        therapist, _, start_text = form.get("option", "").partition("@")
        try:
            therapist_id, start = UUID(therapist), datetime.fromisoformat(start_text)
        except ValueError:
            errors = {field: "Choose one of the times above."}
            return await self._home(request, settings, gateway, status=400, errors=errors)
        try:
            await limiter.hit_booking(principal.account_id, settings)
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
        principal, _ = await signed_in_patient(request, settings, gateway)
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
