"""Commands of a sick call: record it (displacing the visits on its days), postpone a
displaced visit the re-plan could not place, undo it.

Recording is one transaction: the sick days are blocked on the therapist and on each of
their days, and every visit still to come on those days is displaced (off the
therapist's and the patient's day, still held by its plan, which waits for its new
time). A visit racing with the call either lands first (and is displaced with the rest)
or meets the sick time and is refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.waitlist import Waitlists
from scheduler.domain.errors import (
    AlreadyWaiting,
    BookingConflict,
    BookingError,
    InvalidInput,
    SessionNotDisplaced,
    UnknownPlan,
    UnknownSession,
    UnknownSickCall,
    UnknownTherapist,
    UnknownWaitlistEntry,
)
from scheduler.domain.model.days import PatientDay, TherapistDay
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.session import BOOKED, DISPLACED, Session
from scheduler.domain.model.sick_call import SickCall
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.timekeeping import as_utc, wall_clock

MAX_SICK_DAYS = 31
SICK = "sick"


@dataclass(frozen=True)
class Undone:
    """What undoing a sick call did: the visits back where they were, and those that
    stay waiting for a new time (their old time was taken or has passed)."""

    sick_call_id: UUID
    restored: list[UUID]
    waiting: list[UUID]


def sick_days(days: Sequence[date]) -> list[date]:
    """The distinct days, sorted; InvalidInput for none or too many."""
    found = sorted(set(days))
    if not found:
        raise InvalidInput("name at least one day the therapist is off sick")
    if (found[-1] - found[0]).days + 1 > MAX_SICK_DAYS:
        raise InvalidInput(f"a sick call covers at most {MAX_SICK_DAYS} days; record another")
    return found


class SickCalls(Waitlists):
    """A therapist off sick, the visits that lose their time, and undoing it."""

    def _spans(self, therapist: Therapist, days: Sequence[date]) -> list[tuple[datetime, datetime]]:
        zone = self._zone_of(therapist.clinic_id)
        return [(wall_clock(d, 0, zone), wall_clock(d + timedelta(days=1), 0, zone)) for d in days]

    def sick_call_displaces(
        self, therapist_id: UUID | str, *, days: Sequence[date], now: datetime
    ) -> list[UUID]:
        """The sessions recording the sick call would displace now (nothing is saved)."""
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        at = as_utc(now, "now")
        found = []
        for day in sick_days(days):
            record = self._load_or_none(TherapistDay.create_id(therapist.id, day))
            if not isinstance(record, TherapistDay):
                continue
            found += self._to_come(record, at)
        return found

    def _to_come(self, record: TherapistDay, at: datetime) -> list[UUID]:
        """The day's booked visits that have not begun by `at` (a sick call displaces
        those; the rest are history)."""
        return [
            session_id
            for session_id, visit in record.ordered_visits()
            if visit["start"] > at
            and self._load(Session, session_id, UnknownSession).status == BOOKED
        ]

    def record_sick_call(
        self,
        therapist_id: UUID | str,
        *,
        days: Sequence[date],
        actor: str,
        reason: str,
        now: datetime,
    ) -> UUID:
        """Block `days` (local) as sick time and displace every visit still to come on
        them; returns the sick call's id."""
        wanted, at = sick_days(days), as_utc(now, "now")
        why = reason or "therapist off sick"

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            changed: dict[UUID, Aggregate] = {therapist.id: therapist}
            to_displace: list[tuple[TherapistDay, UUID]] = []
            for day, (start, end) in zip(wanted, self._spans(therapist, wanted), strict=True):
                record = self._therapist_day(therapist.id, day, at)
                record.mark_unavailable(
                    kind=SICK, start=start, end=end, actor=actor, reason=why, at=at
                )
                therapist.record_time_off(
                    kind=SICK, start=start, end=end, actor=actor, reason=why, at=at
                )
                changed[record.id] = record
                to_displace += [(record, s) for s in self._to_come(record, at)]
            call = SickCall(
                clinic_id=therapist.clinic_id,
                therapist_id=therapist.id,
                days=wanted,
                displaced=[session_id for _, session_id in to_displace],
                actor=actor,
                reason=why,
                at=at,
            )
            for record, session_id in to_displace:
                session = self._load(Session, session_id, UnknownSession)
                patient_day = changed.get(
                    PatientDay.create_id(session.patient_id, session.patient_day)
                )
                if not isinstance(patient_day, PatientDay):
                    patient_day = self._patient_day(session.patient_id, session.patient_day, at)
                record.release(session.id, actor, why, at)
                patient_day.release(session.id, actor, why, at)
                session.displace(call.id, actor, why, at)
                changed[patient_day.id] = patient_day
                changed[session.id] = session
                if session.plan_id is not None:
                    plan = changed.get(session.plan_id)
                    if not isinstance(plan, TreatmentPlan):
                        plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
                    plan.displace(session.id, call.id, actor, at)
                    changed[plan.id] = plan
            return [call, *changed.values()]

        saved = self._save_retrying(
            command, identity=("record_sick_call", str(therapist_id), tuple(wanted))
        )
        return saved[0].id

    def postpone_session(
        self,
        session_id: UUID | str,
        *,
        actor: str,
        reason: str,
        now: datetime,
        wait_until: datetime,
    ) -> bool:
        """Keep a displaced session on its plan, waiting (a cadence exception the sick
        call caused), and put it first on the clinic's waitlist until `wait_until`;
        returns whether it joined the waitlist (it may be waiting there already)."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            session = self._load(Session, session_id, UnknownSession)
            if session.status != DISPLACED or session.plan_id is None:
                raise SessionNotDisplaced(
                    "only a treatment session a sick call displaced can be postponed"
                )
            assert session.displaced_by is not None, "a displaced session knows its sick call"
            plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
            call = self._load(SickCall, session.displaced_by, UnknownSickCall)
            if session.id in plan.postponed:
                return []
            plan.postpone(session.id, call.id, actor, reason, at)
            call.note_postponed(session.id, actor, at)
            return [plan, call]

        saved = self._save_retrying(command, identity=("postpone_session", str(session_id)))
        if not saved:
            return False
        plan_id = saved[0].id
        try:
            self.join_waitlist(
                plan_id,
                earliest=at,
                latest=max(as_utc(wait_until, "wait_until"), at + timedelta(days=1)),
                actor=actor,
                now=at,
                session_id=session_id,
                first=True,
            )
        except AlreadyWaiting:
            return False
        except BookingError:
            return False  # e.g. the prescription expired: the desk follows it up
        return True

    def undo_sick_call(
        self, sick_call_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> Undone:
        """The therapist is not off sick after all: free the days again and put each
        visit still waiting back where it was, where that time is still free (the
        others keep waiting for a new time)."""
        at = as_utc(now, "now")
        why = reason or "sick call undone"

        def command() -> list[Aggregate]:
            call = self._load(SickCall, sick_call_id, UnknownSickCall)
            call.check_recorded()
            therapist = self._load(Therapist, call.therapist_id, UnknownTherapist)
            changed: list[Aggregate] = [call, therapist]
            for day, (start, end) in zip(call.days, self._spans(therapist, call.days), strict=True):
                record = self._therapist_day(therapist.id, day, at)
                record.restore_availability(
                    kind=SICK, start=start, end=end, actor=actor, reason=why, at=at
                )
                therapist.withdraw_time_off(
                    kind=SICK, start=start, end=end, actor=actor, reason=why, at=at
                )
                changed.append(record)
            call.undo(actor, why, at)
            return changed

        saved = self._save_retrying(command, identity=("undo_sick_call", str(sick_call_id)))
        call = saved[0]
        assert isinstance(call, SickCall)
        restored, waiting = [], []
        for session_id in call.displaced:
            session = self._load(Session, session_id, UnknownSession)
            if session.status != DISPLACED or session.displaced_by != call.id:
                continue  # re-homed or cancelled meanwhile: it stays as it is now
            try:
                self.reschedule_session(
                    session.id,
                    start=session.start,
                    therapist_id=session.therapist_id,
                    actor=actor,
                    reason=why,
                    now=at,
                )
            except (BookingError, BookingConflict):
                waiting.append(session.id)
                continue
            restored.append(session.id)
            if session.plan_id is not None:
                with contextlib.suppress(UnknownWaitlistEntry):
                    self.leave_waitlist(session.plan_id, actor=actor, reason=why, now=at)
        return Undone(call.id, restored, waiting)

    def get_sick_call(self, sick_call_id: UUID | str) -> SickCall:
        """The sick call (UnknownSickCall if there is none with this id)."""
        return self._load(SickCall, sick_call_id, UnknownSickCall)
