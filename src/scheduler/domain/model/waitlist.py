"""A clinic's waitlist: patients waiting for earlier time, and the offers made to them.

One aggregate per clinic holds its entries and offers, so making an offer, accepting
it and passing a declined slot on are each one consistent change. Offers are made by a
policy that follows the event log (see `commands/offers.py`); `OfferTracker` remembers how far
it has read, saved in the same transaction as the offers it made from what it read.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from scheduler.domain import errors
from scheduler.domain.rules.timing import clock

# Fixed namespace: changing it would orphan every stored waitlist.
_NAMESPACE = UUID("3b0c1f4e-6d2a-4f7b-8e91-5a4c2d7e9f10")

WAITING, OFFERED, BOOKED, LEFT = "waiting", "offered", "booked", "left"
OPEN, ACCEPTED, DECLINED, LAPSED, EXPIRED = "open", "accepted", "declined", "lapsed", "expired"


class Waitlist(Aggregate):
    """Who waits for a session in a clinic, for which window, and the offers made to them.

    Entries are served first come, first served; an entry holds at most one open offer.
    """

    @staticmethod
    def create_id(clinic_id: UUID) -> UUID:
        """One waitlist per clinic, found from the clinic's id alone."""
        return uuid5(_NAMESPACE, f"waitlist/{clinic_id}")

    class Opened(Aggregate.Created):
        clinic_id: UUID
        at: datetime

    @event(Opened)
    def __init__(self, *, clinic_id: UUID, at: datetime) -> None:
        self.clinic_id = clinic_id
        self.entries: dict[UUID, dict[str, Any]] = {}
        self.offers: dict[UUID, dict[str, Any]] = {}

    def active_entry(self, plan_id: UUID) -> UUID | None:
        """The plan's entry that is still waiting (or holds an offer), if any."""
        for entry_id, entry in self.entries.items():
            if entry["plan_id"] == plan_id and entry["status"] in (WAITING, OFFERED):
                return entry_id
        return None

    def waiting(self) -> list[tuple[UUID, dict[str, Any]]]:
        """Entries without an open offer: those given first place (a sick call left them
        without a time), then the longest waiting."""
        found = [(k, e) for k, e in self.entries.items() if e["status"] == WAITING]
        return sorted(found, key=lambda item: (not item[1].get("first"), item[1]["joined_at"]))

    def offer(self, offer_id: UUID) -> dict[str, Any]:
        """The offer with this id; UnknownOffer otherwise."""
        try:
            return self.offers[offer_id]
        except KeyError:
            raise errors.UnknownOffer("no such waitlist offer: check your list of offers") from None

    def check_open(self, offer_id: UUID, at: datetime, zone: tzinfo = UTC) -> dict[str, Any]:
        """The offer, if it can still be taken up at `at`; OfferClosed or OfferExpired else."""
        offer = self.offer(offer_id)
        if offer["status"] != OPEN:
            raise errors.OfferClosed(f"the offer is {offer['status']}; it cannot be taken up")
        if at >= offer["expires_at"]:
            raise errors.OfferExpired(
                f"the offer expired {clock(offer['expires_at'], zone)}; "
                "you stay on the waitlist for the next free slot"
            )
        return offer

    class Joined(Aggregate.Event):
        entry_id: UUID
        plan_id: UUID
        patient_id: UUID
        earliest: datetime
        latest: datetime
        therapist_id: UUID | None
        session_id: UUID | None
        first: bool
        actor: str
        at: datetime

    @event(Joined)
    def join(
        self,
        *,
        entry_id: UUID,
        plan_id: UUID,
        patient_id: UUID,
        earliest: datetime,
        latest: datetime,
        therapist_id: UUID | None,
        session_id: UUID | None,
        first: bool,
        actor: str,
        at: datetime,
    ) -> None:
        """Put a plan's next session (or, with `session_id`, that booked session, to be
        moved earlier) on the waitlist for `earliest`..`latest`."""
        self.entries[entry_id] = {
            "plan_id": plan_id,
            "patient_id": patient_id,
            "earliest": earliest,
            "latest": latest,
            "therapist_id": therapist_id,
            "session_id": session_id,
            "first": first,
            "joined_at": at,
            "status": WAITING,
        }

    def leave(self, entry_id: UUID, actor: str, reason: str, at: datetime) -> list[UUID]:
        """Take an entry off the list; returns its open offers, now declined."""
        if entry_id not in self.entries:
            raise errors.UnknownWaitlistEntry(f"no waitlist entry {entry_id}")
        open_offers = [
            k for k, o in self.offers.items() if o["entry_id"] == entry_id and o["status"] == OPEN
        ]
        for offer_id in open_offers:
            self.close(offer_id, DECLINED, actor=actor, reason=reason, at=at)
        self._left(entry_id=entry_id, actor=actor, reason=reason, at=at)
        return open_offers

    class Left(Aggregate.Event):
        entry_id: UUID
        actor: str
        reason: str
        at: datetime

    @event(Left)
    def _left(self, *, entry_id: UUID, actor: str, reason: str, at: datetime) -> None:
        self.entries[entry_id]["status"] = LEFT

    class OfferMade(Aggregate.Event):
        offer_id: UUID
        entry_id: UUID
        therapist_id: UUID
        start: datetime
        end: datetime
        expires_at: datetime
        freed_by: UUID
        passed_over: list[UUID]
        at: datetime

    @event(OfferMade)
    def make_offer(
        self,
        *,
        offer_id: UUID,
        entry_id: UUID,
        therapist_id: UUID,
        start: datetime,
        end: datetime,
        expires_at: datetime,
        freed_by: UUID,
        passed_over: list[UUID],
        at: datetime,
    ) -> None:
        """Offer a freed slot to an entry; `passed_over` lists entries that had it before."""
        entry = self.entries[entry_id]
        entry["status"] = OFFERED
        self.offers[offer_id] = {
            "entry_id": entry_id,
            "plan_id": entry["plan_id"],
            "patient_id": entry["patient_id"],
            "therapist_id": therapist_id,
            "start": start,
            "end": end,
            "expires_at": expires_at,
            "freed_by": freed_by,
            "moves": entry["session_id"],
            "passed_over": [*passed_over, entry_id],
            "made_at": at,
            "status": OPEN,
            "session_id": None,
        }

    class OfferClosed(Aggregate.Event):
        offer_id: UUID
        status: str
        actor: str
        reason: str
        at: datetime

    @event(OfferClosed)
    def close(self, offer_id: UUID, status: str, *, actor: str, reason: str, at: datetime) -> None:
        """Close an open offer as declined, lapsed or expired: its entry waits again."""
        offer = self.offers[offer_id]
        offer["status"] = status
        entry = self.entries[offer["entry_id"]]
        if entry["status"] == OFFERED:
            entry["status"] = WAITING

    class OfferAccepted(Aggregate.Event):
        offer_id: UUID
        session_id: UUID
        actor: str
        at: datetime

    @event(OfferAccepted)
    def accept(self, offer_id: UUID, session_id: UUID, actor: str, at: datetime) -> None:
        """Record that the offer was booked as `session_id`; the entry is served."""
        offer = self.offers[offer_id]
        offer["status"] = ACCEPTED
        offer["session_id"] = session_id
        self.entries[offer["entry_id"]]["status"] = BOOKED


class OfferTracker(Aggregate):
    """How far the offer policy has read the event log (a notification id), and which
    clinics' waitlists hold offers that may become overdue."""

    @staticmethod
    def create_id() -> UUID:
        """The one tracker of the application."""
        return uuid5(_NAMESPACE, "offer-tracker")

    class Started(Aggregate.Created):
        at: datetime

    @event(Started)
    def __init__(self, *, at: datetime) -> None:
        self.position = 0
        # Clinics whose waitlist has had offers: where overdue offers are looked for.
        self.clinics: list[UUID] = []

    class ClinicFollowed(Aggregate.Event):
        clinic_id: UUID
        at: datetime

    @event(ClinicFollowed)
    def follow(self, clinic_id: UUID, at: datetime) -> None:
        """Look for overdue offers in this clinic's waitlist from now on."""
        self.clinics.append(clinic_id)

    class Advanced(Aggregate.Event):
        position: int
        at: datetime

    @event(Advanced)
    def advance(self, position: int, at: datetime) -> None:
        """Everything up to notification `position` has been offered."""
        self.position = position
