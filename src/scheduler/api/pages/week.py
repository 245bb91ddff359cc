"""The therapist's week as a calendar grid, and their iCal subscription link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from scheduler.api.auth import PUBLIC
from scheduler.api.controllers.calendar import feed_url
from scheduler.api.pages.web import PageContext, parse_date
from scheduler.api.schemas.records import Visit, Week
from scheduler.domain.timekeeping import local_date
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import staff as staff_actions


@dataclass(frozen=True)
class Grid:
    """The week as hour rows by day columns; each cell holds the visits starting in it."""

    days: list[date]
    hours: list[int]
    cells: dict[tuple[int, int], list[Visit]]


def week_grid(week: Week) -> Grid:
    """Hours from the earliest shift or visit to the latest, across the seven days."""
    hours: set[int] = set()
    cells: dict[tuple[int, int], list[Visit]] = {}
    for column, route in enumerate(week.days):
        if route.shift_start_local and route.shift_end_local:
            end = route.shift_end_local.hour + (1 if route.shift_end_local.minute else 0)
            hours.update(range(route.shift_start_local.hour, end or 24))
        for visit in route.visits:
            hours.add(visit.start_local.hour)
            cells.setdefault((visit.start_local.hour, column), []).append(visit)
    span = range(min(hours), max(hours) + 1) if hours else range(9, 17)
    return Grid([route.day for route in week.days], list(span), cells)


class WeekPages(Controller):
    """`/app/week`."""

    path = "/app"
    include_in_schema = False
    opt = PUBLIC

    @get("/week", name="pages:week")
    async def week(self, page: NamedDependency[PageContext]) -> Template:
        """Seven days from `start` (default: this week's Monday) as a calendar grid."""
        return await self._week(page, feed_url="")

    async def _week(self, page: PageContext, *, feed_url: str) -> Template:
        who = page.signed_in("therapist")
        me = await staff_actions.me(page.uc, who)
        today = local_date(page.uc.clock(), ZoneInfo(me.timezone))
        start = parse_date(page.request.query_params.get("start", ""), "start", {})
        start = start or today - timedelta(days=today.weekday())
        week: Week = await clinic_actions.week(page.uc, who, start=start)
        return page.render(
            "week.html",
            therapist=me.therapist.name,
            week=week,
            grid=week_grid(week),
            today=today,
            previous_week=start - timedelta(days=7),
            next_week=start + timedelta(days=7),
            feed_url=feed_url,
        )

    @post("/week/calendar-link", status_code=200)
    async def calendar_link(self, page: NamedDependency[PageContext]) -> Template:
        """A new secret iCal URL (the previous one stops working), shown once."""
        who = page.signed_in("therapist")
        await page.form()
        token = await staff_actions.rotate_calendar_token(page.uc, who)
        return await self._week(page, feed_url=feed_url(page.settings, token))
