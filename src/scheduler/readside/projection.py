"""The projection: each domain event becomes SQL on the read-model tables (`handlers`).

Exactly once: `ReadSideView.record` runs the event's statements and the library's
tracking insert (`readside_tracking`, one row per application, only ever moved forward)
in ONE transaction. A projector killed mid-event has committed neither; on restart the
runner subscribes after the last tracked position. If two projectors run by mistake,
the slower one finds the position already tracked, rolls back and skips the event.
Inserts have no ON CONFLICT clause on purpose: an event applied twice would break a
primary key, never pass unnoticed.

An event that cannot be applied (a broken statement, a missing table) never stops the
projector: it logs the event's type and the error's type and stack (never its message,
which could quote a patient's data) and tries the same event again, waiting twice as
long each time up to `RETRY_MAX_S`, so the outage shows in the logs while the read model
stays exactly once.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL

from scheduler.domain.model.session import Session
from scheduler.readside.changes import SESSION_CHANGES, BoardChange
from scheduler.readside.handlers import HANDLERS, IGNORED, Statement
from scheduler.readside.tables import TABLES

log = logging.getLogger("scheduler.readside")

STORE_DOWN = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
"""What the store raises when it cannot be reached: the projector waits that out itself."""
RETRY_FIRST_S = 0.5
"""Seconds before the first retry of an event that could not be applied."""
RETRY_MAX_S = 30.0
"""The longest wait between two tries of one event."""


class AlreadyProjected(Exception):
    """Raised when another projector has already recorded this event's position."""


class ProjectionStopped(Exception):
    """Raised when the projector is stopped while an event waits for its next try.

    The event is not tracked, so the next start applies it (nothing is skipped).
    """


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


class ReadSideProjection(Projection[ReadSideView]):
    """Projects the `Scheduling` events the board and weeks show."""

    name = "readside"
    # No topic filter: every event moves the tracked position, so a write's position
    # (`X-Position`, whatever its last event was) is always reached. Ignored events
    # only record their position.
    topics = ()
    publish: ClassVar[Callable[[BoardChange], None] | None] = None
    """Called after each committed session change (set by the projector)."""
    stopping: ClassVar[threading.Event | None] = None
    """Set when the projector stops: an event waiting for its next try gives up."""
    retry_first_s: ClassVar[float] = RETRY_FIRST_S
    retry_max_s: ClassVar[float] = RETRY_MAX_S

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Apply the event and its position in one transaction, trying again until it
        applies; then announce it. An unreachable store is raised (the projector waits
        it out and resumes); any other failure is logged and retried here."""
        pause = type(self).retry_first_s
        while True:
            try:
                applied, place = self._apply(domain_event, tracking)
                break
            except STORE_DOWN:
                raise
            except Exception as error:  # a failing event must not stop the projector
                log.error(
                    "event not projected; trying it again",
                    extra={
                        "event_type": type(domain_event).__qualname__,
                        "position": tracking.notification_id,
                        "error_type": type(error).__name__,
                        # The stack, never the message: it could quote a patient's data.
                        "stack": "".join(traceback.format_tb(error.__traceback__)),
                        "retry_in_s": pause,
                    },
                )
            stopping = type(self).stopping or threading.Event()
            if stopping.wait(pause):
                raise ProjectionStopped(f"stopped before event {tracking.notification_id}")
            pause = min(pause * 2, type(self).retry_max_s)
        if applied and place is not None:
            self._announce(domain_event, tracking, place)

    def _apply(
        self, domain_event: Any, tracking: Tracking
    ) -> tuple[bool, tuple[UUID, UUID, Any] | None]:
        kind = type(domain_event)
        handler = HANDLERS.get(kind)
        if handler is None and kind not in IGNORED:
            # A new event nobody classified: it may matter to the board, so say so.
            log.warning(
                "event neither projected nor ignored", extra={"event_type": kind.__qualname__}
            )
        statements = handler(domain_event, tracking.notification_id) if handler else []
        session_id = domain_event.originator_id if issubclass(kind, Session.Event) else None
        return self.view.record(tracking, statements, session_id)

    def _announce(
        self, domain_event: Any, tracking: Tracking, place: tuple[UUID, UUID, Any]
    ) -> None:
        """Publish the committed change (best effort: the read model already has it)."""
        publish = type(self).publish
        change = SESSION_CHANGES.get(type(domain_event))
        if publish is None or change is None:
            return
        clinic_id, therapist_id, day = place
        try:
            publish(
                BoardChange(
                    clinic_id=clinic_id,
                    session_id=domain_event.originator_id,
                    therapist_id=therapist_id,
                    day=day,
                    change=change,
                    position=tracking.notification_id,
                )
            )
        except Exception as error:  # an announcement lost is a board refreshed later
            log.warning(
                "board change not announced",
                extra={"error_type": type(error).__name__, "position": tracking.notification_id},
            )
