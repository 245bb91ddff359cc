"""`/app/treatment/{plan_id}`: a treatment plan for its therapist and the front desk:
progress and the pain trend, its sessions, and the changes over time (cadence, sessions
added or removed, pause and resume, the preferred therapist, discharge with a summary).

Each change is one small form posting `change`; all call the same action as the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages import fields
from scheduler.api.pages.clinical import STAFF, colleagues
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.domain.errors import SchedulingError
from scheduler.usecases import clinical
from scheduler.usecases import patients as patient_actions
from scheduler.usecases import plans as plan_actions
from scheduler.usecases.errors import Forbidden

CHANGES = ("cadence", "add", "remove", "pause", "resume", "switch", "discharge")
DONE = {
    "cadence": "The cadence is changed.",
    "add": "Sessions are added.",
    "remove": "Sessions are removed.",
    "pause": "The plan is paused: no new bookings until it is resumed.",
    "resume": "The plan is resumed.",
    "switch": "The preferred therapist is changed.",
    "discharge": "The patient is discharged: the plan is completed.",
}


def _change(form: dict[str, str], errors: dict[str, str], names: set[str]) -> dict[str, Any]:
    """The action's arguments for the posted change (errors keyed `<change>-<field>`)."""
    change = form.get("change", "")
    if change not in CHANGES:
        errors["form"] = "Choose one of the changes below."
        return {}
    reason = fields.text(form, f"{change}-reason", errors, label="the reason", limit=500)
    found: dict[str, Any] = {"change": change, "reason": reason}
    if change == "cadence":
        low = fields.whole(form, "cadence-min", errors, low=1, high=60, what="the fewest days")
        high = fields.whole(form, "cadence-max", errors, low=1, high=90, what="the most days")
        if low is not None and high is not None and low > high:
            errors["cadence-max"] = "The most days between sessions must be at least the fewest."
        found |= {"min_days": low, "max_days": high}
    elif change in ("add", "remove"):
        found["count"] = fields.whole(
            form, f"{change}-count", errors, low=1, high=50, what="how many sessions"
        )
    elif change == "switch":
        chosen = form.get("switch-therapist", "")
        if chosen and chosen not in names:
            errors["switch-therapist"] = "Choose a therapist of the list, or no preference."
        found["therapist_id"] = UUID(chosen) if chosen and chosen in names else None
    elif change == "discharge":
        found["summary"] = fields.text(
            form, "discharge-summary", errors, label="the summary", required=True, limit=4000
        )
    return found


class PlanPages(Controller):
    """`/app/treatment/{plan_id}`."""

    path = "/app/treatment/{plan_id:uuid}"
    include_in_schema = False
    opt = PUBLIC

    async def _plan(
        self,
        page: PageContext,
        plan_id: UUID,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        who = page.signed_in(*STAFF)
        progress = await clinical.progress(page.uc, who, plan_id)
        patient = await patient_actions.patient(page.uc, who, progress.plan.patient_id)
        sessions = await plan_actions.sessions(page.uc, who, plan_id)
        therapists, zone = await colleagues(page.uc, who)
        done = page.request.query_params.get("done", "")
        return page.render(
            "clinical_plan.html",
            status=status,
            plan=progress.plan,
            progress=progress,
            patient=patient,
            sessions=sessions,
            therapists=therapists,
            names={t.id: t.name for t in therapists},
            zone=zone,
            role=who.role,
            form=form or {},
            errors=errors or {},
            done=DONE.get(done, ""),
        )

    @get("/", name="pages:treatment")
    async def plan(self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]) -> Template:
        """The plan, its progress and sessions, and the changes it may take."""
        return await self._plan(page, plan_id)

    @post("/changes", status_code=303)
    async def change(
        self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]
    ) -> Template | Redirect:
        """One change of the plan, recorded with its reason."""
        who = page.signed_in(*STAFF)
        form = await page.form()
        errors: dict[str, str] = {}
        therapists, _ = await colleagues(page.uc, who)
        found = _change(form, errors, {str(t.id) for t in therapists})
        if not errors:
            field = f"{found['change']}-form"
            with refusal_on(
                errors, field, said="Not changed: {}.", catch=(SchedulingError, Forbidden)
            ):
                await clinical.change_plan(page.uc, who, plan_id, **found)
        if errors:
            return await self._plan(page, plan_id, form=form, errors=errors, status=400)
        return go(f"/app/treatment/{plan_id}", done=found["change"])
