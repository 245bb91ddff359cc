"""The front desk changes a patient's contact details, home and weekly availability
(the same actions as `PUT /patients/{id}` and `PUT /patients/{id}/availability`)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.desk import patient_page, read_details
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.usecases import patients as patient_actions

DESK = ("dispatcher", "admin")


class DeskDetailsPages(Controller):
    """`/app/desk/patients/{id}/details`."""

    path = "/app/desk/patients/{patient_id:uuid}/details"
    include_in_schema = False
    opt = PUBLIC

    @post("/", status_code=303)
    async def change(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the details, then the availability if it changed (both read first)."""
        who = page.signed_in("dispatcher", "admin")
        form = await page.form()
        patient = await patient_actions.patient(page.uc, who, patient_id)
        errors: dict[str, str] = {}
        details = read_details(form, errors)
        if details is not None:
            with refusal_on(errors, "details_form"):
                await patient_actions.change_details(page.uc, who, patient_id, details=details)
                if details.availability != patient.availability:
                    await patient_actions.change_availability(
                        page.uc, who, patient_id, availability=details.availability
                    )
                return go(f"/app/desk/patients/{patient_id}", done="details")
        context = await patient_page(page.uc, who, patient)
        context.update(details_form=form, details_errors=errors)
        return page.render("desk_patient.html", status=400, **context)
