"""A therapist's route: never in two places at once.

Visits of a day do not overlap, and between consecutive stops there is at least the
travel time between their places; the route leaves base no earlier than the shift's start
and is back by its end. A *stop* is where the therapist is at a moment: base at the
shift's start and end, a visit's place at its start and end.

One arithmetic serves both sides: `TherapistDay.book` asks whether one start fits between
its neighbours (`needs`, then compare), and the booking page's search asks for every start
that fits in each gap of the day (`window`, the same `needs` solved for the start). So an
offered start is one the booking command accepts, by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.geo import Location, haversine_km, travel_minutes

Booked = tuple[datetime, datetime, Location]
"""A visit already on the day: start, end, place."""


@dataclass(frozen=True)
class Stop:
    """Where the therapist is at `at`: a visit's place, or base (`base` True)."""

    at: datetime
    place: Location
    base: bool = False


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Whether [start, end) and [other_start, other_end) share a moment."""
    return start < other_end and other_start < end


def neighbours(
    visits: Iterable[Booked],
    start: datetime,
    end: datetime,
    *,
    shift: tuple[datetime, datetime],
    base: Location,
) -> tuple[Stop, Stop]:
    """The stops just before `start` and just after `end` (visits in start order, none
    overlapping start..end): the last visit ending by `start`, else base at the shift's
    start; the first visit starting from `end`, else base at the shift's end."""
    before = Stop(shift[0], base, base=True)
    after = Stop(shift[1], base, base=True)
    for visit_start, visit_end, place in visits:
        if visit_end <= start:
            before = Stop(visit_end, place)
        elif visit_start >= end and after.at > visit_start:
            after = Stop(visit_start, place)
    return before, after


Travel = Callable[[Location, Location, float], int]
"""Whole minutes to drive between two places at a speed (`geo.travel_minutes`)."""


def needs(
    before: Stop, after: Stop, place: Location, speed_kmh: float, *, travel: Travel = travel_minutes
) -> tuple[timedelta, timedelta]:
    """Travel time to get to `place` from `before`, and from it on to `after` (`travel`:
    the same function remembered, for a search that asks about the same places often)."""
    return (
        timedelta(minutes=travel(before.place, place, speed_kmh)),
        timedelta(minutes=travel(place, after.place, speed_kmh)),
    )


def window(
    before: Stop,
    after: Stop,
    place: Location,
    minutes: int,
    speed_kmh: float,
    *,
    travel: Travel = travel_minutes,
) -> tuple[datetime, datetime] | None:
    """The earliest and latest start of a `minutes` visit at `place` between the two
    stops (the check in `TherapistDay.book` solved for the start), or None if none fits."""
    need_in, need_out = needs(before, after, place, speed_kmh, travel=travel)
    earliest = before.at + need_in
    latest = after.at - need_out - timedelta(minutes=minutes)
    return (earliest, latest) if earliest <= latest else None


def gaps(
    visits: Iterable[Booked], *, shift: tuple[datetime, datetime], base: Location
) -> Iterator[tuple[Stop, Stop]]:
    """Consecutive (before, after) stops of the day: the free stretches between visits.

    A start inside a stretch has exactly that stretch's stops as its `neighbours`."""
    before = Stop(shift[0], base, base=True)
    for visit_start, visit_end, place in sorted(visits, key=lambda v: v[0]):
        yield before, Stop(visit_start, place)
        before = Stop(visit_end, place)
    yield before, Stop(shift[1], base, base=True)


def added_km(before: Stop, after: Stop, place: Location) -> float:
    """How much longer the route gets with a stop at `place` between the two stops."""
    direct = haversine_km(before.place, after.place)
    return max(0.0, haversine_km(before.place, place) + haversine_km(place, after.place) - direct)
