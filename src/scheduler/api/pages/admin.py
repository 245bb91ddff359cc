"""The admin's pages: the clinics, opening and changing one, and the clinic's accounts.

Each form calls the same action as the JSON route (`usecases.admin`, `usecases.accounts`);
a page only reads the form (keeping what was typed, with a message next to each field to
fix) and renders the answer.
"""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from scheduler.accounts import AccountExists, InvalidAccount
from scheduler.api.auth import PUBLIC
from scheduler.api.pages import forms
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.domain import ClinicView
from scheduler.domain.commands.clinics import SLOT_CHOICES, Policies
from scheduler.domain.errors import InvalidTimezone
from scheduler.usecases import accounts as account_actions
from scheduler.usecases import admin as actions
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import patients as patient_actions
from scheduler.usecases.actor import Actor

ROLES = ("dispatcher", "therapist", "patient")
"""The accounts an admin opens from a clinic's page (admins are made by the CLI)."""


def clinic_form(clinic: ClinicView) -> dict[str, str]:
    """The clinic form's fields showing `clinic` as it is."""
    return {
        "name": clinic.name,
        "address": clinic.address,
        "location_latitude": f"{clinic.location[0]:g}",
        "location_longitude": f"{clinic.location[1]:g}",
        "timezone": clinic.timezone,
        "late_cancel_hours": str(clinic.late_cancel_hours),
        "slot_minutes": str(clinic.slot_minutes),
        "offer_hours": str(clinic.offer_hours),
        "reassessment_every": str(clinic.reassessment_every),
        "evaluation_minutes": str(clinic.evaluation_minutes),
        "travel_speed_kmh": f"{clinic.travel_speed_kmh:g}",
    }


def read_policies(form: dict[str, str], errors: dict[str, str]) -> Policies | None:
    """The booking policies of the clinic form, or None (with messages) if any is bad."""
    values = {
        "late_cancel_hours": forms.whole(
            form.get("late_cancel_hours", ""), "late_cancel_hours", errors, low=0, high=336
        ),
        "offer_hours": forms.whole(
            form.get("offer_hours", ""), "offer_hours", errors, low=1, high=72
        ),
        "reassessment_every": forms.whole(
            form.get("reassessment_every", ""), "reassessment_every", errors, low=0, high=52
        ),
        "evaluation_minutes": forms.whole(
            form.get("evaluation_minutes", ""), "evaluation_minutes", errors, low=15, high=180
        ),
    }
    slot = form.get("slot_minutes", "")
    if slot not in {str(choice) for choice in SLOT_CHOICES}:
        errors["slot_minutes"] = "Choose a booking grid from the list."
    speed = forms.decimal(
        form.get("travel_speed_kmh", ""), "travel_speed_kmh", errors, low=1, high=200
    )
    if errors or speed is None or None in values.values():
        return None
    return Policies(
        travel_speed_kmh=speed,
        slot_minutes=int(slot),
        **{name: int(value or 0) for name, value in values.items()},
    )


def read_clinic(
    form: dict[str, str], errors: dict[str, str]
) -> tuple[str, str, tuple[float, float] | None, Policies | None]:
    """Name, street address, coordinates and policies of the clinic form."""
    name, address = form.get("name", ""), form.get("address", "")
    if not name:
        errors["name"] = "Enter the clinic's name."
    if not address:
        errors["address"] = "Enter the clinic's street address."
    location = forms.point(form, "location", errors, required=True)
    return name, address, location, read_policies(form, errors)


class AdminPages(Controller):
    """`/app/admin`: the clinics; `/app/admin/clinics/...`: one clinic's setup and accounts."""

    path = "/app/admin"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:admin")
    async def home(self, page: NamedDependency[PageContext]) -> Template:
        """Every clinic, with a link to open a new one."""
        who = page.signed_in("admin")
        clinics = await actions.clinics(page.uc, who)
        return page.render("admin_home.html", clinics=clinics)

    @get("/clinics/new", name="pages:admin-new-clinic")
    async def new_clinic_form(self, page: NamedDependency[PageContext]) -> Template:
        """The form to open a clinic, with the usual policies filled in."""
        page.signed_in("admin")
        form = {k: v for k, v in clinic_form(_TEMPLATE_CLINIC).items() if k in _POLICY_FIELDS}
        return page.render("admin_clinic_new.html", form=form, errors={})

    @post("/clinics/new", status_code=303)
    async def open_clinic(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Open the clinic, then show its page (where its staff are registered)."""
        who = page.signed_in("admin")
        form = await page.form()
        errors: dict[str, str] = {}
        name, address, location, policies = read_clinic(form, errors)
        zone = form.get("timezone", "")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = "Enter a time zone like America/Chicago or Europe/Berlin."
        if not errors and location and policies:
            with refusal_on(errors, fields={InvalidTimezone: "timezone"}):
                clinic = await actions.open_clinic(
                    page.uc,
                    who,
                    name=name,
                    address=address,
                    location=location,
                    timezone=zone,
                    policies=policies,
                )
                return go(f"/app/admin/clinics/{clinic.id}", done="opened")
        return page.render("admin_clinic_new.html", status=400, form=form, errors=errors)

    @get("/clinics/{clinic_id:uuid}", name="pages:admin-clinic")
    async def clinic(
        self,
        page: NamedDependency[PageContext],
        clinic_id: FromPath[UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        """The clinic's details and policies (to change), its therapists and accounts."""
        who = page.signed_in("admin")
        view = await actions.clinic(page.uc, who, clinic_id)
        return await self._clinic_page(
            page,
            who,
            view,
            form=clinic_form(view),
            errors={},
            account_form={},
            account_errors={},
            done=done,
        )

    async def _clinic_page(
        self,
        page: PageContext,
        who: Actor,
        view: ClinicView,
        *,
        form: dict[str, str],
        errors: dict[str, str],
        account_form: dict[str, str],
        account_errors: dict[str, str],
        done: str = "",
        status: int = 200,
    ) -> Template:
        therapists = await clinic_actions.therapists(page.uc, who, view.id)
        patients = await patient_actions.search(page.uc, who, view.id, text="")
        accounts = await account_actions.clinic_accounts(page.uc, who, view.id)
        names = {t.id: t.name for t in therapists} | {p.id: p.name for p in patients}
        return page.render(
            "admin_clinic.html",
            status=status,
            clinic=view,
            form=form,
            errors=errors,
            account_form=account_form,
            account_errors=account_errors,
            therapists=therapists,
            patients=patients,
            accounts=accounts,
            names=names,
            roles=ROLES,
            slot_choices=SLOT_CHOICES,
            done=done,
        )

    @post("/clinics/{clinic_id:uuid}", status_code=303)
    async def change_clinic(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save the clinic's new details and policies (its time zone stays)."""
        who = page.signed_in("admin")
        form = await page.form()
        view = await actions.clinic(page.uc, who, clinic_id)
        errors: dict[str, str] = {}
        name, address, location, policies = read_clinic(form, errors)
        if not errors and location and policies:
            with refusal_on(errors):
                await actions.change_clinic(
                    page.uc,
                    who,
                    clinic_id,
                    name=name,
                    address=address,
                    location=location,
                    policies=policies,
                    reason=form.get("reason", ""),
                )
                return go(f"/app/admin/clinics/{clinic_id}", done="saved")
        return await self._clinic_page(
            page,
            who,
            view,
            form={**form, "timezone": view.timezone},
            errors=errors,
            account_form={},
            account_errors={},
            status=400,
        )

    @post("/clinics/{clinic_id:uuid}/accounts", status_code=303)
    async def open_account(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Open a sign-in for one of the clinic's dispatchers, therapists or patients."""
        who = page.signed_in("admin")
        form = await page.form()
        view = await actions.clinic(page.uc, who, clinic_id)
        errors = _account_errors(form)
        if not errors:
            role = form["role"]
            taken = ("email", "This e-mail address already has an account.")
            with refusal_on(
                errors, "account_form", fields={AccountExists: taken}, catch=(InvalidAccount,)
            ):
                await account_actions.open_account(
                    page.uc,
                    who,
                    email=form["email"],
                    password=form["password"],
                    role=role,
                    clinic_id=clinic_id if role == "dispatcher" else None,
                    therapist_id=UUID(form["therapist"]) if role == "therapist" else None,
                    patient_id=UUID(form["patient"]) if role == "patient" else None,
                )
                return go(f"/app/admin/clinics/{clinic_id}", done="account")
        form.pop("password", None)  # a password is never sent back to the browser
        return await self._clinic_page(
            page,
            who,
            view,
            form=clinic_form(view),
            errors={},
            account_form=form,
            account_errors=errors,
            status=400,
        )


def _account_errors(form: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    forms.credentials(form, errors)
    role = form.get("role", "")
    if role not in ROLES:
        errors["role"] = "Choose who the account is for."
    for needed in ("therapist", "patient"):
        if role == needed:
            try:
                UUID(form.get(needed, ""))
            except ValueError:
                errors[needed] = f"Choose the {needed} this account is for."
    return errors


_TEMPLATE_CLINIC = ClinicView(
    id=UUID(int=0),
    name="",
    address="",
    location=(0.0, 0.0),
    timezone="",
    travel_speed_kmh=Policies().travel_speed_kmh,
    late_cancel_hours=Policies().late_cancel_hours,
)
_POLICY_FIELDS = (
    "late_cancel_hours",
    "slot_minutes",
    "offer_hours",
    "reassessment_every",
    "evaluation_minutes",
    "travel_speed_kmh",
)
