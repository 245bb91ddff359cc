"""The front desk books a new patient's initial evaluation on their behalf: what the visit
is for, then the times of therapists who treat it (the options the patient would see on
their own first-visit page; `usecases.evaluations` finds and books them)."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.desk_booking import chosen_option
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.domain.errors import SchedulingError
from scheduler.usecases import admin as admin_actions
from scheduler.usecases import evaluations as actions
from scheduler.usecases import patients as patient_actions
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden

DESK = ("dispatcher", "admin")
SETTINGS = ("clinic", "home")
DAYS_SHOWN = 5
"""Days with free times listed at once (six starts per therapist and day at most)."""


class DeskEvaluationPages(Controller):
    """`/app/desk/patients/{id}/evaluation`."""

    path = "/app/desk/patients/{patient_id:uuid}/evaluation"
    include_in_schema = False
    opt = PUBLIC

    async def _page(
        self,
        page: PageContext,
        who: Actor,
        patient_id: UUID,
        *,
        form: dict[str, str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        patient = await patient_actions.patient(page.uc, who, patient_id)
        clinic = await admin_actions.clinic(page.uc, who, patient.clinic_id)
        zone = ZoneInfo(clinic.timezone)
        reason, setting = form.get("reason", ""), form.get("setting", "")
        days: list[tuple[Any, list[actions.EvaluationOption]]] = []
        searched = bool(reason) and setting in SETTINGS and "reason" not in errors
        if searched:
            found = await actions.options(page.uc, who, patient_id, reason=reason, setting=setting)
            by_day = groupby(found, key=lambda o: o.start.astimezone(zone).date())
            days = [(day, list(times)) for day, times in by_day][:DAYS_SHOWN]
        return page.render(
            "desk_evaluation.html",
            status=status,
            role=who.role,
            clinic=clinic,
            zone=zone,
            patient=patient,
            form=form,
            errors=errors,
            searched=searched,
            days=days,
        )

    @get("/", name="pages:desk-evaluation")
    async def evaluation(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template:
        """What the visit is for and where (`?reason=&setting=`); then the times that fit."""
        who = page.signed_in(*DESK)
        reason = str(page.request.query_params.get("reason", "")).strip()
        setting = str(page.request.query_params.get("setting", ""))
        form, errors = {"reason": reason[:300], "setting": setting}, {}
        if page.request.query_params and not reason:
            errors["reason"] = "Say what the visit is for, e.g. low back pain."
        if page.request.query_params and setting not in SETTINGS:
            errors["setting"] = "Choose the clinic or a home visit."
        return await self._page(
            page, who, patient_id, form=form, errors=errors, status=400 if errors else 200
        )

    @post("/", status_code=303)
    async def book(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Book the chosen time for the patient (the booking rules decide again)."""
        who = page.signed_in(*DESK)
        form = await page.form()
        errors: dict[str, str] = {}
        status = 400
        picked = chosen_option(form.get("option", ""))
        reason, setting = form.get("reason", ""), form.get("setting", "")
        if not reason or setting not in SETTINGS:
            errors["reason"] = "Say what the visit is for, then choose a time."
        elif picked is None:
            errors["option"] = "Choose one of the times."
        else:
            said = "This time cannot be booked: {}. Choose another."
            with refusal_on(errors, "option", said=said, catch=(SchedulingError, Forbidden)):
                await actions.book(
                    page.uc,
                    who,
                    patient_id,
                    therapist_id=picked[0],
                    start=picked[1],
                    reason=reason,
                    setting=setting,
                )
                return go(f"/app/desk/patients/{patient_id}", done="evaluation")
            status = 409
        return await self._page(page, who, patient_id, form=form, errors=errors, status=status)
