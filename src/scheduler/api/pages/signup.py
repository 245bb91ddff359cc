"""`/app/signup`: a new patient creates their account and record, then is signed in and
goes on to the intake questionnaire."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from scheduler.accounts import MIN_PASSWORD_LENGTH, AccountExists, InvalidAccount
from scheduler.api.auth import PUBLIC
from scheduler.api.errors import TooManyRequests
from scheduler.api.pages import fields
from scheduler.api.pages.availability import EXAMPLE
from scheduler.api.pages.signin import login_errors, signed_in_redirect
from scheduler.api.pages.web import PageContext
from scheduler.domain.errors import PatientExists, SchedulingError
from scheduler.usecases import admin as clinic_actions
from scheduler.usecases import patients as actions
from scheduler.usecases.actor import Actor


def _errors_of(form: dict[str, str], clinics: set[str]) -> dict[str, str]:
    errors = login_errors(form.get("email", ""), form.get("password", ""))
    if form.get("clinic", "") not in clinics:
        errors["clinic"] = "Choose your clinic."
    if len(form.get("password", "")) < MIN_PASSWORD_LENGTH and "password" not in errors:
        errors["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if form.get("password", "") != form.get("repeat", ""):
        errors["repeat"] = "Type the same password twice."
    return errors


class SignUpPages(Controller):
    """`/app/signup`."""

    path = "/app/signup"
    include_in_schema = False
    opt = PUBLIC

    async def _form(
        self, page: PageContext, *, form: dict[str, str], errors: dict[str, str], status: int = 200
    ) -> Template:
        clinics = await clinic_actions.clinics(page.uc, Actor.anonymous())
        return page.render(
            "signup.html",
            status=status,
            clinics=clinics,
            form=form,
            errors=errors,
            example=EXAMPLE,
            min_password=MIN_PASSWORD_LENGTH,
        )

    @get("/", name="pages:signup")
    async def show(self, page: NamedDependency[PageContext]) -> Template:
        """The sign-up form."""
        return await self._form(page, form={}, errors={})

    @post("/", status_code=303)
    async def sign_up(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Create the account and the record (nothing at all if a field is wrong)."""
        form = await page.form()
        listed = {str(c.id) for c in await clinic_actions.clinics(page.uc, Actor.anonymous())}
        errors = _errors_of(form, listed)
        details = fields.contact(form, errors, email=form.get("email", ""))
        weekly = fields.weekly(form, "availability", errors)
        if not errors:
            details = replace(details, availability=weekly)
            client = page.request.client.host if page.request.client else "unknown"
            try:
                _, account = await actions.sign_up(
                    page.uc,
                    Actor.anonymous(),
                    UUID(form["clinic"]),
                    details=details,
                    password=form["password"],
                    client=client,
                )
            except AccountExists:
                errors["email"] = "This e-mail address already has an account: sign in instead."
            except InvalidAccount as problem:
                errors["email"] = f"{problem}."
            except PatientExists:
                errors["form"] = (
                    "The clinic already has you as a patient: call the front desk, "
                    "they will open your account."
                )
            except TooManyRequests:
                errors["form"] = "Too many sign-ups from here: wait a minute, then try again."
            except SchedulingError as problem:
                errors["form"] = f"{problem}."
        if errors:
            kept = {k: v for k, v in form.items() if k not in ("password", "repeat")}
            return await self._form(page, form=kept, errors=errors, status=400)
        return signed_in_redirect(account, page.settings, page.uc, "/app/patient/intake?welcome=1")
