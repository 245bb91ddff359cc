"""Where the day board and a therapist's week are read from.

On PostgreSQL they come from the projection (`scheduler.readside`) through asyncpg,
cached in Redis by the clinic's read-model position (`cache.py`); on the embedded SQLite
default, and for `as_of` time travel, from the domain itself (`readers.py`). Both give
the same response schema.

Read your writes: writes answer with `X-Position` (the notification id of their last
event). A read given `?min_position=N` waits up to `wait_s` (2 s) for the projection
to reach N, then answers 503 `read_model_behind` with `Retry-After: 1` rather than a
board without the caller's own change. On the embedded default reads are always current.

If the read model cannot be queried at all (tables not made yet, PostgreSQL failing
while the event store works), the board is read from the domain instead and a warning
is logged: slower, never wrong.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from scheduler.api import readers
from scheduler.api.cache import HotReads
from scheduler.api.errors import ApiError
from scheduler.api.gateway import Gateway
from scheduler.api.redis_gate import RedisGate
from scheduler.api.schemas.records import Board, Coordinates, Route, Visit, Week
from scheduler.api.schemas.types import check_day, check_instant
from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.timekeeping import clinic_zone, wall_clock
from scheduler.geo import haversine_km, travel_minutes
from scheduler.options.index import DayCache
from scheduler.options.plan_sides import PlanSides
from scheduler.readside.reader import ClinicRow, ReadModel, Snapshot, TherapistRow, VisitRow
from scheduler.settings import Settings

log = logging.getLogger("scheduler.readside")


class ReadModelBehind(ApiError):
    """Raised when the projection has not reached `min_position` within the wait."""

    status, code = 503, "read_model_behind"


class ReadSide:
    """The board and week reads of one app (a dependency of the controllers)."""

    def __init__(
        self, settings: Settings, gateway: Gateway, redis: RedisGate, *, wait_s: float = 2.0
    ) -> None:
        self.gateway = gateway
        self.wait_s = wait_s
        self.cache = HotReads(redis)
        self.model = None if settings.database_url is None else ReadModel(settings.database_url)
        # The booking page's options: each clinic's days, kept while its position holds.
        self.days = None if self.model is None else DayCache(self.model)
        self.plans = None if self.model is None else PlanSides(self.model)

    async def start(self) -> None:
        """Open the asyncpg pool (PostgreSQL only)."""
        if self.model is not None:
            await self.model.open()

    async def stop(self) -> None:
        """Close the pool."""
        if self.model is not None:
            await self.model.close()

    async def board(
        self, clinic_id: UUID, day: date, as_of: datetime | None, min_position: int | None
    ) -> Board:
        """The clinic's day board (see the module docstring for where it comes from).

        Raises DateOutOfRange (400) for a day or `as_of` outside the clinic's years."""
        check_day(day, "date")
        if as_of is not None:
            check_instant(as_of, "as_of")
        if self.model is None or as_of is not None:
            app = self.gateway.scheduling
            return await self.gateway.run(readers.board, app, clinic_id, day, as_of)
        found = await self._projected(
            "board",
            clinic_id=clinic_id,
            record_id=clinic_id,
            first=day,
            last=day,
            min_position=min_position,
        )
        if found is None:
            app = self.gateway.scheduling
            return await self.gateway.run(readers.board, app, clinic_id, day, None)
        return msgspec.json.decode(found, type=Board)

    async def week(self, therapist_id: UUID, start: date, min_position: int | None) -> Week:
        """The therapist's seven days from `start` (DateOutOfRange outside the clinic's years)."""
        check_day(start, "start")
        clinic_id = None
        if self.model is not None:
            clinic_id = await self._guard(self.model.clinic_of(therapist_id))
        found = None
        if clinic_id is not None:
            last = start + timedelta(days=6)
            found = await self._projected(
                "week",
                clinic_id=clinic_id,
                record_id=therapist_id,
                first=start,
                last=last,
                min_position=min_position,
                therapist=True,
            )
        if found is None:
            app = self.gateway.scheduling
            return await self.gateway.run(readers.week, app, therapist_id, start)
        return msgspec.json.decode(found, type=Week)

    async def _projected(
        self,
        kind: str,
        *,
        clinic_id: UUID,
        record_id: UUID,
        first: date,
        last: date,
        min_position: int | None,
        therapist: bool = False,
    ) -> bytes | None:
        """The serialized read from the projection (cached), or None to use the domain."""
        model = self.model
        assert model is not None
        if min_position is not None:
            reached = await self._guard(model.wait_for(min_position, self.wait_s))
            if reached is False:
                raise ReadModelBehind(
                    f"the board has not caught up with position {min_position} yet "
                    f"(waited {self.wait_s:g} s): retry in a second",
                    headers={"Retry-After": "1"},
                )
        position = await self._guard(model.clinic_position(clinic_id))
        if position is None:
            return None
        key = self.cache.key(kind, record_id, first, position)
        cached = await self.cache.get(key)
        if cached is not None:
            return cached
        snapshot = await self._guard(
            model.snapshot(clinic_id, first, last, therapist_id=record_id if therapist else None)
        )
        if snapshot is None:
            return None
        if therapist:
            body = msgspec.json.encode(week_of(snapshot, snapshot.therapists[0], first))
        else:
            body = msgspec.json.encode(board_of(snapshot, first))
        # The snapshot may be newer than `position`; its key is then merely conservative.
        await self.cache.put(key, body)
        return body

    async def _guard(self, query: Any) -> Any:
        """`await query`, or None when the read model cannot be queried (logged)."""
        try:
            return await query
        except Exception as error:  # refused connections, asyncpg errors, missing tables
            log.warning(
                "read model unavailable, reading from the event store",
                extra={"error_type": type(error).__name__},
            )
            return None


def board_of(snapshot: Snapshot, day: date) -> Board:
    """The day board from projected rows (same rules as `readers.board`)."""
    visits, unavailable = _by_therapist_day(snapshot)
    clinic = snapshot.clinic
    routes = [
        _route(clinic, t, day, visits[t.id, day], unavailable[t.id, day])
        for t in snapshot.therapists
    ]
    return Board(clinic_id=clinic.id, day=day, timezone=clinic.timezone, as_of=None, routes=routes)


def week_of(snapshot: Snapshot, therapist: TherapistRow, start: date) -> Week:
    """A therapist's week from projected rows (same rules as `readers.week`)."""
    visits, unavailable = _by_therapist_day(snapshot)
    clinic = snapshot.clinic
    days = [start + timedelta(days=n) for n in range(7)]
    return Week(
        therapist_id=therapist.id,
        start=start,
        timezone=clinic.timezone,
        days=[
            _route(clinic, therapist, d, visits[therapist.id, d], unavailable[therapist.id, d])
            for d in days
        ],
    )


def _by_therapist_day(
    snapshot: Snapshot,
) -> tuple[dict[tuple[UUID, date], list[VisitRow]], dict[tuple[UUID, date], list[dict[str, Any]]]]:
    visits: dict[tuple[UUID, date], list[VisitRow]] = defaultdict(list)
    for visit in snapshot.visits:
        visits[visit.therapist_id, visit.day].append(visit)
    unavailable: dict[tuple[UUID, date], list[dict[str, Any]]] = defaultdict(list)
    for therapist_id, day, entry in snapshot.unavailable:
        unavailable[therapist_id, day].append(entry)
    return visits, unavailable


def _route(
    clinic: ClinicRow,
    therapist: TherapistRow,
    day: date,
    visits: list[VisitRow],
    unavailable: list[dict[str, Any]],
) -> Route:
    zone = clinic_zone(clinic.timezone)
    base = therapist.home if therapist.mobile and therapist.home else clinic.location
    speed = clinic.travel_speed_kmh
    window = therapist.shifts.get(WEEKDAYS[day.weekday()])
    here = base
    stops: list[Visit] = []
    for row in visits:
        stops.append(
            Visit(
                session_id=row.session_id,
                start_local=row.start.astimezone(zone),
                end_local=row.end.astimezone(zone),
                location=Coordinates.of(row.location),
                travel_minutes=travel_minutes(here, row.location, speed),
                travel_km=round(haversine_km(here, row.location), 2),
                patient_id=row.patient_id,
                patient_name=row.patient_name,
                condition=row.condition,
                specialization=row.specialization,
                setting=row.setting,
                contraindications=list(row.contraindications),
                flags=list(row.flags),
                pinned=row.pinned,
            )
        )
        here = row.location
    return Route(
        therapist_id=therapist.id,
        therapist_name=therapist.name,
        day=day,
        shift_start_local=wall_clock(day, window[0], zone).astimezone(zone) if window else None,
        shift_end_local=wall_clock(day, window[1], zone).astimezone(zone) if window else None,
        base=Coordinates.of(base),
        visits=stops,
        return_minutes=travel_minutes(here, base, speed),
        return_km=round(haversine_km(here, base), 2),
        unavailable=[dict(entry) for entry in unavailable],
    )
