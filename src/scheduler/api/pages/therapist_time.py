"""`/app/availability`: a therapist's own availability: weekly shifts (and asking for new
ones, which a dispatcher approves), time off, and reporting themself sick (the days are
blocked and a re-plan of them is queued for the dispatchers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.errors import ApiError
from scheduler.api.pages import availability, fields
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go, parse_date
from scheduler.domain.errors import SchedulingError
from scheduler.usecases import sick_calls as sick_actions
from scheduler.usecases import staff as staff_actions
from scheduler.usecases.errors import Forbidden, Unavailable

MAX_DAYS = 31
SICK_REPLAN_S = 10.0
DONE = {
    "time_off": "Your time off is recorded.",
    "shifts": "Your request is sent: a dispatcher approves it or declines it.",
    "sick": "Get well soon: the days are blocked and the clinic is re-planning your visits.",
}


def _days(form: dict[str, str], prefix: str, errors: dict[str, str]) -> tuple[Any, Any]:
    """A first and last day, in order and at most a month apart."""
    first = parse_date(form.get(f"{prefix}-first", ""), f"{prefix}-first", errors)
    last = parse_date(form.get(f"{prefix}-last", ""), f"{prefix}-last", errors)
    if first and last and last < first:
        errors[f"{prefix}-last"] = "The last day must be on or after the first day."
    elif first and last and (last - first).days >= MAX_DAYS:
        errors[f"{prefix}-last"] = f"Name at most {MAX_DAYS} days at a time."
    return first, last


class AvailabilityPages(Controller):
    """`/app/availability` and its three forms."""

    path = "/app/availability"
    include_in_schema = False
    opt = PUBLIC

    async def _page(
        self,
        page: PageContext,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
        preview: sick_actions.SickCallPreview | None = None,
    ) -> Template:
        who = page.signed_in("therapist")
        me = await staff_actions.me(page.uc, who)
        requests = [
            (availability.describe({d: [list(w)] for d, w in r["shifts"].items()}), r)
            for r in me.therapist.shift_requests
        ]
        zone = ZoneInfo(me.timezone)
        offs = [
            (
                t["start"].astimezone(zone).date(),
                (t["end"] - timedelta(minutes=1)).astimezone(zone).date(),
                t["kind"].replace("_", " "),
                t.get("reason", ""),
            )
            for t in me.therapist.time_off
        ]
        shifts = {day: [list(window)] for day, window in me.therapist.shifts.items()}
        return page.render(
            "therapist_time.html",
            status=status,
            therapist=me.therapist,
            shifts=availability.describe(shifts),
            requests=requests,
            zone=zone,
            offs=offs,
            preview=preview,
            role=who.role,
            form=form or {},
            errors=errors or {},
            done=DONE.get(page.request.query_params.get("done", ""), ""),
            example="Mon-Thu 9-17, Fri 9-13",
        )

    @get("/", name="pages:availability")
    async def show(self, page: NamedDependency[PageContext]) -> Template:
        """Shifts, requests, time off, and the sick form."""
        return await self._page(page)

    async def _answer(
        self, page: PageContext, *, form: dict[str, str], errors: dict[str, str], done: str
    ) -> Template | Redirect:
        if errors:
            return await self._page(page, form=form, errors=errors, status=400)
        return go("/app/availability", done=done)

    @post("/time-off", status_code=303)
    async def time_off(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Block whole days as time off."""
        who = page.signed_in("therapist")
        form = await page.form()
        errors: dict[str, str] = {}
        first, last = _days(form, "off", errors)
        reason = fields.text(form, "off-reason", errors, label="the reason", limit=500)
        if not errors and who.acts_for is not None:
            with refusal_on(errors, "off-first", catch=(SchedulingError, Forbidden)):
                await staff_actions.record_time_off(
                    page.uc, who, who.acts_for, first=first, last=last, reason=reason
                )
        return await self._answer(page, form=form, errors=errors, done="time_off")

    @post("/shift-requests", status_code=303)
    async def request_shifts(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Ask for new weekly shifts: one working window per day."""
        who = page.signed_in("therapist")
        form = await page.form()
        errors: dict[str, str] = {}
        if not form.get("shifts"):
            errors["shifts"] = "Write the shifts you would like, for example Mon-Fri 9-17."
        weekly = fields.weekly(form, "shifts", errors)
        if any(len(windows) > 1 for windows in weekly.values()):
            errors["shifts"] = "Name one working window per day."
        reason = fields.text(form, "shifts-reason", errors, label="the reason", limit=500)
        if not errors:
            with refusal_on(errors, "shifts"):
                await staff_actions.request_shift_change(
                    page.uc, who, shifts={d: w[0] for d, w in weekly.items()}, reason=reason
                )
        return await self._answer(page, form=form, errors=errors, done="shifts")

    @post("/sick", status_code=303)
    async def sick(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Report myself sick for whole days; the clinic re-plans them."""
        who = page.signed_in("therapist")
        form = await page.form()
        errors: dict[str, str] = {}
        first, last = _days(form, "sick", errors)
        reason = fields.text(form, "sick-reason", errors, label="the reason", limit=500)
        if not errors and who.acts_for is not None:
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            refusals = (SchedulingError, Forbidden, ApiError, Unavailable)
            with refusal_on(errors, "sick-first", catch=refusals):
                if form.get("confirm") != "yes":  # first, what it would displace
                    preview = await sick_actions.preview_sick_call(
                        page.uc, who, who.acts_for, dates=days
                    )
                    return await self._page(page, form=form, preview=preview)
                await sick_actions.report_sick(
                    page.uc,
                    who,
                    who.acts_for,
                    dates=days,
                    reason=reason,
                    time_limit_s=SICK_REPLAN_S,
                )
        return await self._answer(page, form=form, errors=errors, done="sick")
