"""The front desk's therapist pages (dispatchers and admins): register a therapist,
change their profile and shifts, record time off, deactivate, decide shift requests.

Every form calls the action the JSON route calls (`usecases.staff`).
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages import forms
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go, parse_date
from scheduler.domain import TherapistView
from scheduler.usecases import admin as admin_actions
from scheduler.usecases import staff as actions
from scheduler.usecases.actor import Actor

DESK = ("dispatcher", "admin")
DONE = {
    "registered": "The therapist is registered. Open their account from the clinic's page.",
    "profile": "The profile is saved.",
    "shifts": "The new shifts apply from now on.",
    "time_off": "The time off is recorded.",
    "deactivated": "The therapist is deactivated: no new bookings (booked sessions stay).",
    "activated": "The therapist takes bookings again.",
    "approved": "The shift request is approved: the new shifts apply from now on.",
    "declined": "The shift request is declined.",
    "account": "The account is open. Give the therapist the e-mail address and password.",
}


def profile_form(therapist: TherapistView) -> dict[str, str]:
    """The profile form's fields showing `therapist` as they are."""
    home = therapist.home
    return {
        "name": therapist.name,
        "phone": therapist.phone,
        "mobile": "yes" if therapist.mobile else "no",
        "home_latitude": f"{home[0]:g}" if home else "",
        "home_longitude": f"{home[1]:g}" if home else "",
        "max_visits_per_day": str(therapist.max_visits_per_day),
    }


async def read_profile(
    page: PageContext, form: dict[str, str], errors: dict[str, str]
) -> tuple[actions.Profile | None, list[str]]:
    """The therapist profile of the form (None with field messages if it is not whole)."""
    chosen = [str(v) for v in (await page.request.form()).getall("specializations", [])]
    skills = forms.skills(chosen, errors)
    name = form.get("name", "")
    if not name:
        errors["name"] = "Enter the therapist's name."
    mobile = form.get("mobile", "")
    if mobile not in ("yes", "no"):
        errors["mobile"] = "Choose home visits or clinic-based."
    home = forms.point(form, "home", errors, required=mobile == "yes")
    visits = forms.whole(
        form.get("max_visits_per_day", ""), "max_visits_per_day", errors, low=1, high=20
    )
    if errors or visits is None:
        return None, chosen
    profile = actions.Profile(
        name=name,
        specializations=skills,
        mobile=mobile == "yes",
        home=home,
        max_visits_per_day=visits,
        phone=form.get("phone", ""),
    )
    return profile, chosen


class StaffPages(Controller):
    """`/app/desk/clinics/{id}/therapists/new` and `/app/desk/therapists/{id}`."""

    path = "/app/desk"
    include_in_schema = False
    opt = PUBLIC

    @get("/clinics/{clinic_id:uuid}/therapists/new", name="pages:new-therapist")
    async def new_therapist_form(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template:
        """The form to register a therapist with weekly shifts."""
        who = page.signed_in(*DESK)
        return await self._new_page(page, who, clinic_id, form={}, chosen=[], errors={})

    async def _new_page(
        self,
        page: PageContext,
        who: Actor,
        clinic_id: UUID,
        *,
        form: dict[str, str],
        chosen: list[str],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        clinic = await admin_actions.clinic(page.uc, who, clinic_id)
        return page.render(
            "desk_therapist_new.html",
            status=status,
            role=who.role,
            clinic=clinic,
            form=form,
            chosen=chosen,
            errors=errors,
            skills=forms.SKILLS,
            day_names=forms.DAY_NAMES,
        )

    @post("/clinics/{clinic_id:uuid}/therapists/new", status_code=303)
    async def register(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Register the therapist, then show their page."""
        who = page.signed_in(*DESK)
        form = await page.form()
        errors: dict[str, str] = {}
        profile, chosen = await read_profile(page, form, errors)
        shifts = forms.weekly_shifts(form, errors)
        if profile and not errors:
            with refusal_on(errors):
                therapist = await actions.register_therapist(
                    page.uc, who, clinic_id, profile=profile, shifts=shifts
                )
                return go(f"/app/desk/therapists/{therapist.id}", done="registered")
        return await self._new_page(
            page, who, clinic_id, form=form, chosen=chosen, errors=errors, status=400
        )

    @get("/therapists/{therapist_id:uuid}", name="pages:desk-therapist")
    async def therapist(
        self,
        page: NamedDependency[PageContext],
        therapist_id: FromPath[UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        """A therapist's profile, shifts, time off, status and shift requests."""
        who = page.signed_in(*DESK)
        view = await actions.therapist(page.uc, who, therapist_id)
        return await self.render_page(page, who, view, done=DONE.get(done, ""))

    @staticmethod
    async def render_page(
        page: PageContext,
        who: Actor,
        view: TherapistView,
        *,
        typed: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        failed: str = "",
        chosen: list[str] | None = None,
        done: str = "",
        status: int = 200,
    ) -> Template:
        """The therapist's page; `failed` names the form shown again with what was
        `typed` into it, and its `errors`."""
        shown = {
            "profile": profile_form(view),
            "shifts": forms.shifts_form(view.shifts),
            "time_off": {},
            "account": {},
        }
        if typed is not None:
            shown[failed] = typed
        clinic = await admin_actions.clinic(page.uc, who, view.clinic_id)
        return page.render(
            "desk_therapist.html",
            status=status,
            role=who.role,
            clinic=clinic,
            therapist=view,
            forms=shown,
            errors=errors or {},
            failed=failed,
            chosen=list(view.specializations) if chosen is None else chosen,
            skills=forms.SKILLS,
            day_names=forms.DAY_NAMES,
            clock=forms.clock,
            time_off=forms.days_off(view.time_off, clinic.timezone),
            done=done,
        )

    @post("/therapists/{therapist_id:uuid}/profile", status_code=303)
    async def change_profile(
        self, page: NamedDependency[PageContext], therapist_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save a new profile (skills, base, visits per day, phone)."""
        who = page.signed_in(*DESK)
        form = await page.form()
        view = await actions.therapist(page.uc, who, therapist_id)
        errors: dict[str, str] = {}
        profile, chosen = await read_profile(page, form, errors)
        if profile and not errors:
            with refusal_on(errors):
                await actions.change_profile(
                    page.uc, who, therapist_id, profile=profile, reason=form.get("reason", "")
                )
                return go(f"/app/desk/therapists/{therapist_id}", done="profile")
        return await self.render_page(
            page, who, view, typed=form, errors=errors, failed="profile", chosen=chosen, status=400
        )

    @post("/therapists/{therapist_id:uuid}/shifts", status_code=303)
    async def change_shifts(
        self, page: NamedDependency[PageContext], therapist_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Replace the weekly shifts from now on."""
        who = page.signed_in(*DESK)
        form = await page.form()
        view = await actions.therapist(page.uc, who, therapist_id)
        errors: dict[str, str] = {}
        shifts = forms.weekly_shifts(form, errors)
        if not errors:
            with refusal_on(errors, "shifts_form"):
                await actions.change_shifts(
                    page.uc, who, therapist_id, shifts=shifts, reason=form.get("shifts_reason", "")
                )
                return go(f"/app/desk/therapists/{therapist_id}", done="shifts")
        return await self.render_page(
            page, who, view, typed=form, errors=errors, failed="shifts", status=400
        )

    @post("/therapists/{therapist_id:uuid}/time-off", status_code=303)
    async def time_off(
        self, page: NamedDependency[PageContext], therapist_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Block whole days first..last as time off."""
        who = page.signed_in(*DESK)
        form = await page.form()
        view = await actions.therapist(page.uc, who, therapist_id)
        errors: dict[str, str] = {}
        first = parse_date(form.get("first", ""), "first", errors)
        last = parse_date(form.get("last", ""), "last", errors)
        if first and last and last < first:
            errors["last"] = "The last day off cannot be before the first."
        if first and last and not errors:
            with refusal_on(errors, "time_off_form"):
                await actions.record_time_off(
                    page.uc, who, therapist_id, first=first, last=last, reason=form.get("why", "")
                )
                return go(f"/app/desk/therapists/{therapist_id}", done="time_off")
        return await self.render_page(
            page, who, view, typed=form, errors=errors, failed="time_off", status=400
        )

    @post("/therapists/{therapist_id:uuid}/active", status_code=303)
    async def set_active(
        self, page: NamedDependency[PageContext], therapist_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Deactivate the therapist (or take them back)."""
        who = page.signed_in(*DESK)
        form = await page.form()
        view = await actions.therapist(page.uc, who, therapist_id)
        if form.get("active") not in ("yes", "no"):
            errors = {"active_form": "Choose whether the therapist takes bookings."}
            return await self.render_page(
                page, who, view, errors=errors, failed="active", status=400
            )
        active = form["active"] == "yes"
        await actions.set_active(
            page.uc, who, therapist_id, active=active, reason=form.get("active_reason", "")
        )
        return go(
            f"/app/desk/therapists/{therapist_id}", done="activated" if active else "deactivated"
        )

    @post("/therapists/{therapist_id:uuid}/requests/{request_id:uuid}", status_code=303)
    async def decide(
        self,
        page: NamedDependency[PageContext],
        therapist_id: FromPath[UUID],
        request_id: FromPath[UUID],
    ) -> Template | Redirect:
        """Approve or decline a therapist's shift change request."""
        who = page.signed_in(*DESK)
        form = await page.form()
        view = await actions.therapist(page.uc, who, therapist_id)
        decision = form.get("decision", "")
        if decision not in ("approve", "decline"):
            errors = {"request_form": "Choose approve or decline."}
            return await self.render_page(
                page, who, view, errors=errors, failed="request", status=400
            )
        errors = {}
        with refusal_on(errors, "request_form"):
            await actions.decide_shift_change(
                page.uc, who, therapist_id, request_id=request_id, approve=decision == "approve"
            )
            return go(
                f"/app/desk/therapists/{therapist_id}",
                done="approved" if decision == "approve" else "declined",
            )
        return await self.render_page(page, who, view, errors=errors, failed="request", status=409)
