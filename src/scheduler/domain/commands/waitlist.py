"""Commands on the waitlist: join, leave, and take up or decline an offer.

A patient (or the front desk) puts a plan's next session on the clinic's waitlist for a
window of time, optionally with one therapist. When time frees up, the offer policy
(`offers.py`) offers it to the first waiting entry it suits. Accepting books the
session through the ordinary `book_session` command, so every booking rule applies and
a slot taken meanwhile is refused like any other booking: the offer then lapses.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.offers import Offers
from scheduler.domain.commands.store import as_uuid
from scheduler.domain.errors import (
    AlreadyWaiting,
    BookingConflict,
    BookingError,
    InvalidDuration,
    MissingSpecialization,
    OfferLapsed,
    UnknownOffer,
    UnknownPlan,
    UnknownPrescription,
    UnknownSession,
    UnknownTherapist,
    UnknownWaitlistEntry,
)
from scheduler.domain.ids import SessionId
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.session import BOOKED as BOOKED_SESSION
from scheduler.domain.model.session import Session
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.model.waitlist import ACCEPTED, DECLINED, LAPSED, OPEN, Waitlist
from scheduler.domain.timekeeping import as_utc, local_date

MAX_WAIT = timedelta(days=92)
"""The longest window a waitlist entry may span."""


class Waitlists(Offers):
    """Joining and leaving the waitlist; accepting and declining offers."""

    def join_waitlist(
        self,
        plan_id: UUID | str,
        *,
        earliest: datetime,
        latest: datetime,
        actor: str,
        now: datetime,
        therapist_id: UUID | str | None = None,
        session_id: UUID | str | None = None,
        first: bool = False,
    ) -> UUID:
        """Wait for a slot for the plan's next session starting in `earliest`..`latest`
        (with `therapist_id` only, if given); returns the entry's id.

        With `session_id` (a booked session of the plan) the entry asks to move that
        session into such a slot instead: taking up the offer reschedules it. `first`
        puts the entry ahead of those already waiting (a sick call took its time away).
        A plan whose booked sessions a new contraindication flagged cannot join.
        """
        earliest, latest, at = as_utc(earliest, "earliest"), as_utc(latest, "latest"), as_utc(now)
        if not earliest < latest <= earliest + MAX_WAIT or latest <= at:
            raise InvalidDuration(
                "the waiting window must end after it starts, in the future, and span at "
                f"most {MAX_WAIT.days} days"
            )
        wanted = None
        if therapist_id is not None:
            wanted = self._load(Therapist, therapist_id, UnknownTherapist)
        entry_id = uuid4()

        def command() -> list[Aggregate]:
            plan = self._load(TreatmentPlan, plan_id, UnknownPlan)
            moving = self._session_to_move(plan, session_id)
            plan.check_bookable(moving=moving is not None)
            plan.check_no_flags()  # names the flagged sessions; then the clearance itself
            plan.check_cleared()
            prescription = self._load(Prescription, plan.prescription_id, UnknownPrescription)
            zone = self._zone_of(plan.clinic_id)
            prescription.check_valid_on(local_date(max(earliest, at), zone))
            if moving is None:
                prescription.check_left()
            if wanted is not None and (
                plan.specialization not in wanted.specializations
                or wanted.clinic_id != plan.clinic_id
            ):
                raise MissingSpecialization(
                    f"{wanted.name} does not practise {plan.specialization} here: wait for any "
                    "therapist or choose one who does"
                )
            waitlist = self._waitlist(plan.clinic_id) or Waitlist(clinic_id=plan.clinic_id, at=at)
            self._expire_overdue(waitlist, at)
            if waitlist.active_entry(plan.id) is not None:
                raise AlreadyWaiting(
                    "the plan is already on the waitlist: leave it first to change the window"
                )
            waitlist.join(
                entry_id=entry_id,
                plan_id=plan.id,
                patient_id=plan.patient_id,
                earliest=earliest,
                latest=latest,
                therapist_id=wanted.id if wanted else None,
                session_id=moving,
                first=first,
                actor=actor,
                at=at,
            )
            return [waitlist]

        saved = self._save_retrying(
            command, identity=("join_waitlist", str(plan_id), earliest, latest, str(session_id))
        )
        waitlist = saved[0]
        assert isinstance(waitlist, Waitlist)
        return waitlist.active_entry(UUID(str(plan_id))) or entry_id

    def _session_to_move(self, plan: TreatmentPlan, session_id: UUID | str | None) -> UUID | None:
        """The booked session of the plan an entry would move, if one is named."""
        if session_id is None:
            return None
        session = self._load(Session, session_id, UnknownSession)
        if session.plan_id != plan.id:
            raise UnknownSession("the session is not one of this plan's")
        session.check_movable("moved by the waitlist")
        return session.id

    def leave_waitlist(
        self, plan_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> None:
        """Take the plan off the waitlist; an open offer is declined and passed on."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            plan = self._load(TreatmentPlan, plan_id, UnknownPlan)
            waitlist = self._waitlist(plan.clinic_id)
            entry_id = waitlist.active_entry(plan.id) if waitlist else None
            if waitlist is None or entry_id is None:
                raise UnknownWaitlistEntry("the plan is not on the waitlist")
            self._expire_overdue(waitlist, at)
            for offer_id in waitlist.leave(entry_id, actor, reason, at):
                self._pass_on_closed(waitlist, offer_id, at)
            return [waitlist]

        self._save_retrying(command, identity=("leave_waitlist", str(plan_id)))

    def accept_offer(
        self, clinic_id: UUID | str, offer_id: UUID | str, *, actor: str, now: datetime
    ) -> SessionId:
        """Book the offered slot with the ordinary booking command (or move the entry's
        session there with the ordinary reschedule command); returns the session.

        If the slot was taken meanwhile (or a rule now forbids it) the offer lapses,
        nothing is booked, the entry waits again, and OfferLapsed says why. Taking up an
        offer again (a retry, or two requests racing) answers the session it booked.
        """
        at = as_utc(now, "now")
        key = as_uuid(offer_id, UnknownOffer, "offer")
        waitlist = self._offers_of(clinic_id)
        offer = waitlist.offer(key)
        if offer["status"] == ACCEPTED:
            return SessionId(offer["session_id"])
        waitlist.check_open(key, at, self._zone_of(waitlist.clinic_id))
        reason = "took up a waitlist offer"
        try:
            if offer["moves"] is None:
                session_id = self.book_session(
                    plan_id=offer["plan_id"],
                    therapist_id=offer["therapist_id"],
                    start=offer["start"],
                    actor=actor,
                    now=at,
                    reason=reason,
                )
            else:
                self.reschedule_session(
                    offer["moves"],
                    start=offer["start"],
                    therapist_id=offer["therapist_id"],
                    actor=actor,
                    reason=reason,
                    now=at,
                )
                session_id = SessionId(offer["moves"])
        except BookingConflict:
            raise  # nothing was written; the offer stays open for a retry
        except BookingError as error:
            booked = self._booked_by(offer)
            if booked is None:
                self._close_offer(
                    waitlist.clinic_id, key, LAPSED, actor=actor, reason=str(error), at=at
                )
                raise OfferLapsed(
                    f"the offered slot can no longer be booked ({error}); nothing was booked "
                    "and the plan stays on the waitlist"
                ) from error
            session_id = booked  # a racing (or earlier, unrecorded) acceptance booked it

        def command() -> list[Aggregate]:
            current = self._offers_of(waitlist.clinic_id)
            # The session exists: record it even if a racing request lapsed the offer.
            if current.offers[key]["status"] != ACCEPTED:
                current.accept(key, session_id, actor, at)
            return [current]

        self._save_retrying(command, identity=("accept_offer", str(key)))
        return session_id

    def _booked_by(self, offer: dict[str, Any]) -> SessionId | None:
        """The plan's booked session in exactly the offered slot, if there is one."""
        plan = self._load(TreatmentPlan, offer["plan_id"], UnknownPlan)
        for session_id in plan.held:
            session = self._load(Session, session_id, UnknownSession)
            if (session.status, session.therapist_id, session.start) == (
                BOOKED_SESSION,
                offer["therapist_id"],
                offer["start"],
            ):
                return SessionId(session.id)
        return None

    def decline_offer(
        self, clinic_id: UUID | str, offer_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> None:
        """Turn an open offer down: the plan keeps waiting, the slot goes to the next in line."""
        key = as_uuid(offer_id, UnknownOffer, "offer")
        at = as_utc(now, "now")
        waitlist = self._offers_of(clinic_id)
        waitlist.check_open(key, at, self._zone_of(waitlist.clinic_id))
        self._close_offer(waitlist.clinic_id, key, DECLINED, actor=actor, reason=reason, at=at)

    def _close_offer(
        self, clinic_id: UUID, offer_id: UUID, status: str, *, actor: str, reason: str, at: datetime
    ) -> None:
        def command() -> list[Aggregate]:
            waitlist = self._offers_of(clinic_id)
            if waitlist.offer(offer_id)["status"] == OPEN:
                waitlist.close(offer_id, status, actor=actor, reason=reason, at=at)
                if status == DECLINED:
                    self._pass_on_closed(waitlist, offer_id, at)
            return [waitlist]

        self._save_retrying(command, identity=("close_offer", str(offer_id), status))

    def _offers_of(self, clinic_id: UUID | str) -> Waitlist:
        key = as_uuid(clinic_id, UnknownOffer, "clinic")
        return self._load(Waitlist, Waitlist.create_id(key), UnknownOffer)
