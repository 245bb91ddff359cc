"""Commands on sessions: book, move, cancel, complete (and amend the note), no-show.

Each command loads what its rules need, checks every rule before any event, and saves
all it changed (therapist-day, patient-day, plan, prescription, session) in one
transaction. The dry runs the waitlist uses (`check_booking`, `check_move`) run the
very same bodies and save nothing.

The rules, in the order a booking meets them: the therapist (skill, mobile, same
clinic, active), the patient's clearance (evaluation, contraindications), time (not in
the past), the plan (active, sessions left), the two days (shift, time off, no overlap,
travel, visits per day: what another booking can take away comes first, so a lost race
answers as a conflict), then the cadence and the prescription (not expired, authorized
sessions left across its plans). A dispatcher may override `cadence` and `in_the_past`
(back-fill) with a reason, recorded on the session's event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import (
    MissingSpecialization,
    NotMobile,
    OutsideShift,
    TherapistOfAnotherClinic,
    TherapistUnavailable,
    UnknownPlan,
    UnknownPrescription,
    UnknownSession,
    UnknownTherapist,
)
from scheduler.domain.ids import SessionId
from scheduler.domain.model.days import PatientDay, TherapistDay
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.session import Session
from scheduler.domain.model.therapist import WEEKDAYS, Therapist
from scheduler.domain.rules import timing
from scheduler.domain.rules.inputs import note as progress_note
from scheduler.domain.rules.inputs import pain_level
from scheduler.domain.timekeeping import as_utc, local_date, wall_clock
from scheduler.geo import Location


@dataclass(frozen=True)
class _Visit:
    """Where and when a session would take place, and the therapist's frame that day."""

    start: datetime
    end: datetime
    place: Location
    day: date  # the clinic's local date (therapist and patient share the clinic)
    today: date
    shift: tuple[datetime, datetime]
    base: Location
    speed_kmh: float
    max_visits: int
    zone: ZoneInfo


class Booking(Store):
    """Booking sessions and recording what became of them."""

    # --- book ---------------------------------------------------------------------------
    def book_session(
        self,
        *,
        plan_id: UUID | str,
        therapist_id: UUID | str,
        start: datetime,
        actor: str,
        now: datetime,
        reason: str = "",
        overrides: Mapping[str, str] | None = None,
    ) -> SessionId:
        """Book the plan's next session with a therapist at `start` (aware datetime).

        Raises the first broken rule (a `BookingError`), or `BookingConflict` when other
        writers kept winning the same day. Returns the new session's id.
        """
        start, at, rules = as_utc(start, "start"), as_utc(now, "now"), timing.overrides(overrides)
        saved = self._save_retrying(
            lambda: self._booking(
                plan_id, therapist_id, start=start, at=at, rules=rules, actor=actor, reason=reason
            ),
            identity=("book_session", str(plan_id), str(therapist_id), start),
        )
        return SessionId(saved[-1].id)

    def check_booking(
        self, *, plan_id: UUID | str, therapist_id: UUID | str, start: datetime, now: datetime
    ) -> None:
        """Raise the rule that booking the plan's next session at `start` would break now;
        the same body as `book_session`, nothing saved."""
        start, at = as_utc(start, "start"), as_utc(now, "now")
        self._booking(
            plan_id, therapist_id, start=start, at=at, rules={}, actor="dry run", reason=""
        )

    def _booking(
        self,
        plan_id: UUID | str,
        therapist_id: UUID | str,
        *,
        start: datetime,
        at: datetime,
        rules: dict[str, str],
        actor: str,
        reason: str,
    ) -> list[Aggregate]:
        plan = self._load(TreatmentPlan, plan_id, UnknownPlan)
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        prescription = self._prescription_of(plan)
        visit = self._visit(plan, therapist, start, at, rules)
        plan.check_bookable()
        # Created first for its id; discarded unsaved if a day or a rule rejects the visit.
        session = Session(
            clinic_id=plan.clinic_id,
            plan_id=plan.id,
            patient_id=plan.patient_id,
            prescription_id=prescription.id,
            therapist_id=therapist.id,
            start=visit.start,
            end=visit.end,
            therapist_day=visit.day,
            patient_day=visit.day,
            latitude=visit.place[0],
            longitude=visit.place[1],
            setting=plan.setting,
            overrides=rules,
            actor=actor,
            reason=reason,
            at=at,
        )
        # The calendar first: a slot someone else holds is a conflict (409) whatever else.
        days = self._occupy(session.id, therapist.id, plan.patient_id, visit, actor=actor, at=at)
        plan.check_cadence(visit.day, visit.today, overrides=rules)
        prescription.check_valid_on(visit.day)
        prescription.check_left()
        plan.hold(session.id, visit.day, actor, at)
        prescription.hold(session.id, actor, at)
        return [*days, plan, prescription, session]

    # --- move ---------------------------------------------------------------------------
    def reschedule_session(
        self,
        session_id: UUID | str,
        *,
        start: datetime,
        actor: str,
        reason: str,
        now: datetime,
        therapist_id: UUID | str | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        """Move a booked session to `start` (and optionally another therapist).

        The old and new days change in one transaction: the session is never in both
        places, nor lost between them.
        """
        start, at, rules = as_utc(start, "start"), as_utc(now, "now"), timing.overrides(overrides)
        self._save_retrying(
            lambda: self._moving(
                session_id,
                therapist_id,
                start=start,
                at=at,
                rules=rules,
                actor=actor,
                reason=reason,
            ),
            identity=("reschedule_session", str(session_id), str(therapist_id), start),
        )

    def check_move(
        self, *, session_id: UUID | str, therapist_id: UUID | str, start: datetime, now: datetime
    ) -> None:
        """Raise the rule that moving the session to `start` with the therapist would break
        now; the same body as `reschedule_session`, nothing saved."""
        start, at = as_utc(start, "start"), as_utc(now, "now")
        self._moving(
            session_id, therapist_id, start=start, at=at, rules={}, actor="dry run", reason=""
        )

    def _moving(
        self,
        session_id: UUID | str,
        therapist_id: UUID | str | None,
        *,
        start: datetime,
        at: datetime,
        rules: dict[str, str],
        actor: str,
        reason: str,
    ) -> list[Aggregate]:
        session = self._load(Session, session_id, UnknownSession)
        session.check_booked("moved")
        zone = self._zone_of(session.clinic_id)
        timing.check_not_started(session.start, at, "moved", rules, zone)
        plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
        therapist = self._load(Therapist, therapist_id or session.therapist_id, UnknownTherapist)
        visit = self._visit(plan, therapist, start, at, rules)
        plan.check_bookable(moving=True)
        changed = self._release(session, actor, reason, at)
        # A move within a day books on the very copy that was just released.
        known = {aggregate.id: aggregate for aggregate in changed}
        days = self._occupy(
            session.id, therapist.id, session.patient_id, visit, actor=actor, at=at, known=known
        )
        plan.check_cadence(visit.day, visit.today, moving=session.id, overrides=rules)
        self._prescription_of(plan).check_valid_on(visit.day)
        moved_day = visit.day != session.therapist_day
        session.reschedule(
            therapist_id=therapist.id,
            start=visit.start,
            end=visit.end,
            therapist_day=visit.day,
            patient_day=visit.day,
            overrides=rules,
            actor=actor,
            reason=reason,
            at=at,
        )
        touched: list[Aggregate] = [*changed, *days, session]
        if moved_day:
            # The cadence is the plan's: saving it makes racing moves of its sessions conflict.
            plan.move(session.id, visit.day, actor, at)
            touched.append(plan)
        return list({aggregate.id: aggregate for aggregate in touched}.values())

    # --- cancel, complete, no-show ------------------------------------------------------
    def cancel_session(
        self, session_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> bool:
        """Cancel a booked session before it starts; returns whether it was late.

        Late means less than the clinic's `late_cancel_hours` before the start. The
        session goes back to the plan and the prescription, and its time is freed.
        """
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            session = self._load(Session, session_id, UnknownSession)
            session.check_booked("cancelled")
            clinic = self._clinic(session.clinic_id)
            timing.check_not_started(session.start, at, "cancelled", {}, self._zone_of(clinic.id))
            plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
            prescription = self._prescription_of(plan)
            late = session.start - at < timedelta(hours=clinic.late_cancel_hours)
            days = self._release(session, actor, reason, at)
            plan.release(session.id, actor, at)
            prescription.release(session_id=session.id, actor=actor, at=at)
            session.cancel(late, actor, reason, at)
            return [*days, plan, prescription, session]

        saved = self._save_retrying(command, identity=("cancel_session", str(session_id)))
        cancelled = saved[-1]
        assert isinstance(cancelled, Session)
        return bool(cancelled.late_cancel)

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
        """Close a session that has started with its progress note (required; pain 0-10)."""
        at = as_utc(now, "now")
        text = progress_note(note)
        before = pain_level(pain_before, "pain before")
        after = pain_level(pain_after, "pain after")

        def command() -> list[Aggregate]:
            session = self._started(session_id, "completed", at)
            session.complete(text, before, after, actor, at)
            return [session]

        self._save_retrying(command, identity=("complete_session", str(session_id)))

    def amend_note(
        self,
        session_id: UUID | str,
        *,
        note: str,
        pain_before: int,
        pain_after: int,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Correct a completed session's progress note: an amendment beside the original."""
        at = as_utc(now, "now")
        text = progress_note(note)
        before = pain_level(pain_before, "pain before")
        after = pain_level(pain_after, "pain after")

        def command() -> list[Aggregate]:
            session = self._load(Session, session_id, UnknownSession)
            session.amend_note(
                note=text, pain_before=before, pain_after=after, actor=actor, reason=reason, at=at
            )
            return [session]

        self._save_retrying(command, identity=("amend_note", str(session_id), text, reason))

    def record_no_show(
        self, session_id: UUID | str, *, actor: str, reason: str, now: datetime
    ) -> None:
        """Record that the patient missed a session (it still counts against the plan)."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            session = self._started(session_id, "marked no-show", at)
            plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
            session.no_show(actor, reason, at)
            plan.miss(session.id, actor, at)
            return [session, plan]

        self._save_retrying(command, identity=("record_no_show", str(session_id)))

    def _started(self, session_id: UUID | str, change: str, at: datetime) -> Session:
        session = self._load(Session, session_id, UnknownSession)
        session.check_booked(change)
        session.check_started(change, at, self._zone_of(session.clinic_id))
        return session

    # --- the rules a visit meets, and the days it occupies -------------------------------
    def _prescription_of(self, plan: TreatmentPlan) -> Prescription:
        return self._load(Prescription, plan.prescription_id, UnknownPrescription)

    def _visit(
        self,
        plan: TreatmentPlan,
        therapist: Therapist,
        start: datetime,
        at: datetime,
        rules: Mapping[str, str],
    ) -> _Visit:
        """Check the therapist and patient may take this plan's session at `start`.

        The patient's side (evaluation, contraindications, home) comes from the plan,
        which the booking saves: a concurrent new evaluation conflicts with it.
        """
        if therapist.clinic_id != plan.clinic_id:
            raise TherapistOfAnotherClinic(
                "the therapist works at another clinic: choose one of this plan's clinic"
            )
        if not therapist.active:
            raise TherapistUnavailable(
                f"{therapist.name} no longer takes bookings: choose another therapist"
            )
        if plan.specialization not in therapist.specializations:
            raise MissingSpecialization(
                f"{therapist.name} does not practise {plan.specialization}: choose a therapist "
                "who does"
            )
        if plan.setting == "home" and not therapist.mobile:
            raise NotMobile(f"{therapist.name} works only at the clinic: choose a mobile therapist")
        plan.check_cleared()
        clinic = self._clinic(plan.clinic_id)
        zone = self._zone_of(clinic.id)
        timing.check_not_past(start, at, rules, zone)
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
            day=day,
            today=local_date(at, zone),
            shift=(wall_clock(day, window[0], zone), wall_clock(day, window[1], zone)),
            base=therapist.base(clinic.location),
            speed_kmh=clinic.travel_speed_kmh,
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
        therapist_day = known.get(TherapistDay.create_id(therapist_id, visit.day))
        if not isinstance(therapist_day, TherapistDay):
            therapist_day = self._therapist_day(therapist_id, visit.day, at)
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
        patient_day = known.get(PatientDay.create_id(patient_id, visit.day))
        if not isinstance(patient_day, PatientDay):
            patient_day = self._patient_day(patient_id, visit.day, at)
        patient_day.book(session_id, visit.start, visit.end, actor=actor, at=at, zone=visit.zone)
        return [therapist_day, patient_day]

    def _release(self, session: Session, actor: str, reason: str, at: datetime) -> list[Aggregate]:
        """Free the session's time on its therapist's and patient's days."""
        therapist_day = self._therapist_day(session.therapist_id, session.therapist_day, at)
        patient_day = self._patient_day(session.patient_id, session.patient_day, at)
        therapist_day.release(session.id, actor, reason, at)
        patient_day.release(session.id, actor, reason, at)
        return [therapist_day, patient_day]
