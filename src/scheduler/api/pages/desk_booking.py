"""Booking on a patient's behalf (the dispatcher on the phone): book the plan's next
session from the same ranked options the patient sees (`plans.options`, with the same
filters and pages as the patient's options page), move a session to one of the times it
can move to (`plans.move_options`) or to a day and time, cancel with the late-cancel
rule. The booking actions decide.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.errors import ApiError
from scheduler.api.pages.booking import _query as option_query
from scheduler.api.pages.submit import REFUSALS, refusal_on
from scheduler.api.pages.web import (
    PageContext,
    go,
    local_instant,
    parse_date,
    parse_time,
)
from scheduler.domain.errors import InThePast, SchedulingError
from scheduler.usecases import admin as admin_actions
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import patients as patient_actions
from scheduler.usecases import plans as plan_actions
from scheduler.usecases import sessions as session_actions
from scheduler.usecases.actor import Actor

DESK = ("dispatcher", "admin")


def chosen_option(raw: str) -> tuple[UUID, datetime] | None:
    """(therapist, start) of an option's radio value `therapist@start`, or None."""
    therapist, _, start = raw.partition("@")
    try:
        return UUID(therapist), datetime.fromisoformat(start)
    except ValueError:
        return None


class DeskBookingPages(Controller):
    """`/app/desk/plans/{id}/book`, `/app/desk/sessions/{id}/move` and `/cancel`."""

    path = "/app/desk"
    include_in_schema = False
    opt = PUBLIC

    async def _page(
        self,
        page: PageContext,
        who: Actor,
        plan_id: UUID,
        *,
        moving: UUID | None = None,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        plan = await plan_actions.get(page.uc, who, plan_id)
        patient = await patient_actions.patient(page.uc, who, plan.patient_id)
        clinic = await admin_actions.clinic(page.uc, who, plan.clinic_id)
        query = option_query(page.request)
        if moving:
            options = await plan_actions.move_options(page.uc, who, moving, query)
        else:
            options = await plan_actions.options(page.uc, who, plan_id, query)
        session = await session_actions.get(page.uc, who, moving) if moving else None
        names = {t.id: t.name for t in await clinic_actions.therapists(page.uc, who, clinic.id)}
        return page.render(
            "desk_book.html",
            status=status,
            role=who.role,
            clinic=clinic,
            zone=ZoneInfo(clinic.timezone),
            patient=patient,
            plan=plan,
            options=options,
            query=query,
            session=session,
            names=names,
            form=form or {},
            errors=errors or {},
        )

    @get("/plans/{plan_id:uuid}/book", name="pages:desk-book")
    async def book_form(
        self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]
    ) -> Template:
        """The plan's next session: the ranked options, as the patient sees them."""
        who = page.signed_in(*DESK)
        return await self._page(page, who, plan_id)

    @post("/plans/{plan_id:uuid}/book", status_code=303)
    async def book(
        self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Book the option chosen for the patient (the booking rules decide again)."""
        who = page.signed_in(*DESK)
        form = await page.form()
        picked = chosen_option(form.get("option", ""))
        if picked is None:
            errors = {"option": "Choose one of the times."}
            return await self._page(page, who, plan_id, errors=errors, status=400)
        errors = {}
        said = "This time cannot be booked: {}. Choose another."
        with refusal_on(errors, "option", said=said, catch=REFUSALS):
            session = await session_actions.book(
                page.uc,
                who,
                plan_id,
                therapist_id=picked[0],
                start=picked[1],
                reason=form.get("reason") or "booked by the front desk for the patient",
            )
            return go(f"/app/desk/patients/{session.patient_id}", done="booked")
        return await self._page(page, who, plan_id, errors=errors, status=409)

    @get("/sessions/{session_id:uuid}/move", name="pages:desk-move")
    async def move_form(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template:
        """Where the session could go: the plan's ranked options, or a day and time."""
        who = page.signed_in(*DESK)
        session = await session_actions.get(page.uc, who, session_id)
        if session.plan_id is None:
            raise _NotAPlanSession("an evaluation visit is moved by cancelling and rebooking it")
        return await self._page(page, who, session.plan_id, moving=session_id)

    @post("/sessions/{session_id:uuid}/move", status_code=303)
    async def move(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Move the session to the chosen option, or to the day and time entered."""
        who = page.signed_in(*DESK)
        form = await page.form()
        session = await session_actions.get(page.uc, who, session_id)
        if session.plan_id is None:
            raise _NotAPlanSession("an evaluation visit is moved by cancelling and rebooking it")
        clinic = await admin_actions.clinic(page.uc, who, session.clinic_id)
        errors: dict[str, str] = {}
        target: tuple[UUID | None, datetime] | None = None
        if form.get("option"):
            target = chosen_option(form["option"])
            if target is None:
                errors["option"] = "Choose one of the times."
        else:
            day = parse_date(form.get("day", ""), "day", errors)
            at = parse_time(form.get("time", ""), "time", errors)
            if day and at:
                start = local_instant(f"{day}T{at}", ZoneInfo(clinic.timezone))
                target = (None, start) if start else None
        if target and not errors:
            past = (
                "day" if not form.get("option") else "option",
                "Choose a day and time in the future.",
            )
            with refusal_on(
                errors,
                "option" if form.get("option") else "time",
                said="This time cannot be booked: {}.",
                fields={InThePast: past},
                catch=REFUSALS,
            ):
                await session_actions.move(
                    page.uc,
                    who,
                    session_id,
                    start=target[1],
                    therapist_id=target[0],
                    reason=form.get("reason") or "moved by the front desk for the patient",
                )
                return go(f"/app/desk/patients/{session.patient_id}", done="moved")
        return await self._page(
            page, who, session.plan_id, moving=session_id, form=form, errors=errors, status=400
        )

    @post("/sessions/{session_id:uuid}/cancel", status_code=303)
    async def cancel(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Redirect:
        """Cancel for the patient; the patient's page says whether it counted as late."""
        who = page.signed_in(*DESK)
        form = await page.form()
        try:
            done = await session_actions.cancel(
                page.uc,
                who,
                session_id,
                reason=form.get("reason", "")[:500]
                or "cancelled by the front desk for the patient",
            )
        except SchedulingError as error:
            raise _Refused(f"This session cannot be cancelled: {error}.") from None
        return go(
            f"/app/desk/patients/{done.session.patient_id}",
            done="cancelled_late" if done.late else "cancelled",
        )


class _NotAPlanSession(ApiError):
    """Raised when a treatment-session page is asked for an evaluation visit."""

    status, code = 422, "not_a_plan_session"


class _Refused(ApiError):
    """Raised when the calendar refuses a cancellation (the session has started…)."""

    status, code = 409, "refused"
