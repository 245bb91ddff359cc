"""Every bookable start for one session, ranked: the search, on plain values (no I/O).

Input: the therapist-days that may take the session (`DayFrame`, read once per request
by `sources.py`) and what the session needs (`Need`). For each free stretch of each day
(`route.gaps`) the route rule gives the earliest and latest start (`route.window`, the
arithmetic `TherapistDay.book` checks); every start on the clinic's slot grid between
them is offered unless it meets time off, the patient's other sessions, or the past.
The day rules the booking command checks per plan (cadence, expiry) decided which days
are in `frames` at all.

Ranked: the patient's own therapist first (continuity), then the day closest to the
cadence's ideal one, then the times the patient said suit them, travel only as a
tie-break, then the earliest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.rules import route
from scheduler.domain.timekeeping import minute_of_day, wall_clock
from scheduler.geo import Location

PARTS_OF_DAY = {
    "morning": (0, 12 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 24 * 60),
}
"""Times of day a patient filters by: local start minute ranges [from, to)."""


def part_of_day(minute: int) -> str:
    """'morning', 'afternoon' or 'evening' for a local start minute."""
    return next(name for name, (low, high) in PARTS_OF_DAY.items() if low <= minute < high)


@dataclass(frozen=True)
class DayFrame:
    """A therapist's working day as the booking rules see it."""

    therapist_id: UUID
    name: str
    day: date
    shift: tuple[datetime, datetime]
    base: Location
    max_visits: int
    visits: tuple[route.Booked, ...]
    unavailable: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True)
class Need:
    """The session to place, and what ranks its starts."""

    place: Location
    minutes: int
    speed_kmh: float
    grid: int
    zone: ZoneInfo
    now: datetime
    busy: tuple[tuple[datetime, datetime], ...] = ()  # the patient's other sessions
    continuity: UUID | None = None  # the patient's therapist for this plan
    ideal: date | None = None  # the cadence's ideal day
    availability: dict[str, list[list[int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Filters:
    """What the patient narrowed the options to (None: any)."""

    therapist: UUID | None = None
    part_of_day: str | None = None
    first: date | None = None
    last: date | None = None

    def keeps_day(self, day: date) -> bool:
        """Whether `day` is inside the date range."""
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)


@dataclass(frozen=True)
class Found:
    """One bookable start and what ranks it."""

    therapist_id: UUID
    therapist_name: str
    day: date
    start: datetime
    end: datetime
    minute: int  # local minute of day
    continuity: bool
    days_from_ideal: int
    fits_week: bool
    added_km: float

    def key(self) -> tuple[bool, int, bool, float, datetime, str]:
        """The ranking: continuity, ideal day, the patient's week, travel, earliest."""
        return (
            not self.continuity,
            self.days_from_ideal,
            not self.fits_week,
            round(self.added_km, 1),
            self.start,
            self.therapist_name,
        )


def fits_week(
    availability: dict[str, list[list[int]]], day: date, minute: int, minutes: int
) -> bool:
    """Whether the session lies inside one of the patient's weekly windows."""
    windows = availability.get(WEEKDAYS[day.weekday()], [])
    return any(low <= minute and minute + minutes <= high for low, high in windows)


def _grid_starts(
    day: date, earliest: datetime, latest: datetime, grid: int, zone: ZoneInfo
) -> Iterable[tuple[int, datetime]]:
    """(local minute, instant) of every grid start from `earliest` to `latest`."""
    minute = minute_of_day(earliest, zone) // grid * grid
    last = minute_of_day(latest, zone)
    while minute <= last:
        start = wall_clock(day, minute, zone)
        if earliest <= start <= latest:
            yield minute, start
        minute += grid


def starts(frame: DayFrame, need: Need, filters: Filters) -> Iterable[Found]:
    """Every start on the grid where the session fits the therapist's day (unranked)."""
    if len(frame.visits) >= frame.max_visits:
        return
    length = timedelta(minutes=need.minutes)
    span = PARTS_OF_DAY.get(filters.part_of_day or "")
    continuity = frame.therapist_id == need.continuity
    days_off = abs((frame.day - need.ideal).days) if need.ideal else 0
    for before, after in route.gaps(frame.visits, shift=frame.shift, base=frame.base):
        found = route.window(before, after, need.place, need.minutes, need.speed_kmh)
        if found is None:
            continue
        earliest = max(found[0], frame.shift[0], need.now)
        latest = min(found[1], frame.shift[1] - length)
        if earliest > latest:
            continue
        km = route.added_km(before, after, need.place)
        for minute, start in _grid_starts(frame.day, earliest, latest, need.grid, need.zone):
            if span is not None and not span[0] <= minute < span[1]:
                continue
            end = start + length
            if any(route.overlaps(start, end, s, e) for s, e in frame.unavailable):
                continue
            if any(route.overlaps(start, end, s, e) for s, e in need.busy):
                continue
            yield Found(
                therapist_id=frame.therapist_id,
                therapist_name=frame.name,
                day=frame.day,
                start=start,
                end=end,
                minute=minute,
                continuity=continuity,
                days_from_ideal=days_off,
                fits_week=fits_week(need.availability, frame.day, minute, need.minutes),
                added_km=km,
            )


def search(frames: Iterable[DayFrame], need: Need, filters: Filters) -> list[Found]:
    """Every bookable start within the filters, best first."""
    found = [
        option
        for frame in frames
        if (filters.therapist is None or frame.therapist_id == filters.therapist)
        and filters.keeps_day(frame.day)
        for option in starts(frame, need, filters)
    ]
    found.sort(key=Found.key)
    return found
