"""Reading therapists' calendar feeds: whose feed a token opens, and what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import UnknownCalendarFeed, UnknownSession, UnknownTherapist
from scheduler.domain.ids import TherapistId
from scheduler.domain.model.days import TherapistDay
from scheduler.domain.model.feed import CalendarFeed, CalendarToken, token_key
from scheduler.domain.model.session import Session
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.timekeeping import dates_between

MAX_FEED_DAYS = 400


@dataclass(frozen=True)
class FeedEntry:
    """A session as a therapist's calendar shows it; `version` rises with every change."""

    session_id: UUID
    plan_id: UUID | None  # None: an evaluation visit
    patient_id: UUID
    start: datetime
    end: datetime
    location: tuple[float, float]
    setting: str
    status: str
    version: int
    changed_at: datetime
    moved_away: bool


class FeedReads(Store):
    """The therapist a token opens, and the sessions a feed shows."""

    def calendar_owner(self, token: str) -> TherapistId:
        """The therapist whose current feed `token` opens; UnknownCalendarFeed otherwise."""
        unknown = UnknownCalendarFeed("no calendar feed has this address: ask for a new one")
        try:
            issued: Any = self.repository.get(token_key(token))
            feed: Any = self.repository.get(CalendarFeed.create_id(issued.therapist_id))
        except AggregateNotFoundError:
            raise unknown from None
        if not isinstance(issued, CalendarToken) or feed.token_key != issued.id:
            raise unknown
        return TherapistId(issued.therapist_id)

    def therapist_feed(
        self, therapist_id: UUID | str, *, first_day: date, last_day: date
    ) -> list[FeedEntry]:
        """Every session that was ever on the therapist's days `first_day`..`last_day`
        (local dates), as it stands now; one that moved to another therapist is marked
        `moved_away` (the feed shows it cancelled)."""
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        days = dates_between(first_day, last_day)[:MAX_FEED_DAYS]
        seen: dict[UUID, None] = {}
        for day in days:
            for stored in self.events.get(TherapistDay.create_id(therapist.id, day)):
                session_id = getattr(stored, "session_id", None)
                if isinstance(session_id, UUID):
                    seen[session_id] = None
        entries = []
        for session_id in seen:
            session: Session = self.repository.get(session_id)
            version, changed_at = self.session_revision(session_id)
            entries.append(
                FeedEntry(
                    session_id=session.id,
                    plan_id=session.plan_id,
                    patient_id=session.patient_id,
                    start=session.start,
                    end=session.end,
                    location=session.location,
                    setting=session.setting,
                    status=session.status,
                    version=version,
                    changed_at=changed_at,
                    moved_away=session.therapist_id != therapist.id,
                )
            )
        return sorted(entries, key=lambda entry: entry.start)

    def session_revision(self, session_id: UUID | str) -> tuple[int, datetime]:
        """The session's version (1 when booked, +1 per change) and when it last changed."""
        session = self._load(Session, session_id, UnknownSession)
        last: Any = next(iter(self.events.get(session.id, desc=True, limit=1)))
        return session.version, getattr(last, "at", None) or last.timestamp
