"""The offer policy: when a session is cancelled or moved, offer its time to a waiting patient.

Decision: the policy *follows the event log* instead of running inside the cancel or
move command. It reads `Session.Cancelled` and `Session.Rescheduled` notifications after
its tracked position and saves the offers it makes together with its new position in ONE
transaction, so every freed slot is considered exactly once even when several processes
run the policy at once (the loser of the tracker's version check retries, finds nothing
new). Cancelling stays as fast as before and never fails because of the waitlist; the
cost is that offers appear when the policy next runs (`scheduler.waitlist_follower`
runs it every few seconds in the API and the worker, and before offers are shown).

Only slots that the waiting plan could really book right now are offered: the booking
command's own body runs on fresh copies (`check_booking`, or `check_move` for an entry
that wants a booked session moved), and nothing is saved by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from scheduler.domain.commands.booking import Booking
from scheduler.domain.commands.store import request_key
from scheduler.domain.errors import SchedulingError, UnknownPlan
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.session import Session
from scheduler.domain.model.waitlist import EXPIRED, OPEN, OfferTracker, Waitlist
from scheduler.domain.timekeeping import as_utc

PAGE = 200
"""Notifications read per transaction of the policy."""

FREEING_TOPICS = (get_topic(Session.Cancelled), get_topic(Session.Rescheduled))
"""Events that free a therapist's time: a session cancelled, or moved from it."""


@dataclass(frozen=True)
class FreedSlot:
    """Time a therapist no longer spends on a session."""

    clinic_id: UUID
    therapist_id: UUID
    start: datetime
    session_id: UUID


class Offers(Booking):
    """Turning freed time into offers (and passing on offers nobody took up)."""

    def offer_freed_time(self, *, now: datetime) -> int:
        """Read the event log past the tracked position and offer freed slots; returns
        how many offers were made. Safe to run from several processes at once."""
        at = as_utc(now, "now")
        made = 0
        counted: list[int] = []
        # The policy's runs are its own, never part of a request that happened to run it.
        with request_key(None):
            while True:
                saved = self._save_retrying(
                    lambda: self._follow(at, counted), identity=("offer_freed_time",)
                )
                made += counted[0] if counted else 0
                if not saved or not counted or counted[1] < PAGE:
                    return made

    def expire_offers(self, *, now: datetime) -> int:
        """Close offers not taken up in time and pass their slots to the next in line;
        returns how many expired. Safe to run from several processes at once."""
        at = as_utc(now, "now")
        try:
            tracker: OfferTracker = self.repository.get(OfferTracker.create_id())
        except AggregateNotFoundError:
            return 0
        expired = 0
        for clinic_id in tracker.clinics:
            waitlist = self._waitlist(clinic_id)
            if waitlist is None or not _overdue(waitlist, at):
                continue

            def command(clinic_id: UUID = clinic_id) -> list[Aggregate]:
                current = self._waitlist(clinic_id)
                assert current is not None, "a waitlist is never deleted"
                self._expire_overdue(current, at)
                return [current]

            with request_key(None):
                self._save_retrying(command, identity=("expire_offers", str(clinic_id)))
            expired += len(_overdue(waitlist, at))
        return expired

    def _follow(self, at: datetime, counted: list[int]) -> list[Aggregate]:
        """One page of the log: offers for what it freed, and the tracker moved past it."""
        counted.clear()
        tracker = self._load_or_none(OfferTracker.create_id()) or OfferTracker(at=at)
        last = self.recorder.max_notification_id() or 0
        if last <= tracker.position:
            return []
        notes = self.recorder.select_notifications(
            tracker.position + 1, PAGE, stop=last, topics=FREEING_TOPICS
        )
        if not notes:
            # Nothing freed since the position: not worth a write; the next run re-reads
            # this span by topic through the index, which costs next to nothing.
            return []
        waitlists: dict[UUID, Waitlist] = {}
        offers = 0
        for note in notes:
            before: Session = self.repository.get(
                UUID(str(note.originator_id)), version=note.originator_version - 1
            )
            if before.start <= at:
                continue
            waitlist = waitlists.get(before.clinic_id)
            if waitlist is None:
                waitlist = self._waitlist(before.clinic_id)
                if waitlist is None:
                    continue  # nobody in this clinic ever waited
                self._expire_overdue(waitlist, at)
                waitlists[before.clinic_id] = waitlist
            slot = FreedSlot(before.clinic_id, before.therapist_id, before.start, before.id)
            offers += self._pass_on(waitlist, slot, [], at)
        for clinic_id, waitlist in waitlists.items():
            if waitlist.offers and clinic_id not in tracker.clinics:
                tracker.follow(clinic_id, at)
        tracker.advance(notes[-1].id if len(notes) == PAGE else last, at)
        counted[:] = [offers, len(notes)]
        return [tracker, *waitlists.values()]

    def _waitlist(self, clinic_id: UUID) -> Waitlist | None:
        """The clinic's waitlist, or None if nobody there ever waited."""
        found = self._load_or_none(Waitlist.create_id(clinic_id))
        return found if isinstance(found, Waitlist) else None

    def _bookable(
        self, entry: dict[str, Any], therapist_id: UUID, start: datetime, at: datetime
    ) -> bool:
        """True when the entry's plan could take the slot now (a new booking or a move)."""
        try:
            if entry.get("session_id") is None:
                self.check_booking(
                    plan_id=entry["plan_id"], therapist_id=therapist_id, start=start, now=at
                )
            else:
                self.check_move(
                    session_id=entry["session_id"], therapist_id=therapist_id, start=start, now=at
                )
        except SchedulingError:
            return False
        return True

    def _pass_on(
        self, waitlist: Waitlist, slot: FreedSlot, passed_over: list[UUID], at: datetime
    ) -> int:
        """Offer the slot to the first waiting entry it suits; 1 if offered, else 0."""
        hours = self._clinic(waitlist.clinic_id).offer_hours
        for entry_id, entry in waitlist.waiting():
            if entry_id in passed_over or not _suits(entry, slot):
                continue
            plan = self._load(TreatmentPlan, entry["plan_id"], UnknownPlan)
            end = slot.start + timedelta(minutes=plan.session_minutes)
            if end > entry["latest"]:
                continue
            if not self._bookable(entry, slot.therapist_id, slot.start, at):
                continue
            waitlist.make_offer(
                offer_id=uuid4(),
                entry_id=entry_id,
                therapist_id=slot.therapist_id,
                start=slot.start,
                end=end,
                expires_at=min(at + timedelta(hours=hours), slot.start),
                freed_by=slot.session_id,
                passed_over=list(passed_over),
                at=at,
            )
            return 1
        return 0

    def _pass_on_closed(self, waitlist: Waitlist, offer_id: UUID, at: datetime) -> None:
        """After an offer was declined or expired, offer its slot to the next in line."""
        offer = waitlist.offers[offer_id]
        if offer["start"] <= at:
            return
        slot = FreedSlot(
            waitlist.clinic_id, offer["therapist_id"], offer["start"], offer["freed_by"]
        )
        self._pass_on(waitlist, slot, list(offer["passed_over"]), at)

    def _expire_overdue(self, waitlist: Waitlist, at: datetime) -> None:
        """Close offers past their expiry and pass their slots on (run by every command
        that changes the waitlist, so an unanswered offer blocks no one for long)."""
        for offer_id in _overdue(waitlist, at):
            waitlist.close(offer_id, EXPIRED, actor="offer policy", reason="not taken up", at=at)
            self._pass_on_closed(waitlist, offer_id, at)


def _overdue(waitlist: Waitlist, at: datetime) -> list[UUID]:
    """Open offers of the waitlist whose time to answer has run out."""
    return [
        offer_id
        for offer_id, offer in waitlist.offers.items()
        if offer["status"] == OPEN and offer["expires_at"] <= at
    ]


def _suits(entry: dict[str, Any], slot: FreedSlot) -> bool:
    """The entry's window and therapist wish admit a session starting at the slot."""
    wanted = entry["therapist_id"]
    if wanted is not None and wanted != slot.therapist_id:
        return False
    return bool(entry["earliest"] <= slot.start < entry["latest"])
