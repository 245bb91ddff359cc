"""Every free stretch of many therapist-days at once: the search's arithmetic on arrays.

`search._Search.stretches` walks one day's gaps with datetimes. That is the reference
and it stays the path for the few days it alone handles (a day whose clocks change, a
day with time off or another session of the patient's, the day of the session being
moved). Every other day is a plain day, and for those the same arithmetic runs here,
over the gaps of every day at once (`DayIndex`, built once per set of days and kept by
`index.DayCache` between requests), in integer microseconds:

    earliest = max(before + travel in, shift start, now)
    latest   = min(after - travel out - length, shift end - length)
    first    = earliest rounded up to the slot grid, from the part of day's start
    last     = latest rounded down to the slot grid, before the part of day's end

Travel is `geo.travel_minutes`: the haversine on arrays, and where the minutes land
within 1e-6 of a whole minute (the float rounding of two formulas could differ there)
asked again of `travel_minutes` itself, so every count equals the reference's.
`tests/domain/test_options_tally.py` compares the two on random days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from scheduler.domain.rules import route
from scheduler.geo import EARTH_RADIUS_KM, Location, travel_minutes

if TYPE_CHECKING:
    from scheduler.options.search import DayFrame, Need

US = 1_000_000
"""Microseconds in a second: instants here are integer microseconds since the epoch."""
MINUTE_US = 60 * US
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Flags = NDArray[np.bool_]


def micros(instant: datetime) -> int:
    """An aware instant as integer microseconds since the epoch (exact)."""
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


class DayIndex:
    """The free stretches (gaps) of a list of therapist-days, as arrays.

    Per day (frame): its therapist (an index into `therapists`), date, shift, local
    midnight (-1 when the clocks change that day), whether it is full (`max_visits`) and
    whether it has time off. Per gap: its day, and the stops before and after it.
    """

    def __init__(self, frames: Sequence[DayFrame], zone: ZoneInfo) -> None:
        self.frames = list(frames)
        self.therapists: list[UUID] = []
        position: dict[UUID, int] = {}
        who, days, shift0, shift1, midnight, full, off = [], [], [], [], [], [], []
        gap_frame: list[int] = []
        gap_stops: list[tuple[route.Stop, route.Stop]] = []
        midnights: dict[tuple[datetime, datetime], int] = {}
        for index, frame in enumerate(self.frames):
            if frame.therapist_id not in position:
                position[frame.therapist_id] = len(self.therapists)
                self.therapists.append(frame.therapist_id)
            who.append(position[frame.therapist_id])
            days.append(frame.day.toordinal())
            shift0.append(micros(frame.shift[0]))
            shift1.append(micros(frame.shift[1]))
            if frame.shift not in midnights:
                at = midnight_of(frame, zone)
                midnights[frame.shift] = -1 if at is None else micros(at)
            midnight.append(midnights[frame.shift])
            full.append(len(frame.visits) >= frame.max_visits)
            off.append(bool(frame.unavailable))
            for stops in route.gaps(frame.visits, shift=frame.shift, base=frame.base):
                gap_frame.append(index)
                gap_stops.append(stops)
        self.who = np.array(who, dtype=np.int64)
        self.day = np.array(days, dtype=np.int64)
        self.shift0 = np.array(shift0, dtype=np.int64)
        self.shift1 = np.array(shift1, dtype=np.int64)
        self.midnight = np.array(midnight, dtype=np.int64)
        self.full = np.array(full, dtype=np.bool_)
        self.off = np.array(off, dtype=np.bool_)
        self.gap_frame = np.array(gap_frame, dtype=np.int64)
        self.gap_stops = gap_stops
        self.before_at = np.array([micros(b.at) for b, _ in gap_stops], dtype=np.int64)
        self.after_at = np.array([micros(a.at) for _, a in gap_stops], dtype=np.int64)
        self.before_place = np.array([b.place for b, _ in gap_stops], dtype=np.float64)
        self.after_place = np.array([a.place for _, a in gap_stops], dtype=np.float64)
        self.before_place.shape = self.after_place.shape = (len(gap_stops), 2)

    def of_therapists(self, ids: Sequence[UUID]) -> Flags:
        """Which frames belong to one of `ids`."""
        asked = set(ids)
        wanted = [n for n, therapist in enumerate(self.therapists) if therapist in asked]
        return np.isin(self.who, wanted)

    def on_days(self, days: Sequence[date]) -> Flags:
        """Which frames fall on one of `days`."""
        return np.isin(self.day, [day.toordinal() for day in days])

    def touching(self, intervals: Sequence[tuple[datetime, datetime]]) -> Flags:
        """Which frames' shifts overlap one of `intervals`."""
        hit = np.zeros(len(self.frames), dtype=np.bool_)
        for start, end in intervals:
            hit |= (micros(start) < self.shift1) & (self.shift0 < micros(end))
        return hit


def midnight_of(frame: DayFrame, zone: ZoneInfo) -> datetime | None:
    """The instant of the frame's local midnight as its shift's clock reads it, or None
    when the clocks change during the shift (then each minute asks the zone)."""
    first, last = frame.shift[0].astimezone(zone), frame.shift[1].astimezone(zone)
    if first.utcoffset() != last.utcoffset():
        return None
    return frame.shift[0] - timedelta(hours=first.hour, minutes=first.minute)


def _radians(points: Floats) -> tuple[Floats, Floats]:
    return np.radians(points[:, 0]), np.radians(points[:, 1])


def travel(a: Floats, b: Location | Floats, speed_kmh: float, *, forward: bool) -> Ints:
    """`travel_minutes(a[i], b)` (`forward`) or `travel_minutes(b, a[i])` for every row of
    `a` (n x 2 degrees), exactly: near a whole minute the reference decides."""
    place = np.broadcast_to(np.asarray(b, dtype=np.float64), a.shape)
    start, end = (a, place) if forward else (place, a)
    lat1, lon1 = _radians(start)
    lat2, lon2 = _radians(end)
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
    exact = km / speed_kmh * 60
    minutes: Ints = np.ceil(exact).astype(np.int64)
    same = (start[:, 0] == end[:, 0]) & (start[:, 1] == end[:, 1])
    minutes[same] = 0
    for row in np.flatnonzero(~same & (np.abs(exact - np.rint(exact)) < 1e-6)):
        minutes[row] = travel_minutes(
            (float(start[row, 0]), float(start[row, 1])),
            (float(end[row, 0]), float(end[row, 1])),
            speed_kmh,
        )
    return minutes


@dataclass(frozen=True)
class Stretches:
    """The plain days' stretches with at least one start: per stretch its gap, first and
    last grid minute, and how many starts."""

    gap: Ints
    first: Ints
    last: Ints
    count: Ints


def stretches(index: DayIndex, plain: Flags, need: Need, part: tuple[int, int]) -> Stretches:
    """The stretches of the `plain` frames (a mask over `index.frames`: days the
    reference need not see) for the session `need` describes, starting at a local minute
    in `part` ([from, to)) on the slot grid."""
    low, high = part
    gaps = np.flatnonzero(plain[index.gap_frame])
    frame = index.gap_frame[gaps]
    grid, length = need.grid, need.minutes * MINUTE_US
    come = travel(index.before_place[gaps], need.place, need.speed_kmh, forward=True) * MINUTE_US
    leave = travel(index.after_place[gaps], need.place, need.speed_kmh, forward=False) * MINUTE_US
    window_start = index.before_at[gaps] + come
    window_end = index.after_at[gaps] - leave - length
    earliest = np.maximum(np.maximum(window_start, index.shift0[frame]), micros(need.now))
    latest = np.minimum(window_end, index.shift1[frame] - length)
    midnight = index.midnight[frame]
    lowest = -(-low // grid) * grid
    first = -((midnight - earliest) // MINUTE_US)  # whole minutes, rounded up
    first = np.maximum(lowest, -(-first // grid) * grid)
    last = np.minimum(high - 1, (latest - midnight) // MINUTE_US) // grid * grid
    fits = (window_start <= window_end) & (earliest <= latest) & (last >= first)
    count = np.where(fits, (last - first) // grid + 1, 0)
    kept = count > 0
    return Stretches(gaps[kept], first[kept], last[kept], count[kept])
