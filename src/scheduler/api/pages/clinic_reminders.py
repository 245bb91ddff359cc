"""`/app/desk/clinics/{clinic}/reminders`: the clinic's reminder lead time and quiet
hours, for its dispatchers and admins (blank: the deployment's)."""

from __future__ import annotations

import re
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.usecases import admin as clinic_actions
from scheduler.usecases import notifications as actions
from scheduler.usecases.actor import Actor

QUIET = re.compile(r"^\s*(\d{1,2})\s*[-\u2013]\s*(\d{1,2})\s*$")


def read_reminders(
    form: dict[str, str], errors: dict[str, str]
) -> tuple[int | None, tuple[int, int] | None]:
    """(lead time, quiet hours) of the form; blank fields are None (the deployment's)."""
    hours: int | None = None
    quiet: tuple[int, int] | None = None
    raw = form.get("reminder_hours", "")
    if raw:
        if raw.isdigit() and int(raw) <= 168:
            hours = int(raw)
        else:
            errors["reminder_hours"] = "Enter whole hours from 0 (no reminders) to 168."
    raw = form.get("quiet_hours", "")
    if raw:
        found = QUIET.match(raw)
        start, end = (int(found[1]), int(found[2])) if found else (-1, -1)
        if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
            errors["quiet_hours"] = "Enter two different hours from 0 to 23, like 21-8."
        else:
            quiet = (start, end)
    return hours, quiet


class ClinicReminderPages(Controller):
    """`/app/desk/clinics/{clinic}/reminders`."""

    path = "/app/desk/clinics/{clinic_id:uuid}/reminders"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:clinic-reminders")
    async def show(self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]) -> Template:
        """The clinic's reminder settings and the form that changes them."""
        who = page.signed_in("admin", "dispatcher")
        own = await actions.reminders(page.uc, who, clinic_id)
        form = {
            "reminder_hours": "" if own.reminder_hours is None else str(own.reminder_hours),
            "quiet_hours": "" if own.quiet_hours is None else "{}-{}".format(*own.quiet_hours),
        }
        saved = page.request.query_params.get("done") == "saved"
        return await _page(page, who, clinic_id, form=form, errors={}, saved=saved)

    @post("/", status_code=303)
    async def save(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Save them (nothing at all if a field is wrong)."""
        who = page.signed_in("admin", "dispatcher")
        form = await page.form()
        errors: dict[str, str] = {}
        hours, quiet = read_reminders(form, errors)
        if not errors:
            with refusal_on(errors):
                await actions.set_reminders(
                    page.uc, who, clinic_id, reminder_hours=hours, quiet_hours=quiet
                )
                return go(f"/app/desk/clinics/{clinic_id}/reminders", done="saved")
        return await _page(page, who, clinic_id, form=form, errors=errors, status=400)


async def _page(
    page: PageContext,
    who: Actor,
    clinic_id: UUID,
    *,
    form: dict[str, str],
    errors: dict[str, str],
    saved: bool = False,
    status: int = 200,
) -> Template:
    clinic = await clinic_actions.clinic(page.uc, who, clinic_id)
    return page.render(
        "clinic_reminders.html",
        status=status,
        clinic=clinic,
        role=who.role,
        form=form,
        errors=errors,
        saved=saved,
        default_hours=page.settings.reminder_hours,
        default_quiet="{}-{}".format(*page.settings.quiet_hours),
    )
