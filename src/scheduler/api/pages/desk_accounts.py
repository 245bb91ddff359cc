"""The front desk opens sign-ins for the clinic's patients and therapists (an admin
opens dispatchers' from the clinic's page): the same action as `POST /accounts`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.accounts import AccountExists, InvalidAccount
from scheduler.api.auth import PUBLIC
from scheduler.api.pages import forms
from scheduler.api.pages.desk import patient_page
from scheduler.api.pages.staff import StaffPages
from scheduler.api.pages.web import PageContext, go
from scheduler.usecases import UseCases
from scheduler.usecases import accounts as account_actions
from scheduler.usecases import patients as patient_actions
from scheduler.usecases import staff as staff_actions

DESK = ("dispatcher", "admin")
PREFIX = "account_"
"""The account form's fields are `account_email` and `account_password`: the patient's
page has the patient's own e-mail field too."""


async def _open(
    uc: UseCases, who: Any, form: dict[str, str], role: str, record: UUID
) -> dict[str, str]:
    """Open the account; the field errors if it cannot be opened (nothing is written)."""
    errors: dict[str, str] = {}
    email, password = forms.credentials(form, errors, prefix=PREFIX)
    if errors:
        return errors
    try:
        await account_actions.open_account(
            uc,
            who,
            email=email,
            password=password,
            role=role,
            patient_id=record if role == "patient" else None,
            therapist_id=record if role == "therapist" else None,
        )
    except AccountExists:
        errors[f"{PREFIX}email"] = "This e-mail address already has an account."
    except InvalidAccount as error:
        errors["account_form"] = f"{error}."
    return errors


class DeskAccountPages(Controller):
    """`/app/desk/patients/{id}/account` and `/app/desk/therapists/{id}/account`."""

    path = "/app/desk"
    include_in_schema = False
    opt = PUBLIC

    @post("/patients/{patient_id:uuid}/account", status_code=303)
    async def patient_account(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template | Redirect:
        """A sign-in for the patient, to book and follow their care online."""
        who = page.signed_in(*DESK)
        form = await page.form()
        patient = await patient_actions.patient(page.uc, who, patient_id)
        errors = await _open(page.uc, who, form, "patient", patient_id)
        if not errors:
            return go(f"/app/desk/patients/{patient_id}", done="account")
        form.pop(f"{PREFIX}password", None)  # a password is never sent back to the browser
        context = await patient_page(page.uc, who, patient)
        context.update(account_form=form, account_errors=errors)
        return page.render("desk_patient.html", status=400, **context)

    @post("/therapists/{therapist_id:uuid}/account", status_code=303)
    async def therapist_account(
        self, page: NamedDependency[PageContext], therapist_id: FromPath[UUID]
    ) -> Template | Redirect:
        """A sign-in for the therapist, to see their week and record their visits."""
        who = page.signed_in(*DESK)
        form = await page.form()
        view = await staff_actions.therapist(page.uc, who, therapist_id)
        errors = await _open(page.uc, who, form, "therapist", therapist_id)
        if not errors:
            return go(f"/app/desk/therapists/{therapist_id}", done="account")
        form.pop(f"{PREFIX}password", None)
        return await StaffPages.render_page(
            page,
            who,
            view,
            typed=form,
            errors=errors,
            failed="account",
            status=400,
        )
