"""Pinned visits: a session the dispatcher fixed in place, so no optimization moves it.

A pin is an event in the session's own history (`Pinned`, `Unpinned`), so the session's
history says who pinned it, when and why. The events are declared here rather than on
`Session` itself so that pins stay an additive part of the domain.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.base import SchedulingBase
from scheduler.domain.errors import UnknownSession
from scheduler.domain.session import Session
from scheduler.domain.timekeeping import as_utc


class Pinned(Session.Event):
    """The dispatcher fixed the session where it is: optimizations keep it as it is."""

    actor: str
    reason: str
    at: datetime

    def apply(self, aggregate: Aggregate) -> None:
        """Mark the session pinned."""
        aggregate.pinned = True  # type: ignore[attr-defined]


class Unpinned(Session.Event):
    """The pin was lifted: optimizations may move the session again."""

    actor: str
    reason: str
    at: datetime

    def apply(self, aggregate: Aggregate) -> None:
        """Mark the session free to move."""
        aggregate.pinned = False  # type: ignore[attr-defined]


def is_pinned(session: Session) -> bool:
    """True when the session's latest pin event pinned it (sessions start unpinned)."""
    return bool(getattr(session, "pinned", False))


class Pins(SchedulingBase):
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

    def session_pinned(self, session_id: UUID | str) -> bool:
        """Whether the session is pinned now."""
        return is_pinned(self._load(Session, session_id, UnknownSession))

    def _set_pin(
        self, session_id: UUID | str, pinned: bool, *, actor: str, reason: str, now: datetime
    ) -> bool:
        at = as_utc(now, "now")
        changed: list[bool] = []

        def command() -> list[Aggregate]:
            session = self._load(Session, session_id, UnknownSession, for_update=True)
            changed[:] = [is_pinned(session) != pinned]
            if not changed[0]:
                return []
            if pinned:
                session.check_booked("pinned")
            session.trigger_event(Pinned if pinned else Unpinned, actor=actor, reason=reason, at=at)
            return [session]

        self._save_retrying(command)
        return changed[0]
