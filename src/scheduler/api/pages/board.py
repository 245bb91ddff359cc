"""The dispatcher's day board: routes on a timeline and a map, demand, optimizations.

The page works without JavaScript (forms post, a running job is a link to follow);
`board.js` adds the live updates (the `/clinics/{id}/board/live` SSE stream: the board
panel is fetched again on every change) and polls a running optimization's progress.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from scheduler.api.auth import PUBLIC, Principal
from scheduler.api.gateway import Gateway
from scheduler.api.pages.board_view import waiting_demand
from scheduler.api.pages.drawing import route_map, timeline
from scheduler.api.pages.web import (
    local_instant,
    parse_date,
    render,
    require,
    viewer,
)
from scheduler.api.readmodel import ReadSide
from scheduler.domain.timekeeping import local_date
from scheduler.settings import Settings


async def signed_in_dispatcher(
    request: Request[Any, Any, Any], settings: Settings, gateway: Gateway
) -> tuple[Principal, UUID, ZoneInfo]:
    """The signed-in dispatcher, their clinic's id and time zone (else 401/403 pages)."""
    principal = viewer(request, settings, gateway)
    require(principal, "dispatcher")
    assert principal.clinic_id is not None, "a dispatcher account belongs to a clinic"
    clinic = await gateway.run(gateway.scheduling.get_clinic, principal.clinic_id)
    return principal, clinic.id, ZoneInfo(clinic.timezone)


class BoardPages(Controller):
    """`/app/board`: the dispatcher's day."""

    path = "/app/board"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:board")
    async def board(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        reads: NamedDependency[ReadSide],
    ) -> Template:
        """The whole board page."""
        return await self._board(request, settings, gateway, reads, "board.html")

    @get("/panel", name="pages:board-panel")
    async def panel(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        reads: NamedDependency[ReadSide],
    ) -> Template:
        """Only the routes, map and demand (what a live update replaces)."""
        return await self._board(request, settings, gateway, reads, "_board_panel.html")

    async def _board(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        gateway: Gateway,
        reads: ReadSide,
        template: str,
    ) -> Template:
        _, clinic_id, zone = await signed_in_dispatcher(request, settings, gateway)
        query = request.query_params
        errors: dict[str, str] = {}
        today = local_date(gateway.now(), zone)
        day = parse_date(query.get("date", ""), "date", {}) or today
        as_of = None
        if query.get("as_of"):
            as_of = local_instant(query["as_of"], zone)
            if as_of is None:
                errors["as_of"] = "Enter a date and time like 2026-11-30T09:00."
        board = await reads.board(clinic_id, day, as_of, None)
        window, rows = timeline(board)
        app = gateway.scheduling
        demand = await gateway.run(waiting_demand, app, clinic_id, gateway.now())
        return render(
            request,
            template,
            status=400 if errors else 200,
            board=board,
            window=window,
            rows=rows,
            map=route_map(board),
            demand=demand,
            day=day,
            today=today,
            as_of=query.get("as_of", "") if as_of or errors else "",
            errors=errors,
            job=query.get("job", ""),
            notice=query.get("notice", ""),
            clinic_id=clinic_id,
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
        )
