"""Commands on sessions: book, reschedule, cancel, complete, no-show.

Each command loads what its rules need, checks every rule before any event, and saves
all it changed (therapist-day, patient-day, plan, session) in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from scheduler.domain.base import SchedulingBase
from scheduler.domain.days import PatientDay, TherapistDay
from scheduler.domain.errors import (
    MissingSpecialization,
    NotMobile,
    OutsideShift,
    TooEarly,
    UnknownPlan,
    UnknownSession,
    UnknownTherapist,
)
from scheduler.domain.ids import SessionId
from scheduler.domain.patient import pain_level
from scheduler.domain.plan import TreatmentPlan
from scheduler.domain.session import Session
from scheduler.domain.therapist import WEEKDAYS, Therapist
from scheduler.domain.timekeeping import as_utc, local_date, wall_clock
from scheduler.geo import Location


@dataclass(frozen=True)
class _Visit:
    """Where and when a session would take place, and the therapist's frame that day."""

    start: datetime
    end: datetime
    place: Location
    therapist_day: date
    patient_day: date
    shift: tuple[datetime, datetime]
    base: Location
    speed_kmh: float
    max_visits: int
    zone: ZoneInfo


class Booking(SchedulingBase):
    """Booking sessions and recording what became of them."""

    def _visit(self, plan: TreatmentPlan, therapist: Therapist, start: datetime) -> _Visit:
        """Check the therapist and patient may take this plan's session at `start`.

        The patient's side (evaluation, contraindications, home) comes from the plan,
        which the booking saves: a concurrent new evaluation conflicts with it.
        """
        if plan.specialization not in therapist.specializations:
            raise MissingSpecialization(
                f"{therapist.name} does not practise {plan.specialization} "
                f"(has {therapist.specializations}): choose a therapist who does"
            )
        if plan.setting == "home" and not therapist.mobile:
            raise NotMobile(f"{therapist.name} works only at the clinic: choose a mobile therapist")
        plan.check_cleared()
        own_clinic = self._clinic(therapist.clinic_id)
        zone = self._zone_of(therapist.clinic_id)
        day = local_date(start, zone)
        window = therapist.shift_on(day)
        if window is None:
            raise OutsideShift(
                f"{therapist.name} does not work on {WEEKDAYS[day.weekday()]} {day}: "
                "choose a day with a shift"
            )
        return _Visit(
            start=start,
            end=start + timedelta(minutes=plan.session_minutes),
            place=plan.location,
            therapist_day=day,
            patient_day=local_date(start, self._zone_of(plan.clinic_id)),
            shift=(wall_clock(day, window[0], zone), wall_clock(day, window[1], zone)),
            base=therapist.home() or own_clinic.location,
            speed_kmh=own_clinic.travel_speed_kmh,
            max_visits=therapist.max_visits_per_day,
            zone=zone,
        )

    def _occupy(
        self,
        session_id: UUID,
        therapist_id: UUID,
        patient_id: UUID,
        visit: _Visit,
        *,
        actor: str,
        at: datetime,
        known: Mapping[UUID, Aggregate] | None = None,
    ) -> list[Aggregate]:
        """Put the visit on both days (or raise the rule it breaks); returns the days.

        `known` holds days already loaded (and changed) by this command.
        """
        known = known or {}
        therapist_day = known.get(TherapistDay.create_id(therapist_id, visit.therapist_day))
        if not isinstance(therapist_day, TherapistDay):
            therapist_day = self._therapist_day(therapist_id, visit.therapist_day, at)
        therapist_day.book(
            session_id,
            visit.start,
            visit.end,
            visit.place,
            shift=visit.shift,
            base=visit.base,
            speed_kmh=visit.speed_kmh,
            max_visits=visit.max_visits,
            actor=actor,
            at=at,
            zone=visit.zone,
        )
        patient_day = known.get(PatientDay.create_id(patient_id, visit.patient_day))
        if not isinstance(patient_day, PatientDay):
            patient_day = self._patient_day(patient_id, visit.patient_day, at)
        patient_day.book(session_id, visit.start, visit.end, actor=actor, at=at, zone=visit.zone)
        return [therapist_day, patient_day]

    def book_session(
        self,
        *,
        plan_id: UUID | str,
        therapist_id: UUID | str,
        start: datetime,
        actor: str,
        now: datetime,
        reason: str = "",
    ) -> SessionId:
        """Book the plan's next session with a therapist at `start` (aware datetime).

        Raises the first broken rule (a `BookingError`), or `BookingConflict` when other
        writers kept winning the same day. Returns the new session's id.
        """
        start, at = as_utc(start, "start"), as_utc(now, "now")

        def command() -> list[Aggregate]:
            plan = self._load(TreatmentPlan, plan_id, UnknownPlan, for_update=True)
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            visit = self._visit(plan, therapist, start)
            plan.check_bookable(visit.therapist_day)
            # Created first for its id; discarded unsaved if a day rejects the visit.
            session = Session(
                clinic_id=plan.clinic_id,
                plan_id=plan.id,
                patient_id=plan.patient_id,
                therapist_id=therapist.id,
                start=visit.start,
                end=visit.end,
                therapist_day=visit.therapist_day,
                patient_day=visit.patient_day,
                latitude=visit.place[0],
                longitude=visit.place[1],
                setting=plan.setting,
                actor=actor,
                reason=reason,
                at=at,
            )
            days = self._occupy(
                session.id, therapist.id, plan.patient_id, visit, actor=actor, at=at
            )
            plan.hold(session.id, actor, at)
            return [*days, plan, session]

        saved = self._save_retrying(command)
        return SessionId(saved[-1].id)

    def reschedule_session(
        self,
        session_id: UUID | str,
        *,
        start: datetime,
        actor: str,
        reason: str,
        now: datetime,
        therapist_id: UUID | str | None = None,
    ) -> None:
        """Move a booked session to `start` (and optionally another therapist).

        The old and new days change in one transaction: the session is never in both
        places, nor lost between them.
        """
        start, at = as_utc(start, "start"), as_utc(now, "now")

        def command() -> list[Aggregate]:
            session = self._load(Session, session_id, UnknownSession, for_update=True)
            session.check_booked("rescheduled")
            plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
            therapist = self._load(
                Therapist, therapist_id or session.therapist_id, UnknownTherapist
            )
            visit = self._visit(plan, therapist, start)
            plan.check_bookable(visit.therapist_day, moving=True)
            changed = self._release(session, actor, reason, at)
            # A move within a day books on the very copy that was just released.
            known = {aggregate.id: aggregate for aggregate in changed}
            days = self._occupy(
                session.id, therapist.id, session.patient_id, visit, actor=actor, at=at, known=known
            )
            session.reschedule(
                therapist_id=therapist.id,
                start=visit.start,
                end=visit.end,
                therapist_day=visit.therapist_day,
                patient_day=visit.patient_day,
                actor=actor,
                reason=reason,
                at=at,
            )
            unique = {aggregate.id: aggregate for aggregate in [*changed, *days, session]}
            return list(unique.values())

        self._save_retrying(command)

    def _release(self, session: Session, actor: str, reason: str, at: datetime) -> list[Aggregate]:
        """Free the session's time on its therapist's and patient's days."""
        therapist_day = self._therapist_day(session.therapist_id, session.therapist_day, at)
        patient_day = self._patient_day(session.patient_id, session.patient_day, at)
        therapist_day.release(session.id, actor, reason, at)
        patient_day.release(session.id, actor, reason, at)
        return [therapist_day, patient_day]

    def cancel_session(
        self, session_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> bool:
        """Cancel a booked session; returns whether it was a late cancellation.

        Late means less than the clinic's `late_cancel_hours` before the start. The
        session goes back to the plan and its time is freed.
        """
        at = as_utc(now, "now")
        late: list[bool] = []

        def command() -> list[Aggregate]:
            session = self._load(Session, session_id, UnknownSession, for_update=True)
            session.check_booked("cancelled")
            plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan, for_update=True)
            window = timedelta(hours=self._clinic(session.clinic_id).late_cancel_hours)
            late[:] = [session.start - at < window]
            days = self._release(session, actor, reason, at)
            plan.release(session.id, actor, at)
            session.cancel(late[0], actor, reason, at)
            return [*days, plan, session]

        self._save_retrying(command)
        return late[0]

    def complete_session(
        self,
        session_id: UUID | str,
        *,
        note: str,
        pain_before: int,
        pain_after: int,
        actor: str,
        now: datetime,
    ) -> None:
        """Close a session that has started with a short progress note (pain 0-10)."""
        at = as_utc(now, "now")
        before = pain_level(pain_before, "pain before")
        after = pain_level(pain_after, "pain after")

        def command() -> list[Aggregate]:
            session = self._started(session_id, "completed", at)
            session.complete(note, before, after, actor, at)
            return [session]

        self._save_retrying(command)

    def record_no_show(
        self, session_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> None:
        """Record that the patient missed a session (it still counts against the plan)."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            session = self._started(session_id, "marked no-show", at)
            session.no_show(actor, reason, at)
            return [session]

        self._save_retrying(command)

    def _started(self, session_id: UUID | str, change: str, at: datetime) -> Session:
        session = self._load(Session, session_id, UnknownSession, for_update=True)
        session.check_booked(change)
        if at < session.start:
            raise TooEarly(
                f"session {session.id} starts at {session.start:%Y-%m-%d %H:%M} UTC; it can "
                f"be {change} only once it has started"
            )
        return session
