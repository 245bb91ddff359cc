"""A clinic's working days, kept between searches: the options' cache on PostgreSQL.

Most of a search's cost was reading and arranging the same days again: every
therapist's shifts, visits and time off over four weeks, for every patient who opens
the booking page. They change only when the clinic's boards do, and the read model
says when: `readside_clinics.position` moves with every change a board shows (a
booking, a move, a cancellation, time off, a shift, a therapist joining or leaving).

So each API process keeps, per clinic, the days read at one position (`ClinicDays`:
the roster, the frames and their `tally.DayIndex`). A search asks for the clinic's
position (one indexed row) and reuses the days while it is unchanged; after a change
the first search reads them again, in one snapshot with the position it is keyed on.
Several processes keep their own copies and never disagree for longer than the read
model does.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain.rules import route
from scheduler.geo import Location
from scheduler.options import tally
from scheduler.options.search import DayFrame

HORIZON = 28
"""Days kept from today (the options' reach, `sources.DAYS_AHEAD`)."""
CLINICS = 16
"""Clinics kept per process (least recently searched dropped first)."""


@dataclass(frozen=True)
class Member:
    """A therapist of the clinic as the search chooses them."""

    id: UUID
    name: str
    mobile: bool
    specializations: frozenset[str]
    shifts: dict[str, tuple[int, int]]
    base: Location
    max_visits_per_day: int


@dataclass(frozen=True)
class ClinicDays:
    """Every active therapist's working days from `today`, read at `position`."""

    position: int
    today: date
    zone: str
    members: list[Member]
    frames: list[DayFrame]
    index: tally.DayIndex
    visits: dict[UUID, tuple[int, route.Booked]]  # session -> its frame and visit

    def qualified(self, specialization: str, home_visit: bool) -> list[Member]:
        """Who may take a session of `specialization` (mobile ones for a home visit)."""
        return [
            member
            for member in self.members
            if specialization in member.specializations and (member.mobile or not home_visit)
        ]

    def chosen(self, members: list[Member], days: list[date]) -> tally.Flags:
        """The frames of `members` on `days`."""
        return self.index.of_therapists([m.id for m in members]) & self.index.on_days(days)

    def without(self, session: UUID | None) -> tuple[list[DayFrame], list[int]]:
        """The frames with `session`'s visit left out (a move's own time is free), and
        which frame changed."""
        if session is None or session not in self.visits:
            return self.frames, []
        at, visit = self.visits[session]
        frames = list(self.frames)
        kept = list(frames[at].visits)
        kept.remove(visit)
        frames[at] = replace(frames[at], visits=tuple(kept))
        return frames, [at]


class DaysSource(Protocol):
    """The read model as the cache reads it (`readside.reader.ReadModel`)."""

    async def clinic_position(self, clinic_id: UUID) -> int | None:
        """The clinic's position, or None if it is not projected."""

    async def clinic_days(
        self, clinic_id: UUID, first: date, last: date
    ) -> tuple[int, list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]] | None:
        """Position, roster, visits and time off in one snapshot."""


class DayCache:
    """`ClinicDays` per clinic, reused while the clinic's position is unchanged."""

    def __init__(self, model: DaysSource, *, size: int = CLINICS) -> None:
        self.model = model
        self.size = size
        self._held: OrderedDict[UUID, ClinicDays] = OrderedDict()
        self._reading: dict[UUID, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.reads = 0  # how many times days were read (the tests count them)

    async def days(
        self, clinic_id: UUID, *, zone: ZoneInfo, location: Location, today: date
    ) -> ClinicDays | None:
        """The clinic's days as of its current position; None if the read model cannot
        answer (the clinic is not projected, or predates the roster's columns)."""
        position = await self.model.clinic_position(clinic_id)
        if position is None:
            return None
        held = self._fresh(clinic_id, position, today, zone)
        if held is not None:
            return held
        async with self._reading[clinic_id]:  # one read per change, however many ask
            position = await self.model.clinic_position(clinic_id) or position
            held = self._fresh(clinic_id, position, today, zone)
            if held is not None:
                return held
            found = await self.model.clinic_days(
                clinic_id, today, today + timedelta(days=HORIZON - 1)
            )
            if found is None or any(row[7] is None for row in found[1]):
                return None
            self.reads += 1
            held = build(*found, today=today, zone=zone, location=location)
            self._held[clinic_id] = held
            self._held.move_to_end(clinic_id)
            while len(self._held) > self.size:
                self._held.popitem(last=False)
            return held

    def _fresh(
        self, clinic_id: UUID, position: int, today: date, zone: ZoneInfo
    ) -> ClinicDays | None:
        held = self._held.get(clinic_id)
        if held is None or held.position != position or held.today != today:
            return None
        if held.zone != zone.key:
            return None
        self._held.move_to_end(clinic_id)
        return held


def build(
    position: int,
    roster: list[tuple[Any, ...]],
    visits: list[tuple[Any, ...]],
    unavailable: list[tuple[Any, ...]],
    *,
    today: date,
    zone: ZoneInfo,
    location: Location,
) -> ClinicDays:
    """The clinic's days from the read model's rows (`ReadModel.clinic_days`)."""
    from scheduler.options.sources import frames_of  # noqa: PLC0415 - sources imports us

    members = [
        Member(
            therapist,
            name,
            mobile,
            frozenset(specializations),
            {day: (window[0], window[1]) for day, window in shifts.items()},
            (home_lat, home_lon) if mobile and home_lat is not None else location,
            max_visits,
        )
        for therapist, name, mobile, home_lat, home_lon, shifts, max_visits, specializations in (
            roster
        )
    ]
    stops: dict[tuple[UUID, date], list[route.Booked]] = defaultdict(list)
    session_of: dict[tuple[UUID, date, route.Booked], UUID] = {}
    for therapist, day, session, start, end, latitude, longitude in visits:
        visit = (start, end, (latitude, longitude))
        stops[therapist, day].append(visit)
        session_of[therapist, day, visit] = session
    off: dict[tuple[UUID, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    for therapist, day, start, end in unavailable:
        off[therapist, day].append((start, end))
    days = [today + timedelta(days=n) for n in range(HORIZON)]
    frames = frames_of(zone, days, members, stops, off)
    where: dict[UUID, tuple[int, route.Booked]] = {}
    for at, frame in enumerate(frames):
        for visit in frame.visits:
            session = session_of.get((frame.therapist_id, frame.day, visit))
            if session is not None:
                where[session] = (at, visit)
    return ClinicDays(
        position, today, zone.key, members, frames, tally.DayIndex(frames, zone), where
    )
