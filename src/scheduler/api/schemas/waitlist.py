"""Bodies of the waitlist: joining it, entries and the offers made from freed time."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from scheduler.api.schemas.types import Instant
from scheduler.domain.queries.waitlist import OfferView, WaitlistEntryView


class JoinWaitlist(msgspec.Struct, forbid_unknown_fields=True):
    """Wait for a session starting between `earliest` and `latest` (optionally with one
    therapist); an offer is made when such time frees up. With `session_id` (a booked
    session of the plan), taking the offer up moves that session instead of booking."""

    earliest: Instant
    latest: Instant
    therapist_id: UUID | None = None
    session_id: UUID | None = None


class WaitlistEntry(msgspec.Struct):
    """A plan on the waitlist: its window, therapist wish and status
    (waiting, offered, booked, left)."""

    id: UUID
    plan_id: UUID
    patient_id: UUID
    earliest: datetime
    latest: datetime
    therapist_id: UUID | None
    session_id: UUID | None
    joined_at: datetime
    status: str
    first: bool = False
    """Put ahead of those already waiting: a sick call took the session's time."""

    @classmethod
    def of(cls, view: WaitlistEntryView) -> WaitlistEntry:
        """From the domain's entry view."""
        return cls(**{field: getattr(view, field) for field in cls.__struct_fields__})


class Offer(msgspec.Struct):
    """A freed slot offered to a waiting plan. Status: open (take it up before
    `expires_at`), accepted (`session_id` is the booking), declined, lapsed, expired.
    `moves`: the booked session taking it up would move here (None: a new booking)."""

    id: UUID
    plan_id: UUID
    therapist_id: UUID
    start: datetime
    end: datetime
    start_local: datetime
    expires_at: datetime
    status: str
    session_id: UUID | None
    moves: UUID | None

    @classmethod
    def of(cls, view: OfferView, timezone: str) -> Offer:
        """From the domain's offer view; `start_local` in the clinic's zone."""
        return cls(
            id=view.id,
            plan_id=view.plan_id,
            therapist_id=view.therapist_id,
            start=view.start,
            end=view.end,
            start_local=view.start.astimezone(ZoneInfo(timezone)),
            expires_at=view.expires_at,
            status=view.status,
            session_id=view.session_id,
            moves=view.moves,
        )


class Waitlist(msgspec.Struct):
    """A clinic's waitlist for its front desk: entries and offers."""

    entries: list[WaitlistEntry]
    offers: list[Offer]
