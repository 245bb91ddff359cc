"""The patient's page: the plan (done, left, next), a way to its times, the waitlist."""

from __future__ import annotations

from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.errors import TooManyRequests
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go, parse_date
from scheduler.domain.errors import SchedulingError
from scheduler.usecases import accounts as account_actions
from scheduler.usecases import waitlist as waitlist_actions
from scheduler.usecases.errors import Forbidden
from scheduler.usecases.home import patient_home


class PatientPages(Controller):
    """`/app/patient`: a patient's plan and sessions."""

    path = "/app/patient"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:patient")
    async def home(self, page: NamedDependency[PageContext]) -> Template:
        """The plan (done, left, next), a link to its times, and upcoming sessions."""
        return await self._home(page)

    async def _home(
        self,
        page: PageContext,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> Template:
        who = page.signed_in("patient")
        home = await patient_home(page.uc, who)
        account = await account_actions.my_account(page.uc, who)
        today = page.uc.clock().astimezone(ZoneInfo(home.timezone)).date()
        return page.render(
            "patient.html",
            status=status,
            home=home,
            zone=ZoneInfo(home.timezone),
            errors=errors or {},
            form=form or {},
            today=today,
            booked=page.request.query_params.get("booked"),
            cancelled=page.request.query_params.get("cancelled"),
            late=page.request.query_params.get("late") == "1",
            moved=page.request.query_params.get("moved"),
            joined=page.request.query_params.get("joined"),
            verified=account.verified,
            verification_sent=page.request.query_params.get("verification") == "sent",
        )

    @post("/verification", status_code=303)
    async def resend_verification(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Mail the e-mail verification link again."""
        who = page.signed_in("patient")
        await page.form()
        errors: dict[str, str] = {}
        with refusal_on(errors, catch=(TooManyRequests,)):
            sent = await account_actions.resend_verification(page.uc, who)
            return go("/app/patient", verification="sent" if sent else "")
        return await self._home(page, status=429, errors=errors)

    @post("/plans/{plan_id:uuid}/waitlist", status_code=303)
    async def join_waitlist(
        self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Wait for freed time between two dates (the clinic's days, inclusive)."""
        who = page.signed_in("patient")
        form = await page.form()
        errors: dict[str, str] = {}
        prefix = f"wait-{plan_id}"
        first = parse_date(form.get("earliest", ""), f"{prefix}-earliest", errors)
        last = parse_date(form.get("latest", ""), f"{prefix}-latest", errors)
        if first and last and last < first:
            errors[f"{prefix}-latest"] = "The last day must be on or after the first day."
        if first and last and not errors:
            with refusal_on(errors, f"{prefix}-earliest", catch=(SchedulingError, Forbidden)):
                await waitlist_actions.join_days(page.uc, who, plan_id, first=first, last=last)
                return go("/app/patient", joined=plan_id)
        return await self._home(page, status=400, errors=errors, form=form)
