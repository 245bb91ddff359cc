"""Choosing a time, for a plan's next session or to move a session: the options (by day,
filtered), a review, then the booking, its confirmation and an "add to calendar" file.

The options and the review come from the same actions as the JSON API
(`plans.options`, `plans.move_options`, `choosing.review`); the booking and the move
are the ordinary commands, which decide again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from icalendar import Calendar, Event
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.submit import REFUSALS, refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.options.search import PARTS_OF_DAY
from scheduler.usecases import choosing
from scheduler.usecases import plans as plan_actions
from scheduler.usecases import sessions as session_actions
from scheduler.usecases.plans import OptionQuery

PAGE = 24
"""Times per page on the options page."""


def _query(request: Request[Any, Any, Any]) -> OptionQuery:
    """The filters of the options page's query string (what does not parse is ignored)."""
    params = request.query_params

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(params.get(name, ""))
        except ValueError:
            return None

    try:
        therapist = UUID(params.get("therapist", ""))
    except ValueError:
        therapist = None
    part = params.get("part") if params.get("part") in PARTS_OF_DAY else None
    first, last = day("from"), day("to")
    if first and last and last < first:
        first, last = last, first
    try:
        page = max(1, min(int(params.get("page", "1")), 1000))
    except ValueError:
        page = 1
    return OptionQuery(therapist, part, first, last, page, PAGE)


def _option(raw: str) -> tuple[UUID, datetime] | None:
    """'therapist-id@start' as the options page's radio buttons send it."""
    therapist, _, start = raw.partition("@")
    try:
        moment = datetime.fromisoformat(start)
        return (UUID(therapist), moment) if moment.tzinfo else None
    except ValueError:
        return None


class BookingPages(Controller):
    """`/app/patient/...`: options, review, book or move, confirmation, calendar file."""

    path = "/app/patient"
    include_in_schema = False
    opt = PUBLIC

    @get("/plans/{plan_id:uuid}/options", name="pages:options")
    async def options(
        self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]
    ) -> Template:
        """Every time the plan's next session can be booked, by day, with filters."""
        who = page.signed_in("patient")
        query = _query(page.request)
        found = await plan_actions.options(page.uc, who, plan_id, query)
        action = f"/app/patient/plans/{plan_id}"
        return page.render("options.html", found=found, query=query, action=action)

    @get("/sessions/{session_id:uuid}/move", name="pages:move")
    async def move_options(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template:
        """Every time the session can move to, by day, with the cadence window explained."""
        who = page.signed_in("patient")
        query = _query(page.request)
        found = await plan_actions.move_options(page.uc, who, session_id, query)
        moving = await session_actions.page(page.uc, who, session_id)
        action = f"/app/patient/sessions/{session_id}/move"
        return page.render("options.html", found=found, query=query, action=action, moving=moving)

    async def _review(
        self,
        page: PageContext,
        plan_id: UUID,
        *,
        moving: UUID | None,
        back: str,
        raw: str,
        status: int = 200,
        problem: str = "",
    ) -> Template:
        who = page.signed_in("patient")
        chosen = _option(raw)
        if chosen is None:
            return page.render("review.html", status=400, chosen=None, back=back, raw=raw)
        therapist_id, start = chosen
        seen = await choosing.review(
            page.uc, who, plan_id, therapist_id=therapist_id, start=start, moving=moving
        )
        return page.render(
            "review.html",
            status=409 if problem else status,
            chosen=seen,
            back=back,
            raw=raw,
            problem=problem or seen.problem,
        )

    @get("/plans/{plan_id:uuid}/review", name="pages:review")
    async def review(self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]) -> Template:
        """The chosen time before booking: day, time, therapist, place, the policy."""
        raw = page.request.query_params.get("option", "")
        back = f"/app/patient/plans/{plan_id}/options"
        return await self._review(page, plan_id, moving=None, back=back, raw=raw)

    @get("/sessions/{session_id:uuid}/move/review", name="pages:move-review")
    async def move_review(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template:
        """The new time before moving: day, time, therapist, place, the policy."""
        raw = page.request.query_params.get("option", "")
        back = f"/app/patient/sessions/{session_id}/move"
        return await self._review(page, session_id, moving=session_id, back=back, raw=raw)

    @post("/plans/{plan_id:uuid}/book", status_code=303)
    async def book(
        self, page: NamedDependency[PageContext], plan_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Book the reviewed time (the booking rules decide again)."""
        who = page.signed_in("patient")
        form = await page.form()
        raw = form.get("option", "")
        back = f"/app/patient/plans/{plan_id}/options"
        chosen = _option(raw)
        if chosen is None:
            return page.render("review.html", status=400, chosen=None, back=back, raw=raw)
        refused: dict[str, str] = {}
        with refusal_on(refused, "problem", said="{}", catch=REFUSALS):
            session = await session_actions.book(
                page.uc,
                who,
                plan_id,
                therapist_id=chosen[0],
                start=chosen[1],
                reason="booked by the patient",
            )
            return go(f"/app/patient/sessions/{session.id}/booked")
        return await self._review(
            page, plan_id, moving=None, back=back, raw=raw, problem=refused["problem"]
        )

    @post("/sessions/{session_id:uuid}/move", status_code=303)
    async def move(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Move the session to the reviewed time (the move's rules decide again)."""
        who = page.signed_in("patient")
        form = await page.form()
        raw = form.get("option", "")
        back = f"/app/patient/sessions/{session_id}/move"
        chosen = _option(raw)
        if chosen is None:
            return page.render("review.html", status=400, chosen=None, back=back, raw=raw)
        refused: dict[str, str] = {}
        with refusal_on(refused, "problem", said="{}", catch=REFUSALS):
            await session_actions.move(
                page.uc,
                who,
                session_id,
                start=chosen[1],
                therapist_id=chosen[0],
                reason=form.get("reason") or "moved by the patient",
            )
            return go(f"/app/patient/sessions/{session_id}/booked", moved=1)
        return await self._review(
            page, session_id, moving=session_id, back=back, raw=raw, problem=refused["problem"]
        )

    @get("/sessions/{session_id:uuid}/booked", name="pages:booked")
    async def booked(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template:
        """The confirmation: what is booked, where, the policy, and the calendar file."""
        who = page.signed_in("patient")
        seen = await choosing.booked(page.uc, who, session_id)
        moved = page.request.query_params.get("moved") == "1"
        return page.render("booked.html", chosen=seen, moved=moved)

    @get("/sessions/{session_id:uuid}/calendar.ics", name="pages:session-ics")
    async def calendar_file(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Response[bytes]:
        """The session as an iCalendar file for the patient's own calendar."""
        who = page.signed_in("patient")
        seen = await choosing.booked(page.uc, who, session_id)
        calendar = Calendar()
        calendar.add("prodid", "-//scheduler//session//EN")
        calendar.add("version", "2.0")
        event = Event()
        event.add("uid", f"{session_id}@scheduler")
        event.add("dtstamp", page.uc.clock())
        event.add("dtstart", seen.start)
        event.add("dtend", seen.end)
        event.add("summary", f"Massage therapy with {seen.therapist_name}")
        event.add("location", seen.place)
        event.add(
            "description",
            f"{seen.clinic_name}. Cancelling less than {seen.late_cancel_hours} hours before "
            "counts as a late cancellation.",
        )
        calendar.add_component(event)
        return Response(
            calendar.to_ical(),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="session.ics"'},
        )
