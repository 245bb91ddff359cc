"""Reading the read model with asyncpg, and waiting for it to reach a write.

Every board or week is read inside one read-only REPEATABLE READ transaction, so its
rows come from one snapshot: a board never shows half of a move. `wait_for(position)`
is how read-your-writes works: a write answers with the notification id of its last
event (`X-Position`), and a read that passes it waits, bounded, until the projection's
tracked position has reached it.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints

from scheduler.readside.tables import APPLICATION_NAME


@dataclass(frozen=True)
class ClinicRow:
    """What a board needs of its clinic; `position`: last event that changed its boards."""

    id: UUID
    timezone: str
    location: tuple[float, float]
    travel_speed_kmh: float
    position: int


@dataclass(frozen=True)
class TherapistRow:
    """A therapist as the board shows them."""

    id: UUID
    clinic_id: UUID
    name: str
    mobile: bool
    home: tuple[float, float] | None
    shifts: dict[str, list[int]]


@dataclass(frozen=True)
class VisitRow:
    """A session on a therapist's day, with its patient and plan."""

    session_id: UUID
    therapist_id: UUID
    day: date
    start: datetime
    end: datetime
    location: tuple[float, float]
    patient_id: UUID
    patient_name: str
    condition: str
    specialization: str
    setting: str
    contraindications: list[str]
    flags: list[str]
    pinned: bool


@dataclass(frozen=True)
class Snapshot:
    """Rows of one clinic (or one therapist) over some days, from one snapshot."""

    clinic: ClinicRow
    therapists: list[TherapistRow]
    visits: list[VisitRow]
    unavailable: list[tuple[UUID, date, dict[str, Any]]]


_VISITS = """
    SELECT v.session_id, v.therapist_id, v.day, v.start_utc, v.end_utc, v.latitude,
           v.longitude, v.patient_id, p.name AS patient_name,
           COALESCE(l.condition, v.visit_reason) AS condition,
           COALESCE(l.specialization, 'initial evaluation') AS specialization, v.setting,
           p.contraindications, v.flags, v.pinned
    FROM board_visits v
    JOIN readside_patients p USING (patient_id)
    LEFT JOIN readside_plans l USING (plan_id)
    WHERE v.therapist_id = ANY($1::uuid[]) AND v.day BETWEEN $2 AND $3
      AND v.status NOT IN ('cancelled', 'displaced')
    ORDER BY v.start_utc, v.session_id"""

_UNAVAILABLE = """
    SELECT therapist_id, day, kind, start_utc, end_utc, reason FROM board_unavailable
    WHERE therapist_id = ANY($1::uuid[]) AND day BETWEEN $2 AND $3 ORDER BY position"""

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")

_CLINIC_ROSTER = """
    SELECT therapist_id, name, mobile, home_latitude, home_longitude, shifts::text AS shifts,
           max_visits, specializations::text AS specializations
    FROM readside_therapists WHERE clinic_id = $1 AND active ORDER BY listed"""

_STOPS = """
    SELECT therapist_id, day, session_id, start_utc, end_utc, latitude, longitude
    FROM board_visits
    WHERE therapist_id = ANY($1::uuid[]) AND day BETWEEN $2 AND $3 AND status <> 'cancelled'"""

_OFF = """
    SELECT therapist_id, day, start_utc, end_utc FROM board_unavailable
    WHERE therapist_id = ANY($1::uuid[]) AND day BETWEEN $2 AND $3"""


class ReadModel:
    """A pool of asyncpg connections to the read-model tables."""

    def __init__(self, dsn: str, *, max_size: int = 8) -> None:
        self.dsn = dsn
        self.max_size = max_size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        """Open the pool (connections are made lazily, so PostgreSQL may start later)."""
        self._pool = asyncpg.create_pool(self.dsn, min_size=0, max_size=self.max_size)
        await self._pool

    async def close(self) -> None:
        """Close the pool."""
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        """The open pool."""
        assert self._pool is not None, "the read model is used before it was opened"
        return self._pool

    async def position(self) -> int:
        """The notification id of the last event the projection has applied (0: none)."""
        found = await self.pool.fetchval(
            "SELECT notification_id FROM readside_tracking WHERE application_name = $1",
            APPLICATION_NAME,
        )
        return int(found or 0)

    async def wait_for(self, position: int, timeout_s: float) -> bool:
        """True once the projection has applied event `position`; False after `timeout_s`.

        The bound covers everything, the queries included: a query waiting for a pooled
        connection or a lock is cancelled at the deadline, so the caller never waits
        longer (a read once took 7.3 s of a documented 2 s)."""
        pause = 0.005
        try:
            async with asyncio.timeout(timeout_s):
                while await self.position() < position:
                    # The projector usually needs milliseconds: poll fast, then back off.
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 0.1)
        except TimeoutError:
            return False
        return True

    async def snapshot(
        self,
        clinic_id: UUID,
        first: date,
        last: date,
        *,
        therapist_id: UUID | None = None,
    ) -> Snapshot | None:
        """The clinic's (or one therapist's) rows from `first` to `last`; None if the
        clinic (or therapist) is not in the read model yet."""
        async with (
            self.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            clinic = await conn.fetchrow(
                "SELECT * FROM readside_clinics WHERE clinic_id = $1", clinic_id
            )
            if clinic is None:
                return None
            therapists = await conn.fetch(
                "SELECT * FROM readside_therapists WHERE clinic_id = $1 "
                "AND ($2::uuid IS NULL OR therapist_id = $2) ORDER BY listed",
                clinic_id,
                therapist_id,
            )
            if therapist_id is not None and not therapists:
                return None
            ids = [row["therapist_id"] for row in therapists]
            visits = await conn.fetch(_VISITS, ids, first, last)
            unavailable = await conn.fetch(_UNAVAILABLE, ids, first, last)
        return Snapshot(
            clinic=ClinicRow(
                id=clinic["clinic_id"],
                timezone=clinic["timezone"],
                location=(clinic["latitude"], clinic["longitude"]),
                travel_speed_kmh=clinic["travel_speed_kmh"],
                position=clinic["position"],
            ),
            therapists=[_therapist(row) for row in therapists],
            visits=[_visit(row) for row in visits],
            unavailable=[
                (
                    row["therapist_id"],
                    row["day"],
                    {
                        "kind": row["kind"],
                        "start": row["start_utc"],
                        "end": row["end_utc"],
                        "reason": row["reason"],
                    },
                )
                for row in unavailable
            ],
        )

    async def clinic_days(
        self, clinic_id: UUID, first: date, last: date
    ) -> tuple[int, list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]] | None:
        """What the booking page's options need, in one snapshot: the clinic's position,
        its active therapists (therapist, name, mobile, home latitude, home longitude,
        shifts, max visits, specializations: None in a read model made before that
        column, and the caller then reads the roster elsewhere), their visits (therapist,
        day, session, start, end, latitude, longitude) and their time off (therapist,
        day, start, end) from `first` to `last`, as `options.index.DayCache` keeps them;
        None if the clinic is not projected yet."""
        async with (
            self.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            position = await conn.fetchval(
                "SELECT position FROM readside_clinics WHERE clinic_id = $1", clinic_id
            )
            if position is None:
                return None
            roster = await conn.fetch(_CLINIC_ROSTER, clinic_id)
            ids = [row["therapist_id"] for row in roster]
            visits = await conn.fetch(_STOPS, ids, first, last)
            unavailable = await conn.fetch(_OFF, ids, first, last)
        return (
            int(position),
            [
                (
                    row["therapist_id"],
                    row["name"],
                    row["mobile"],
                    row["home_latitude"],
                    row["home_longitude"],
                    json.loads(row["shifts"]),
                    row["max_visits"],
                    None if row["specializations"] is None else json.loads(row["specializations"]),
                )
                for row in roster
            ],
            [tuple(row) for row in visits],
            [tuple(row) for row in unavailable],
        )

    async def versions(self, table: str, ids: list[UUID]) -> dict[UUID, int]:
        """The newest version of each of `ids` in the event store's `table` (absent ids:
        never saved). The event store shares the read model's database."""
        if not _IDENTIFIER.fullmatch(table):
            raise ValueError(f"not a table name: {table!r}")
        rows = await self.pool.fetch(
            f"SELECT originator_id, max(originator_version) FROM {table} "  # noqa: S608 - checked
            "WHERE originator_id = ANY($1::uuid[]) GROUP BY originator_id",
            ids,
        )
        return {UUID(str(row[0])): int(row[1]) for row in rows}

    async def clinic_of(self, therapist_id: UUID) -> UUID | None:
        """The clinic of a projected therapist (None: not projected yet)."""
        found = await self.pool.fetchval(
            "SELECT clinic_id FROM readside_therapists WHERE therapist_id = $1", therapist_id
        )
        return None if found is None else UUID(str(found))

    async def clinic_position(self, clinic_id: UUID) -> int | None:
        """The position of the last event that changed the clinic's boards (cache key)."""
        found = await self.pool.fetchval(
            "SELECT position FROM readside_clinics WHERE clinic_id = $1", clinic_id
        )
        return None if found is None else int(found)


def _therapist(row: asyncpg.Record) -> TherapistRow:
    home = row["home_latitude"], row["home_longitude"]
    return TherapistRow(
        id=UUID(str(row["therapist_id"])),
        clinic_id=UUID(str(row["clinic_id"])),
        name=row["name"],
        mobile=row["mobile"],
        home=None if home[0] is None or home[1] is None else (home[0], home[1]),
        shifts=json.loads(row["shifts"]),
    )


def _visit(row: asyncpg.Record) -> VisitRow:
    contraindications = row["contraindications"]
    return VisitRow(
        session_id=UUID(str(row["session_id"])),
        therapist_id=UUID(str(row["therapist_id"])),
        day=row["day"],
        start=row["start_utc"],
        end=row["end_utc"],
        location=(row["latitude"], row["longitude"]),
        patient_id=UUID(str(row["patient_id"])),
        patient_name=row["patient_name"],
        condition=row["condition"],
        specialization=row["specialization"],
        setting=row["setting"],
        contraindications=json.loads(contraindications) if contraindications else [],
        flags=json.loads(row["flags"]) if row["flags"] else [],
        pinned=row["pinned"],
    )
