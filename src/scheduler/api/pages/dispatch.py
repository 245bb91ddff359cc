"""The dispatcher's actions on the board: optimize, follow the job, apply, pin, sick calls.

Each is an ordinary form POST (CSRF-checked) answered by a redirect to the board with a
notice; a queued optimization's progress and proposal come from `/app/board/jobs/{id}`,
which `board.js` polls (without the script, the board links to it).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC, Principal
from scheduler.api.gateway import Gateway
from scheduler.api.pages.board import signed_in_dispatcher
from scheduler.api.pages.board_view import proposal_preview
from scheduler.api.pages.web import checked_form, go, parse_date, render
from scheduler.api.schemas.dispatch import Applied
from scheduler.api.services import apply_as, optimization_request, record_sick_days, set_pin
from scheduler.domain.errors import NotFound, SchedulingError
from scheduler.domain.timekeeping import local_date
from scheduler.planning.problem import Purpose
from scheduler.settings import Settings
from scheduler.worker import Optimizations

MAX_DAYS = 7
"""The board optimizes at most a week from the shown day (the API allows longer ranges)."""

SOLVE_SECONDS = 3.0
"""The board's optimize button asks for a short solve: a dispatcher is waiting."""


class DispatchPages(Controller):
    """`/app/board/...`: what the board's buttons do."""

    path = "/app/board"
    include_in_schema = False
    opt = PUBLIC

    @post("/optimize", status_code=303)
    async def optimize(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        optimizations: NamedDependency[Optimizations],
    ) -> Redirect:
        """Queue an optimization of the shown day and the next few (booked visits stay put)."""
        principal, clinic_id, zone = await signed_in_dispatcher(request, settings, gateway)
        form = await checked_form(request)
        day = parse_date(form.get("date", ""), "date", {}) or local_date(gateway.now(), zone)
        count = int(form["days"]) if form.get("days", "").isdigit() else 1
        days = [day + timedelta(days=n) for n in range(max(1, min(count, MAX_DAYS)))]
        job_id = await _queue(
            gateway,
            optimizations=optimizations,
            principal=principal,
            clinic_id=clinic_id,
            days=days,
            purpose="optimize",
        )
        if job_id is None:
            return go("/app/board", date=day, notice="past days cannot be optimized")
        return go("/app/board", date=day, job=job_id)

    @get("/jobs/{job_id:str}", name="pages:job")
    async def job(
        self,
        request: Request[Any, Any, Any],
        job_id: FromPath[str],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        optimizations: NamedDependency[Optimizations],
    ) -> Template:
        """The job's progress, or its proposal as a diff once it is done (a fragment)."""
        _, clinic_id, _ = await signed_in_dispatcher(request, settings, gateway)
        state = await optimizations.state(job_id)
        if state is None or UUID(state.clinic_id) != clinic_id:
            return render(request, "_job.html", status=404, state=None, preview=None, job_id=job_id)
        preview = None
        if state.status == "complete" and state.proposal_id:
            preview = await gateway.run(
                proposal_preview, gateway.scheduling, UUID(state.proposal_id)
            )
        return render(request, "_job.html", state=state, preview=preview, job_id=job_id)

    @post("/proposals/{proposal_id:uuid}/apply", status_code=303)
    async def apply(
        self,
        request: Request[Any, Any, Any],
        proposal_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Redirect:
        """Apply the proposal as booking commands; what was booked meanwhile wins."""
        principal, _, zone = await signed_in_dispatcher(request, settings, gateway)
        form = await checked_form(request)
        try:
            outcome = await apply_as(gateway, principal, proposal_id)
        except NotFound:
            raise  # an unknown proposal is the error page, like any unknown record
        except SchedulingError as error:
            return go("/app/board", date=form.get("date", ""), notice=f"not applied: {error}")
        applied = Applied.of(outcome, zone.key)
        notice = (
            f"applied {len(applied.applied)} change(s), {len(applied.unchanged)} unchanged, "
            f"{len(applied.conflicts)} conflict(s) with bookings made meanwhile"
        )
        return go("/app/board", date=form.get("date", ""), notice=notice)

    @post("/sessions/{session_id:uuid}/pin", status_code=303)
    async def pin(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Redirect:
        """Pin a visit (or release it): optimizations leave a pinned visit where it is."""
        principal, _, _ = await signed_in_dispatcher(request, settings, gateway)
        form = await checked_form(request)
        pinned = form.get("pinned") != "0"
        reason = form.get("reason") or ("pinned on the board" if pinned else "released")
        await set_pin(gateway, principal, session_id, reason, pinned=pinned)
        notice = "visit pinned" if pinned else "visit released"
        return go("/app/board", date=form.get("date", ""), notice=notice)

    @post("/therapists/{therapist_id:uuid}/sick", status_code=303)
    async def sick(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        optimizations: NamedDependency[Optimizations],
    ) -> Redirect:
        """Record the therapist off sick on the shown day and queue a re-plan of it."""
        principal, clinic_id, zone = await signed_in_dispatcher(request, settings, gateway)
        form = await checked_form(request)
        day = parse_date(form.get("date", ""), "date", {}) or local_date(gateway.now(), zone)
        therapist = await gateway.run(gateway.scheduling.get_therapist, therapist_id)
        await record_sick_days(
            gateway, principal, therapist_id, [day], form.get("reason") or "sick"
        )
        job_id = await _queue(
            gateway,
            optimizations=optimizations,
            principal=principal,
            clinic_id=clinic_id,
            days=[day],
            purpose="replan",
        )
        notice = f"{therapist.name} is off sick on {day}"
        return go("/app/board", date=day, job=job_id or "", notice=notice)


async def _queue(
    gateway: Gateway,
    *,
    optimizations: Optimizations,
    principal: Principal,
    clinic_id: UUID,
    days: list[date],
    purpose: Purpose,
) -> str | None:
    """Queue a solve of `days` (None when they are in the past: nothing is queued)."""
    try:
        request = await optimization_request(
            gateway,
            principal,
            clinic_id,
            (days[0], days[-1]),
            purpose=purpose,
            time_limit_s=SOLVE_SECONDS,
        )
    except SchedulingError:
        return None
    return await optimizations.submit(request)
