"""Pinned visits: a session the dispatcher fixed in place, so no optimization moves it.

A pin is an event in the session's own history (`Session.Pinned`, `Session.Unpinned`),
so the session's history says who pinned it, when and why.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import UnknownSession
from scheduler.domain.model.session import Session
from scheduler.domain.timekeeping import as_utc


class Pins(Store):
    """Pinning and unpinning sessions."""

    def pin_session(
        self, session_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> bool:
        """Pin a booked session; returns False (and records nothing) if it was pinned.

        Raises `SessionNotBooked` for a cancelled, completed or missed session: only a
        visit still to come can be kept in place.
        """
        return self._set_pin(session_id, True, actor=actor, reason=reason, now=now)

    def unpin_session(
        self, session_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> bool:
        """Lift a pin; returns False (and records nothing) if the session was not pinned."""
        return self._set_pin(session_id, False, actor=actor, reason=reason, now=now)

    def _set_pin(
        self, session_id: UUID | str, pinned: bool, *, actor: str, reason: str, now: datetime
    ) -> bool:
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            session = self._load(Session, session_id, UnknownSession)
            if session.pinned == pinned:
                return []
            if pinned:
                session.check_booked("pinned")
                session.pin(actor, reason, at)
            else:
                session.unpin(actor, reason, at)
            return [session]

        return bool(self._save_retrying(command, identity=("pin", str(session_id), pinned)))
