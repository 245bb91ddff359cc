"""The projection: each domain event becomes SQL on the read-model tables.

Exactly once: `ReadSideView.record` runs the event's statements and the library's
tracking insert (`readside_tracking`, one row per application, only ever moved forward)
in ONE transaction. A projector killed mid-event has committed neither; on restart the
runner subscribes after the last tracked position. If two projectors run by mistake,
the slower one finds the position already tracked, rolls back and skips the event.
Inserts have no ON CONFLICT clause on purpose: an event applied twice would break a
primary key and stop the projector, never pass unnoticed.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL

from scheduler.domain.model.clinic import Clinic
from scheduler.domain.model.days import TherapistDay
from scheduler.domain.model.patient import Patient
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.session import Session
from scheduler.domain.model.therapist import Therapist
from scheduler.readside.changes import CHANGES, BoardChange
from scheduler.readside.tables import TABLES

log = logging.getLogger("scheduler.readside")

Statement = tuple[str, tuple[Any, ...]]
Handler = Callable[[Any, int], list[Statement]]

# Every change to what a clinic's boards show moves its position (the cache key).
_BUMP = "UPDATE readside_clinics SET position = %s WHERE clinic_id = %s"
_BUMP_OF_SESSION = (
    "UPDATE readside_clinics SET position = %s "
    "WHERE clinic_id = (SELECT clinic_id FROM board_visits WHERE session_id = %s)"
)


class AlreadyProjected(Exception):
    """Raised when another projector has already recorded this event's position."""


class ReadSideView(PostgresTrackingRecorder):
    """The read-model tables, updated atomically with the projection's position."""

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(SQL(statement).format() for statement in TABLES)

    def record(
        self, tracking: Tracking, statements: list[Statement], session_id: UUID | None
    ) -> tuple[bool, tuple[UUID, UUID, Any] | None]:
        """Apply `statements` and track the event; (applied, the session's place after).

        Returns (False, None) when this position was already tracked (nothing applied).
        """
        try:
            with self.datastore.transaction(commit=True) as curs:
                try:
                    # The library's own step of its examples' views: same cursor, same commit.
                    self._insert_tracking(curs, tracking)
                except IntegrityError:
                    raise AlreadyProjected from None
                for sql, params in statements:
                    curs.execute(sql.encode(), params)
                place = _place(curs, session_id) if session_id is not None else None
        except AlreadyProjected:
            log.info("event already projected", extra={"position": tracking.notification_id})
            return False, None
        return True, place


def _place(curs: Cursor[DictRow], session_id: UUID) -> tuple[UUID, UUID, Any] | None:
    curs.execute(
        b"SELECT clinic_id, therapist_id, day FROM board_visits WHERE session_id = %s",
        (session_id,),
    )
    row = curs.fetchone()
    return None if row is None else (row["clinic_id"], row["therapist_id"], row["day"])


def _clinic(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_clinics VALUES (%s, %s, %s, %s, %s, %s)",
            (
                event.originator_id,
                event.timezone,
                event.latitude,
                event.longitude,
                event.travel_speed_kmh,
                position,
            ),
        )
    ]


def _therapist(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_therapists VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s)",
            (
                event.originator_id,
                event.clinic_id,
                event.name,
                event.mobile,
                event.home_latitude,
                event.home_longitude,
                json.dumps(event.shifts),
                position,
            ),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _shifts(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE readside_therapists SET shifts = %s::jsonb WHERE therapist_id = %s",
            (json.dumps(event.shifts), event.originator_id),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT clinic_id FROM readside_therapists WHERE therapist_id = %s)",
            (position, event.originator_id),
        ),
    ]


def _patient(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_patients VALUES (%s, %s, %s, NULL)",
            (event.originator_id, event.clinic_id, event.name),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _evaluated(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE readside_patients SET contraindications = %s::jsonb WHERE patient_id = %s",
            (json.dumps(list(event.contraindications)), event.originator_id),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT clinic_id FROM readside_patients WHERE patient_id = %s)",
            (position, event.originator_id),
        ),
    ]


def _plan(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_plans VALUES (%s, %s, %s, %s, %s)",
            (
                event.originator_id,
                event.clinic_id,
                event.condition,
                event.specialization,
                event.setting,
            ),
        )
    ]


def _booked(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO board_visits VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'booked', %s)",
            (
                event.originator_id,
                event.clinic_id,
                event.therapist_id,
                event.patient_id,
                event.plan_id,
                event.therapist_day,
                event.start,
                event.end,
                event.latitude,
                event.longitude,
                event.setting,
                position,
            ),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _rescheduled(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE board_visits SET therapist_id = %s, day = %s, start_utc = %s, "
            "end_utc = %s, position = %s WHERE session_id = %s",
            (
                event.therapist_id,
                event.therapist_day,
                event.start,
                event.end,
                position,
                event.originator_id,
            ),
        ),
        (_BUMP_OF_SESSION, (position, event.originator_id)),
    ]


def _status(status: str) -> Handler:
    def handler(event: Any, position: int) -> list[Statement]:
        # A session no longer booked carries no flag (as in the domain).
        flags = "'[]'::jsonb" if status != "completed" else "flags"
        return [
            (
                f"UPDATE board_visits SET status = %s, flags = {flags}, position = %s "  # noqa: S608 - a constant
                "WHERE session_id = %s",
                (status, position, event.originator_id),
            ),
            (_BUMP_OF_SESSION, (position, event.originator_id)),
        ]

    return handler


def _flags(event: Any, position: int) -> list[Statement]:
    flags = list(getattr(event, "flags", []))
    return [
        (
            "UPDATE board_visits SET flags = %s::jsonb, position = %s WHERE session_id = %s",
            (json.dumps(flags), position, event.originator_id),
        ),
        (_BUMP_OF_SESSION, (position, event.originator_id)),
    ]


def _day_opened(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_therapist_days VALUES (%s, %s, %s)",
            (event.originator_id, event.therapist_id, event.day),
        )
    ]


def _unavailable(event: Any, position: int) -> list[Statement]:
    start: datetime = event.start
    end: datetime = event.end
    return [
        (
            "INSERT INTO board_unavailable SELECT %s, therapist_id, day, %s, %s, %s, %s "
            "FROM readside_therapist_days WHERE day_id = %s",
            (position, event.kind, start, end, event.reason, event.originator_id),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT t.clinic_id FROM readside_therapists t "
            "JOIN readside_therapist_days d USING (therapist_id) WHERE d.day_id = %s)",
            (position, event.originator_id),
        ),
    ]


HANDLERS: dict[type[Any], Handler] = {
    Clinic.Registered: _clinic,
    Therapist.Registered: _therapist,
    Therapist.ShiftsChanged: _shifts,
    Patient.Registered: _patient,
    Patient.Evaluated: _evaluated,
    TreatmentPlan.Created: _plan,
    Session.Booked: _booked,
    Session.Rescheduled: _rescheduled,
    Session.Cancelled: _status("cancelled"),
    Session.Completed: _status("completed"),
    Session.NoShow: _status("no_show"),
    Session.ContraindicationFlagged: _flags,
    Session.FlagResolved: _flags,
    TherapistDay.Opened: _day_opened,
    TherapistDay.MarkedUnavailable: _unavailable,
}


class ReadSideProjection(Projection[ReadSideView]):
    """Projects the `Scheduling` events the board and weeks show."""

    name = "readside"
    # No topic filter: every event moves the tracked position, so a write's position
    # (`X-Position`, whatever its last event was) is always reached. Events without a
    # handler only record their position.
    topics = ()
    publish: ClassVar[Callable[[BoardChange], None] | None] = None
    """Called after each committed session change (set by the projector)."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Apply the event and its position in one transaction; then announce it."""
        kind = type(domain_event)
        handler = HANDLERS.get(kind)
        statements = handler(domain_event, tracking.notification_id) if handler else []
        is_session = issubclass(kind, Session.Event)
        session_id: UUID | None = domain_event.originator_id if is_session else None
        applied, place = self.view.record(tracking, statements, session_id)
        publish = type(self).publish
        change = CHANGES.get(kind.__name__)
        if applied and session_id and place and change and publish is not None:
            clinic_id, therapist_id, day = place
            publish(
                BoardChange(
                    clinic_id=clinic_id,
                    session_id=session_id,
                    therapist_id=therapist_id,
                    day=day,
                    change=change,
                    position=tracking.notification_id,
                )
            )
