"""What the waitlist shows: entries and offers as views of plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from scheduler.domain.commands.store import Store, as_uuid
from scheduler.domain.errors import UnknownOffer, UnknownWaitlistEntry
from scheduler.domain.model.waitlist import EXPIRED, OPEN, Waitlist
from scheduler.domain.timekeeping import as_utc


@dataclass(frozen=True)
class WaitlistEntryView:
    """A plan waiting for earlier time: its window, therapist wish and status."""

    id: UUID
    plan_id: UUID
    patient_id: UUID
    earliest: datetime
    latest: datetime
    therapist_id: UUID | None
    session_id: UUID | None  # a booked session to move earlier, or None: a new booking
    joined_at: datetime
    status: str
    first: bool = False  # put ahead of those already waiting (a sick call took its time)


@dataclass(frozen=True)
class OfferView:
    """A freed slot offered to a waiting plan; `status` counts expiry at the time asked."""

    id: UUID
    clinic_id: UUID
    entry_id: UUID
    plan_id: UUID
    patient_id: UUID
    therapist_id: UUID
    start: datetime
    end: datetime
    expires_at: datetime
    made_at: datetime
    status: str
    session_id: UUID | None
    moves: UUID | None  # the session taking the offer up would move, or None: a booking


class WaitlistReads(Store):
    """The clinic's waitlist entries and offers."""

    def _waitlist_of(self, clinic_id: UUID) -> Waitlist | None:
        found = self._load_or_none(Waitlist.create_id(clinic_id))
        return found if isinstance(found, Waitlist) else None

    def waitlist_entries(
        self, clinic_id: UUID | str, *, patient_id: UUID | None = None
    ) -> list[WaitlistEntryView]:
        """The clinic's entries (of one patient, if given), longest waiting first."""
        waitlist = self._waitlist_of(as_uuid(clinic_id, UnknownWaitlistEntry, "clinic"))
        if waitlist is None:
            return []
        views = [
            WaitlistEntryView(id=entry_id, **entry)
            for entry_id, entry in waitlist.entries.items()
            if patient_id is None or entry["patient_id"] == patient_id
        ]
        return sorted(views, key=lambda view: view.joined_at)

    def waitlist_offers(
        self, clinic_id: UUID | str, *, now: datetime, patient_id: UUID | None = None
    ) -> list[OfferView]:
        """The clinic's offers (of one patient, if given), newest first."""
        at = as_utc(now, "now")
        waitlist = self._waitlist_of(as_uuid(clinic_id, UnknownOffer, "clinic"))
        if waitlist is None:
            return []
        views = [
            _offer_view(waitlist.clinic_id, offer_id, offer, at)
            for offer_id, offer in waitlist.offers.items()
            if patient_id is None or offer["patient_id"] == patient_id
        ]
        return sorted(views, key=lambda view: view.made_at, reverse=True)


def _offer_view(clinic_id: UUID, offer_id: UUID, offer: dict[str, Any], at: datetime) -> OfferView:
    status = offer["status"]
    if status == OPEN and offer["expires_at"] <= at:
        status = EXPIRED  # not yet closed by a command, but no longer open
    fields = ("entry_id", "plan_id", "patient_id", "therapist_id", "start", "end", "moves")
    return OfferView(
        id=offer_id,
        clinic_id=clinic_id,
        expires_at=offer["expires_at"],
        made_at=offer["made_at"],
        status=status,
        session_id=offer["session_id"],
        **{name: offer[name] for name in fields},
    )
