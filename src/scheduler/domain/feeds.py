"""Therapists' calendar feeds: a secret token per therapist, and the sessions a feed shows.

A calendar app subscribes to a URL holding the token and polls it without signing in,
so the token is the only secret: 256 random bits, stored only as its SHA-256 (a store
leak does not reveal working URLs; the token's entropy makes a slow hash unnecessary).
The token's hash names a `CalendarToken` aggregate, so a feed is found by one read;
the therapist's `CalendarFeed` names the current token, so rotating revokes the old one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event

from scheduler.domain.base import SchedulingBase
from scheduler.domain.days import TherapistDay
from scheduler.domain.errors import UnknownCalendarFeed, UnknownSession, UnknownTherapist
from scheduler.domain.ids import TherapistId
from scheduler.domain.session import Session
from scheduler.domain.therapist import Therapist
from scheduler.domain.timekeeping import as_utc, dates_between

# Fixed namespace: changing it would orphan every stored feed.
_NAMESPACE = UUID("9a3e5c71-2b4d-4f68-a1c0-7e5d3b2f8c46")
MAX_FEED_DAYS = 400


def _token_key(token: str) -> UUID:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return uuid5(_NAMESPACE, f"calendar-token/{digest}")


class CalendarToken(Aggregate):
    """A token's hash and whose feed it opens (valid while its feed names it)."""

    @staticmethod
    def create_id(token_key: UUID) -> UUID:
        """Derived from the token's hash: presenting the token finds it in one read."""
        return token_key

    @event("Issued")
    def __init__(self, *, token_key: UUID, therapist_id: UUID, actor: str, at: datetime) -> None:
        self.therapist_id = therapist_id


class CalendarFeed(Aggregate):
    """A therapist's feed: which token is current."""

    @staticmethod
    def create_id(therapist_id: UUID) -> UUID:
        """One feed per therapist."""
        return uuid5(_NAMESPACE, f"calendar-feed/{therapist_id}")

    @event("Opened")
    def __init__(self, *, therapist_id: UUID, at: datetime) -> None:
        self.therapist_id = therapist_id
        self.token_key: UUID | None = None

    @event("TokenRotated")
    def rotate(self, token_key: UUID, actor: str, at: datetime) -> None:
        """Make a new token current; the previous one stops working."""
        self.token_key = token_key


@dataclass(frozen=True)
class FeedEntry:
    """A session as a therapist's calendar shows it; `version` rises with every change."""

    session_id: UUID
    plan_id: UUID
    patient_id: UUID
    start: datetime
    end: datetime
    location: tuple[float, float]
    setting: str
    status: str
    version: int
    changed_at: datetime
    moved_away: bool


class Feeds(SchedulingBase):
    """Issuing calendar tokens and reading the sessions a feed shows."""

    def rotate_calendar_token(self, therapist_id: UUID | str, *, actor: str, now: datetime) -> str:
        """A new secret token for the therapist's feed (the old one stops working)."""
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        at = as_utc(now, "now")
        token = secrets.token_urlsafe(32)

        def command() -> list[Aggregate]:
            feed = self._load_or_none(CalendarFeed.create_id(therapist.id))
            if not isinstance(feed, CalendarFeed):
                feed = CalendarFeed(therapist_id=therapist.id, at=at)
            issued = CalendarToken(
                token_key=_token_key(token), therapist_id=therapist.id, actor=actor, at=at
            )
            feed.rotate(issued.id, actor, at)
            return [feed, issued]

        self._save_retrying(command)
        return token

    def calendar_owner(self, token: str) -> TherapistId:
        """The therapist whose current feed `token` opens; UnknownCalendarFeed otherwise."""
        unknown = UnknownCalendarFeed("no calendar feed has this address: ask for a new one")
        try:
            issued: Any = self.repository.get(_token_key(token))
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
