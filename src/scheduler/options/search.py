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

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice
from uuid import UUID
from zoneinfo import ZoneInfo

import numpy as np

from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.rules import route
from scheduler.domain.timekeeping import minute_of_day, wall_clock
from scheduler.geo import Location, travel_minutes
from scheduler.options import tally

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


Hit = tuple[bool, int, bool, float, datetime, str, int, int]
"""A bookable start as the ranking sorts it: `Found.key()`, then frame index and minute
(cheap to make by the thousand; `found` turns the ones shown into `Found`)."""


def _clock(frame: DayFrame, zone: ZoneInfo, midnight: datetime | None) -> Callable[[int], datetime]:
    """Local minute of the frame's day -> instant."""
    if midnight is None:
        return lambda minute: wall_clock(frame.day, minute, zone)
    return lambda minute: midnight + timedelta(minutes=minute)


MINUTE = timedelta(minutes=1)
_OTHER = 1_000_000
"""Added to a ranking key when the therapist is not the patient's own (continuity first)."""


@dataclass(frozen=True)
class Stretch:
    """The starts of one free stretch of a day: grid minutes `first..last` whose instant
    lies in `earliest..latest` (the route rule's window), less any `blocked` time."""

    index: int  # of the frame
    group: tuple[bool, int]  # (not continuity, days from the ideal day): the ranking's head
    first: int
    last: int
    stops: tuple[route.Stop, route.Stop]  # before and after: what the added km is of
    blocked: tuple[tuple[datetime, datetime], ...]
    count: int


class _Search:
    """What one search remembers: travel between places, each day's midnight."""

    def __init__(self, need: Need) -> None:
        self.need = need
        self.travel: dict[tuple[Location, Location], int] = {}
        self.midnights: dict[tuple[datetime, datetime], datetime | None] = {}

    def minutes(self, a: Location, b: Location, speed_kmh: float) -> int:
        """`geo.travel_minutes`, remembered."""
        key = (a, b)
        found = self.travel.get(key)
        if found is None:
            found = self.travel[key] = travel_minutes(a, b, speed_kmh)
        return found

    def midnight(self, frame: DayFrame) -> datetime | None:
        """`tally.midnight_of`, remembered per shift."""
        if frame.shift not in self.midnights:
            self.midnights[frame.shift] = tally.midnight_of(frame, self.need.zone)
        return self.midnights[frame.shift]

    def stretches(self, index: int, frame: DayFrame, filters: Filters) -> Iterator[Stretch]:
        """The day's free stretches where the session fits, each with its number of starts."""
        need = self.need
        if len(frame.visits) >= frame.max_visits:
            return
        zone, grid, length = need.zone, need.grid, timedelta(minutes=need.minutes)
        low, high = PARTS_OF_DAY.get(filters.part_of_day or "", (0, 24 * 60))
        group = (
            frame.therapist_id != need.continuity,
            abs((frame.day - need.ideal).days) if need.ideal else 0,
        )
        # Time off and the patient's other sessions that touch this shift at all.
        blocked = tuple(
            (s, e)
            for s, e in (*frame.unavailable, *need.busy)
            if route.overlaps(s, e, frame.shift[0], frame.shift[1])
        )
        midnight = self.midnight(frame)
        at = _clock(frame, zone, midnight)
        lowest = -(-low // grid) * grid
        for before, after in route.gaps(frame.visits, shift=frame.shift, base=frame.base):
            window = route.window(
                before, after, need.place, need.minutes, need.speed_kmh, travel=self.minutes
            )
            if window is None:
                continue
            earliest = max(window[0], frame.shift[0], need.now)
            latest = min(window[1], frame.shift[1] - length)
            if earliest > latest:
                continue
            if midnight is not None:
                first = -(-(earliest - midnight) // MINUTE)  # whole minutes, rounded up
                first = max(lowest, -(-first // grid) * grid)
                last = min(high - 1, (latest - midnight) // MINUTE) // grid * grid
            else:  # the clocks change today: ask the zone minute by minute
                first = minute_of_day(earliest, zone) // grid * grid
                while first < low or at(first) < earliest:
                    first += grid
                last = min(high - 1, minute_of_day(latest, zone))
                while last >= first and at(last) > latest:
                    last -= 1
                last = first + (last - first) // grid * grid if last >= first else first - grid
            if last < first:
                continue
            count = (last - first) // grid + 1
            if blocked:
                probe = Stretch(index, group, first, last, (before, after), blocked, 0)
                count = sum(1 for _ in _minutes(probe, at, length, grid))
            if count:
                yield Stretch(index, group, first, last, (before, after), blocked, count)


def _minutes(
    stretch: Stretch, at: Callable[[int], datetime], length: timedelta, grid: int
) -> Iterator[tuple[int, datetime]]:
    """(minute, start) of each start of the stretch."""
    for minute in range(stretch.first, stretch.last + 1, grid):
        start = at(minute)
        end = start + length
        if stretch.blocked and any(route.overlaps(start, end, s, e) for s, e in stretch.blocked):
            continue
        yield minute, start


@dataclass(frozen=True)
class Indexed:
    """Days a caller keeps between searches: the frames, their `tally.DayIndex`, which
    frames this search may use (`keep`), and which changed since the index was built
    (`changed`: searched the reference way)."""

    frames: list[DayFrame]
    index: tally.DayIndex
    keep: tally.Flags
    changed: tuple[int, ...] = ()


class Ranking:
    """Every bookable start within the filters, ranked, counted without being made one by
    one: only the starts of the page asked for are (`page`).

    The plain days' stretches are counted on arrays (`tally`), the others by
    `_Search.stretches`. A caller that keeps a `DayIndex` of `frames` passes it, with
    `keep` (the frames the search may use) and `changed` (frames changed since the index
    was built, e.g. the day of the session being moved, without it)."""

    def __init__(
        self,
        frames: list[DayFrame],
        need: Need,
        filters: Filters,
        *,
        index: tally.DayIndex | None = None,
        keep: tally.Flags | None = None,
        changed: Iterable[int] = (),
    ) -> None:
        self.frames, self.need = frames, need
        self.search = _Search(need)
        self.index = index if index is not None else tally.DayIndex(frames, need.zone)
        chosen = np.ones(len(frames), dtype=np.bool_) if keep is None else keep.copy()
        if filters.therapist is not None:
            chosen &= self.index.of_therapists([filters.therapist])
        if filters.first is not None or filters.last is not None:
            chosen &= np.array([filters.keeps_day(frame.day) for frame in frames], dtype=np.bool_)
        odd = self.index.off | (self.index.midnight < 0) | self.index.touching(need.busy)
        odd[list(changed)] = True
        low, high = PARTS_OF_DAY.get(filters.part_of_day or "", (0, 24 * 60))
        self.plain = tally.stretches(
            self.index, chosen & ~odd & ~self.index.full, need, (low, high)
        )
        frame_of = self.index.gap_frame[self.plain.gap]
        self.plain_day = self.index.day[frame_of]
        ideal = need.ideal.toordinal() if need.ideal else None
        self.plain_key = np.abs(self.plain_day - ideal) if ideal is not None else 0 * frame_of
        if need.continuity in self.index.therapists:
            ours = self.index.therapists.index(need.continuity)
            self.plain_key = self.plain_key + np.where(self.index.who[frame_of] == ours, 0, _OTHER)
        else:
            self.plain_key = self.plain_key + _OTHER
        self.plain_frame = frame_of
        self.extra = [
            stretch
            for index in np.flatnonzero(chosen & odd).tolist()
            for stretch in self.search.stretches(index, frames[index], filters)
        ]

    @property
    def total(self) -> int:
        """Every start found."""
        return int(self.plain.count.sum()) + sum(stretch.count for stretch in self.extra)

    def day_counts(self) -> dict[date, int]:
        """Starts per day."""
        counts: dict[date, int] = {}
        days, where = np.unique(self.plain_day, return_inverse=True)
        sums = np.bincount(where, weights=self.plain.count, minlength=len(days))
        for day, count in zip(days.tolist(), sums.tolist(), strict=True):
            counts[date.fromordinal(day)] = int(count)
        for stretch in self.extra:
            day = self.frames[stretch.index].day
            counts[day] = counts.get(day, 0) + stretch.count
        return dict(sorted(counts.items()))

    def page(
        self, keeps_day: Callable[[date], bool], offset: int, size: int
    ) -> tuple[int, list[Found]]:
        """The total within `keeps_day`, and the starts ranked `offset+1..offset+size`."""
        days = np.unique(self.plain_day)
        kept_days = [day for day in days.tolist() if keeps_day(date.fromordinal(day))]
        rows = np.flatnonzero(np.isin(self.plain_day, kept_days))
        counts: dict[int, int] = {}
        keys, where = np.unique(self.plain_key[rows], return_inverse=True)
        sums = np.bincount(where, weights=self.plain.count[rows], minlength=len(keys))
        for key, count in zip(keys.tolist(), sums.tolist(), strict=True):
            counts[key] = int(count)
        extra: dict[int, list[Stretch]] = {}
        for stretch in self.extra:
            if keeps_day(self.frames[stretch.index].day):
                key = stretch.group[0] * _OTHER + stretch.group[1]
                extra.setdefault(key, []).append(stretch)
                counts[key] = counts.get(key, 0) + stretch.count
        shown: list[Found] = []
        seen = 0
        for key in sorted(counts):
            if seen + counts[key] > offset and len(shown) < size:
                members = [*self._plain_stretches(rows, key), *extra.get(key, [])]
                begin = max(0, offset - seen)
                ranked = islice(self._ranked(members), begin, begin + size - len(shown))
                shown += [found(self.frames, self.need, hit) for hit in ranked]
            seen += counts[key]
        return seen, shown

    def _plain_stretches(self, rows: tally.Ints, key: int) -> Iterator[Stretch]:
        """The plain stretches among `rows` whose group is `key`, as `Stretch`es."""
        group = (key >= _OTHER, key % _OTHER)
        plain = self.plain
        for row in rows[self.plain_key[rows] == key].tolist():
            yield Stretch(
                int(self.plain_frame[row]),
                group,
                int(plain.first[row]),
                int(plain.last[row]),
                self.index.gap_stops[int(plain.gap[row])],
                (),
                int(plain.count[row]),
            )

    def _ranked(self, members: list[Stretch]) -> Iterator[Hit]:
        """One group's hits in ranking order, each made only when it is read: those that
        fit the patient's week, then the others, each a merge of the stretches' starts
        (within a stretch, everything but the start is the same)."""
        for fitting in (True, False):
            yield from heapq.merge(*(self._hits(stretch, fitting) for stretch in members))

    def _hits(self, stretch: Stretch, fitting: bool) -> Iterator[Hit]:
        """The stretch's starts that fit (or do not fit) the patient's week, earliest first."""
        frame, need = self.frames[stretch.index], self.need
        windows = need.availability.get(WEEKDAYS[frame.day.weekday()], [])
        if fitting and not windows:
            return  # no start of a day the patient gave no times for fits their week
        length = timedelta(minutes=need.minutes)
        km = round(route.added_km(*stretch.stops, need.place), 1)
        at = _clock(frame, need.zone, self.search.midnight(frame))
        for minute, start in _minutes(stretch, at, length, need.grid):
            fits = any(a <= minute and minute + need.minutes <= b for a, b in windows)
            if fits == fitting:
                yield (*stretch.group, not fits, km, start, frame.name, stretch.index, minute)


def found(frames: list[DayFrame], need: Need, hit: Hit) -> Found:
    """The `Found` of a hit."""
    frame, minute = frames[hit[6]], hit[7]
    return Found(
        therapist_id=frame.therapist_id,
        therapist_name=frame.name,
        day=frame.day,
        start=hit[4],
        end=hit[4] + timedelta(minutes=need.minutes),
        minute=minute,
        continuity=not hit[0],
        days_from_ideal=hit[1],
        fits_week=not hit[2],
        added_km=hit[3],
    )


def search(frames: list[DayFrame], need: Need, filters: Filters) -> list[Found]:
    """Every bookable start within the filters, best first."""
    ranking = Ranking(frames, need, filters)
    return ranking.page(lambda _: True, 0, ranking.total)[1]
