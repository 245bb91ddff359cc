"""The dispatcher's day board: routes on a timeline and a map, demand, optimizations.

The page works without JavaScript (forms post, a running job is a link to follow);
`board.js` adds the live updates (the `/clinics/{id}/board/live` SSE stream: the board
panel is fetched again on every change) and polls a running optimization's progress.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.drawing import route_map, timeline
from scheduler.api.pages.web import PageContext, local_instant, parse_date
from scheduler.api.schemas.records import Board
from scheduler.domain.timekeeping import local_date
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import dispatch as dispatch_actions
from scheduler.usecases import sick_calls as sick_actions


class BoardPages(Controller):
    """`/app/board`: the dispatcher's day."""

    path = "/app/board"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:board")
    async def board(self, page: NamedDependency[PageContext]) -> Template:
        """The whole board page."""
        return await self._board(page, "board.html")

    @get("/panel", name="pages:board-panel")
    async def panel(self, page: NamedDependency[PageContext]) -> Template:
        """Only the routes, map and demand (what a live update replaces)."""
        return await self._board(page, "_board_panel.html")

    async def _board(self, page: PageContext, template: str) -> Template:
        uc = page.uc
        who = page.signed_in("dispatcher")
        clinic = await clinic_actions.mine(uc, who)
        zone = ZoneInfo(clinic.timezone)
        query = page.request.query_params
        errors: dict[str, str] = {}
        today = local_date(uc.clock(), zone)
        day = parse_date(query.get("date", ""), "date", {}) or today
        as_of = None
        if query.get("as_of"):
            as_of = local_instant(query["as_of"], zone)
            if as_of is None:
                errors["as_of"] = "Enter a date and time like 2026-11-30T09:00."
        board: Board = await clinic_actions.board(uc, who, clinic.id, day=day, as_of=as_of)
        window, rows = timeline(board)
        demand = await dispatch_actions.demand(uc, who, clinic.id)
        waiting = await sick_actions.waiting(uc, who, clinic.id)
        due = await clinic_actions.reauthorizations(uc, who, clinic.id)
        return page.render(
            template,
            status=400 if errors else 200,
            board=board,
            window=window,
            rows=rows,
            map=route_map(board),
            demand=demand,
            waiting=waiting,
            therapist_names={row.therapist_id: row.therapist_name for row in board.routes},
            sick_call=query.get("sick_call", ""),
            reauthorizations=due,
            day=day,
            today=today,
            as_of=query.get("as_of", "") if as_of or errors else "",
            errors=errors,
            job=query.get("job", ""),
            notice=query.get("notice", ""),
            clinic_id=clinic.id,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
        )
