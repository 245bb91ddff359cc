"""The truth, from the event store: every session ever booked, replayed from its events.

Nothing here trusts the API's answers or the read model: it reads the notification log
of the `Scheduling` application from the first event to the last.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.store import postgres_settings

PAGE = 500


@dataclass
class Booked:
    """A session as its events leave it."""

    session_id: UUID
    plan_id: UUID
    patient_id: UUID
    therapist_id: UUID
    start: datetime
    end: datetime
    status: str = "booked"


@dataclass
class Ledger:
    """The sessions of the store and how many `Booked` events each has."""

    sessions: dict[UUID, Booked]
    booked_events: Counter[UUID]
    last_position: int

    def live(self) -> list[Booked]:
        """Sessions not cancelled."""
        return [s for s in self.sessions.values() if s.status != "cancelled"]

    def overlaps(self) -> list[tuple[Booked, Booked]]:
        """Pairs of live sessions that share a therapist or a patient at the same time."""
        found = []
        for key in ("therapist_id", "patient_id"):
            by_person: dict[UUID, list[Booked]] = defaultdict(list)
            for session in self.live():
                by_person[getattr(session, key)].append(session)
            for sessions in by_person.values():
                sessions.sort(key=lambda s: s.start)
                found += [(a, b) for a, b in itertools.pairwise(sessions) if b.start < a.end]
        return found


def replay(database_url: str) -> Ledger:
    """Read every event of the store and rebuild its sessions."""
    env = {**postgres_settings(database_url), "CREATE_TABLE": "n", "POSTGRES_POOL_SIZE": "1"}
    app = Scheduling(env)
    sessions: dict[UUID, Booked] = {}
    booked: Counter[UUID] = Counter()
    position = 0
    try:
        while True:
            page = app.recorder.select_notifications(start=position + 1, limit=PAGE)
            if not page:
                break
            for notification in page:
                position = notification.id
                if not notification.topic.startswith("scheduler.domain.model.session:Session."):
                    continue
                event = app.mapper.to_domain_event(notification)
                kind = type(event).__name__
                if kind == "Booked":
                    booked[event.originator_id] += 1
                    sessions[event.originator_id] = Booked(
                        session_id=event.originator_id,
                        plan_id=event.plan_id,
                        patient_id=event.patient_id,
                        therapist_id=event.therapist_id,
                        start=event.start,
                        end=event.end,
                    )
                elif kind == "Rescheduled":
                    moved = sessions[event.originator_id]
                    moved.therapist_id, moved.start, moved.end = (
                        event.therapist_id,
                        event.start,
                        event.end,
                    )
                elif kind == "Cancelled":
                    sessions[event.originator_id].status = "cancelled"
    finally:
        app.close()
    return Ledger(sessions=sessions, booked_events=booked, last_position=position)
