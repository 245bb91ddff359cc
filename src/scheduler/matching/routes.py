"""A therapist's working day as an ordered route of visits with flexible start times.

Each stop keeps the range its start may take (patient window ∩ shift); a route is
feasible when a forward pass from the shift start, driving every leg, meets every
range and is back at base by the shift end (hard rule 3). Insertion is checked in
O(1) per position with the classic earliest/latest-start passes of VRPTW heuristics.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.geo import haversine_km, travel_minutes
from scheduler.matching.problem import Location


class Geometry:
    """Integer ids for every location, with cached travel minutes and km between them."""

    def __init__(self, speed_kmh: float) -> None:
        self.speed_kmh = speed_kmh
        self.locations: list[Location] = []
        self._ids: dict[Location, int] = {}
        self._minutes: dict[int, int] = {}
        self._km: dict[int, float] = {}

    def id_of(self, location: Location) -> int:
        """The id of a location, registering it on first sight."""
        found = self._ids.get(location)
        if found is None:
            found = self._ids[location] = len(self.locations)
            self.locations.append(location)
        return found

    def minutes(self, a: int, b: int) -> int:
        """Travel minutes between two location ids (the spec's rounded-up formula)."""
        key = a * 1_000_003 + b
        found = self._minutes.get(key)
        if found is None:
            found = self._minutes[key] = travel_minutes(
                self.locations[a], self.locations[b], self.speed_kmh
            )
        return found

    def km(self, a: int, b: int) -> float:
        """Great-circle km between two location ids."""
        key = a * 1_000_003 + b
        found = self._km.get(key)
        if found is None:
            found = self._km[key] = haversine_km(self.locations[a], self.locations[b])
        return found


@dataclass(slots=True)
class Stop:
    """One session in a route: where, how long, and the range its start may take."""

    plan: str
    session: int
    location: int
    duration: int
    earliest: int
    latest: int
    pinned: bool = False  # start must not move (fixed bookings, patients seen twice a day)


@dataclass(frozen=True, slots=True)
class Insertion:
    """Where a stop fits in a route: position, start time and the km it adds."""

    position: int
    start: int
    added_km: float


class DayRoute:
    """One therapist's day: base, shift, capacity and the stops in visiting order."""

    __slots__ = (
        "_early",
        "_km",
        "_late",
        "base",
        "capacity",
        "day",
        "end",
        "geo",
        "start",
        "stops",
        "therapist",
    )

    def __init__(  # noqa: PLR0917 - one positional per field of the day, as the spec lists them
        self, geo: Geometry, therapist: str, day: int, base: int, start: int, end: int, cap: int
    ) -> None:
        self.geo, self.therapist, self.day, self.base = geo, therapist, day, base
        self.start, self.end, self.capacity = start, end, cap
        self.stops: list[Stop] = []
        self._early: list[int] | None = None
        self._late: list[int] | None = None
        self._km: float | None = None

    def earliest_starts(self) -> list[int]:
        """Forward pass: each stop's earliest possible start given the ones before it."""
        if self._early is not None:
            return self._early
        geo, t, here, out = self.geo, self.start, self.base, []
        for s in self.stops:
            begin = max(t + geo.minutes(here, s.location), s.earliest)
            out.append(begin)
            t, here = begin + s.duration, s.location
        self._early = out
        return out

    def latest_starts(self) -> list[int]:
        """Backward pass: each stop's latest start that still lets the rest of the day work."""
        if self._late is not None:
            return self._late
        geo, t, here = self.geo, self.end, self.base
        out = [0] * len(self.stops)
        for i in range(len(self.stops) - 1, -1, -1):
            s = self.stops[i]
            t = min(s.latest, t - geo.minutes(s.location, here) - s.duration)
            out[i] = t
            here = s.location
        self._late = out
        return out

    def feasible(self) -> bool:
        """Hard: rule 3 — every leg driven, every start in range, back by shift end, capacity."""
        if len(self.stops) > self.capacity:
            return False
        starts = self.earliest_starts()
        if any(b > s.latest for b, s in zip(starts, self.stops, strict=True)):
            return False
        if not self.stops:
            return True
        last = self.stops[-1]
        back = starts[-1] + last.duration + self.geo.minutes(last.location, self.base)
        return back <= self.end

    def best_insertion(self, stop: Stop, busy: Sequence[tuple[int, int]] = ()) -> Insertion | None:
        """Cheapest feasible place for `stop` (least added km), avoiding the `busy` spans.

        `busy` holds the patient's other visits that day (hard rule 5); when given, the
        start found is the one the stop will be pinned to.
        """
        if len(self.stops) >= self.capacity:
            return None
        geo, stops = self.geo, self.stops
        early, late = self.earliest_starts(), self.latest_starts()
        best: Insertion | None = None
        for p in range(len(stops) + 1):
            prev_loc = stops[p - 1].location if p else self.base
            prev_end = early[p - 1] + stops[p - 1].duration if p else self.start
            next_loc = stops[p].location if p < len(stops) else self.base
            next_late = late[p] if p < len(stops) else self.end
            begin = max(prev_end + geo.minutes(prev_loc, stop.location), stop.earliest)
            last_start = min(
                stop.latest, next_late - geo.minutes(stop.location, next_loc) - stop.duration
            )
            begin = _first_free(begin, stop.duration, busy)
            if begin > last_start:
                continue
            added = (
                geo.km(prev_loc, stop.location)
                + geo.km(stop.location, next_loc)
                - geo.km(prev_loc, next_loc)
            )
            if best is None or added < best.added_km - 1e-9:
                best = Insertion(p, begin, added)
        return best

    def insert(self, stop: Stop, at: Insertion, *, pin: bool) -> None:
        """Put `stop` in the route at a place `best_insertion` found."""
        if pin:
            stop.earliest = stop.latest = at.start
            stop.pinned = True
        self.put(at.position, stop)

    def put(self, position: int, stop: Stop) -> None:
        """Insert a stop at a position as is (also how fixed bookings and undo get in)."""
        self.stops.insert(position, stop)
        self._early = self._late = self._km = None

    def pop_at(self, position: int) -> Stop:
        """Take the stop at a position out; the rest of the day stays feasible (waits grow)."""
        self._early = self._late = self._km = None
        return self.stops.pop(position)

    def remove(self, plan: str, session: int) -> Stop:
        """Take a stop out; waiting is allowed, so the rest of the day stays feasible."""
        for i, s in enumerate(self.stops):
            if s.plan == plan and s.session == session:
                self._early = self._late = self._km = None
                return self.stops.pop(i)
        raise KeyError((plan, session))

    def km(self) -> float:
        """Length of the day's route, base to base."""
        if self._km is None:
            path = [self.base, *(s.location for s in self.stops), self.base]
            self._km = sum(self.geo.km(a, b) for a, b in itertools.pairwise(path))
        return self._km


def _first_free(begin: int, duration: int, busy: Sequence[tuple[int, int]]) -> int:
    """The earliest start ≥ `begin` whose span overlaps none of the `busy` spans."""
    moved = True
    while moved:
        moved = False
        for b0, b1 in busy:
            if begin < b1 and b0 < begin + duration:
                begin, moved = b1, True
    return begin
