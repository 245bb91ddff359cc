"""The dispatcher's actions on the board: optimize, follow the job, apply, pin, sick calls
(confirmed on their own page before they are recorded, and undone from the board).

Each is an ordinary form POST (CSRF-checked) answered by a redirect to the board with a
notice; a queued optimization's progress and proposal come from `/app/board/jobs/{id}`,
which `board.js` polls (without the script, the board links to it). The actions are the
JSON API's own (`scheduler.usecases.dispatch` and `.sessions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.web import PageContext, go, parse_date
from scheduler.api.schemas.dispatch import Applied, Preview, sick_call_days
from scheduler.domain.errors import NotFound, SchedulingError
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import dispatch as actions
from scheduler.usecases import sessions as session_actions
from scheduler.usecases import sick_calls as sick_actions
from scheduler.usecases.errors import Forbidden

MAX_DAYS = 7
"""The board optimizes at most a week from the shown day (the API allows longer ranges)."""

SOLVE_SECONDS = 3.0
"""The board's optimize button asks for a short solve: a dispatcher is waiting."""


@dataclass(frozen=True)
class JobPreview:
    """A proposal's diff as the API shows it, and the names it mentions."""

    preview: Preview
    names: dict[UUID, str]


class DispatchPages(Controller):
    """`/app/board/...`: what the board's buttons do."""

    path = "/app/board"
    include_in_schema = False
    opt = PUBLIC

    @post("/optimize", status_code=303)
    async def optimize(self, page: NamedDependency[PageContext]) -> Redirect:
        """Queue an optimization of the shown day and the next few (booked visits stay put)."""
        who = page.signed_in("dispatcher")
        form = await page.form()
        day = parse_date(form.get("date", ""), "date", {})
        raw = form.get("days", "1")
        count = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 2 else 0
        if day is None or not 1 <= count <= MAX_DAYS:
            return go("/app/board", notice=f"choose a day and 1 to {MAX_DAYS} days to optimize")
        clinic = await clinic_actions.mine(page.uc, who)
        try:
            state = await actions.optimize(
                page.uc,
                who,
                clinic.id,
                first=day,
                last=day + timedelta(days=count - 1),
                time_limit_s=SOLVE_SECONDS,
            )
        except SchedulingError as error:
            return go("/app/board", date=day, notice=f"not optimized: {error}")
        return go("/app/board", date=day, job=state.id)

    @get("/jobs/{job_id:str}", name="pages:job")
    async def job(self, page: NamedDependency[PageContext], job_id: FromPath[str]) -> Template:
        """The job's progress, or its proposal as a diff once it is done (a fragment)."""
        who = page.signed_in("dispatcher")
        try:
            state = await actions.job(page.uc, who, job_id)
        except Forbidden:
            state = None
        if state is None:
            return page.render("_job.html", status=404, state=None, preview=None, job_id=job_id)
        preview = None
        if state.status == "complete" and state.proposal_id:
            found = await actions.preview(page.uc, who, UUID(state.proposal_id))
            preview = JobPreview(Preview.of(found.diff, found.timezone), found.names)
        return page.render("_job.html", state=state, preview=preview, job_id=job_id)

    @post("/proposals/{proposal_id:uuid}/apply", status_code=303)
    async def apply(
        self, page: NamedDependency[PageContext], proposal_id: FromPath[UUID]
    ) -> Redirect:
        """Apply the proposal as booking commands; what was booked meanwhile wins."""
        who = page.signed_in("dispatcher")
        form = await page.form()
        # "Apply the checked items" sends their keys; "Apply all" sends none.
        keys = (await page.request.form()).getall("only", [])
        only = None if form.get("all") else [str(key) for key in keys]
        try:
            done = await actions.apply(page.uc, who, proposal_id, only=only)
        except NotFound:
            raise  # an unknown proposal is the error page, like any unknown record
        except SchedulingError as error:
            return go("/app/board", date=form.get("date", ""), notice=f"not applied: {error}")
        applied = Applied.of(done.outcome, done.timezone)
        notice = (
            f"applied {len(applied.applied)} change(s), {len(applied.unchanged)} unchanged, "
            f"{len(applied.conflicts)} conflict(s) with bookings made meanwhile"
        )
        if applied.skipped:
            notice += f", {len(applied.skipped)} left out"
        if applied.postponed:
            notice += (
                f"; {len(applied.postponed)} displaced visit(s) postponed: their patients see "
                "options and are first on the waitlist"
            )
        return go("/app/board", date=form.get("date", ""), notice=notice)

    @post("/sessions/{session_id:uuid}/pin", status_code=303)
    async def pin(self, page: NamedDependency[PageContext], session_id: FromPath[UUID]) -> Redirect:
        """Pin a visit (or release it): optimizations leave a pinned visit where it is."""
        who = page.signed_in("dispatcher")
        form = await page.form()
        pinned = form.get("pinned") != "0"
        reason = form.get("reason") or ("pinned on the board" if pinned else "released")
        try:
            await session_actions.pin(page.uc, who, session_id, pinned=pinned, reason=reason)
        except NotFound:
            raise
        except SchedulingError as error:
            return go("/app/board", date=form.get("date", ""), notice=f"not pinned: {error}")
        notice = "visit pinned" if pinned else "visit released"
        return go("/app/board", date=form.get("date", ""), notice=notice)

    @get("/therapists/{therapist_id:uuid}/sick", name="pages:sick-call")
    async def sick_confirm(
        self, page: NamedDependency[PageContext], therapist_id: FromPath[UUID]
    ) -> Template:
        """The sick call to confirm: its days and every visit it would displace."""
        who = page.signed_in("dispatcher")
        query = page.request.query_params
        errors: dict[str, str] = {}
        first = parse_date(query.get("from", query.get("date", "")), "from", errors)
        last = parse_date(
            query.get("to", "") or query.get("from", query.get("date", "")), "to", errors
        )
        found = None
        if first is not None and last is not None:
            try:
                days = sick_call_days([], first, last)
                found = await sick_actions.preview_sick_call(page.uc, who, therapist_id, dates=days)
            except NotFound:
                raise
            except SchedulingError as error:
                errors["to"] = f"{error}"[:1].upper() + f"{error}"[1:] + "."
        return page.render(
            "sick.html",
            status=400 if errors else 200,
            therapist_id=therapist_id,
            first=query.get("from", query.get("date", "")),
            last=query.get("to", "") or query.get("from", query.get("date", "")),
            found=found,
            errors=errors,
        )

    @post("/therapists/{therapist_id:uuid}/sick", status_code=303)
    async def sick(
        self, page: NamedDependency[PageContext], therapist_id: FromPath[UUID]
    ) -> Redirect:
        """Record the confirmed sick call (its visits are displaced at once) and queue
        the re-plan; the board then follows the job and offers to undo the call."""
        who = page.signed_in("dispatcher")
        form = await page.form()
        first = parse_date(form.get("from", form.get("date", "")), "from", {})
        last = parse_date(form.get("to", "") or form.get("from", form.get("date", "")), "to", {})
        if first is None or last is None:
            return go("/app/board", notice="choose the days the therapist is off sick")
        try:
            call = await sick_actions.report_sick(
                page.uc,
                who,
                therapist_id,
                dates=sick_call_days([], first, last),
                reason=form.get("reason") or "sick",
                time_limit_s=SOLVE_SECONDS,
            )
        except NotFound:
            raise
        except SchedulingError as error:
            return go("/app/board", date=first, notice=f"not recorded: {error}")
        span = f"{first}" if first == last else f"{first} to {last}"
        notice = (
            f"{call.therapist_name} is off sick on {span}; {len(call.displaced)} visit(s) "
            "need a new time"
        )
        # The board opens on the first day that lost a visit (else the first sick day).
        shown = min((d.session.start_local.date() for d in call.displaced), default=first)
        return go(
            "/app/board", date=shown, job=call.job.id, notice=notice, sick_call=call.sick_call_id
        )

    @post("/sick-calls/{sick_call_id:uuid}/undo", status_code=303)
    async def undo_sick(
        self, page: NamedDependency[PageContext], sick_call_id: FromPath[UUID]
    ) -> Redirect:
        """Undo a sick call: the days are free, waiting visits go back where they were."""
        who = page.signed_in("dispatcher")
        form = await page.form()
        try:
            done = await sick_actions.undo_sick_call(
                page.uc, who, sick_call_id, reason=form.get("reason", "")
            )
        except NotFound:
            raise
        except SchedulingError as error:
            return go("/app/board", date=form.get("date", ""), notice=f"not undone: {error}")
        undone = done.undone
        notice = f"sick call undone: {len(undone.restored)} visit(s) back where they were"
        if undone.waiting:
            notice += f", {len(undone.waiting)} still need a new time (their time was taken)"
        return go("/app/board", date=form.get("date", ""), notice=notice)
