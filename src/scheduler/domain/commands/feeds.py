"""Issuing a therapist's secret calendar-feed token (rotating revokes the previous one)."""

from __future__ import annotations

import secrets
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import UnknownTherapist
from scheduler.domain.model.feed import CalendarFeed, CalendarToken, token_key
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.timekeeping import as_utc


class Feeds(Store):
    """Calendar-feed tokens."""

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
                token_key=token_key(token), therapist_id=therapist.id, actor=actor, at=at
            )
            feed.rotate(issued.id, actor, at)
            return [feed, issued]

        # Never receipted: a replay could not give back the secret, only its hash.
        self._save_retrying(command, identity=("rotate_calendar_token", token))
        return token
