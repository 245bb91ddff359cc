"""Commands on sessions: book a plan's session, move, cancel, complete (and amend the
note), no-show. Moves, cancellations and no-shows work for evaluation visits too (booked
by `evaluations.py`, completed by recording the evaluation).

Each command loads what its rules need, checks every rule before any event, and saves
all it changed (therapist-day, patient-day, plan, prescription, session) in one
transaction. The dry runs the waitlist uses (`check_booking`, `check_move`) run the
very same bodies and save nothing.

The rules, in the order a booking meets them: the therapist (same clinic, active,
skill, mobile), the patient's clearance (evaluation, contraindications), time (not in
the past), the plan (active, sessions left), the two days (shift, time off, no overlap,
travel, visits per day: what another booking can take away comes first, so a lost race
answers as a conflict), then the cadence and the prescription (not expired, authorized
sessions left across its plans). A dispatcher may override `cadence` and `in_the_past`
(back-fill) with a reason, recorded on the session's event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.clinical import Findings, evaluate
from scheduler.domain.commands.visits import Visit, Visits
from scheduler.domain.errors import (
    MissingSpecialization,
    ReassessmentRequired,
    RecordTheEvaluation,
    UnknownPatient,
    UnknownPlan,
    UnknownPrescription,
    UnknownSession,
    UnknownTherapist,
)
from scheduler.domain.ids import SessionId
from scheduler.domain.model.patient import Patient
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.session import DISPLACED, EVALUATION, TREATMENT, Session
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.rules import timing
from scheduler.domain.rules.inputs import note as progress_note
from scheduler.domain.rules.inputs import pain_level
from scheduler.domain.timekeeping import as_utc


class Booking(Visits):
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
        return SessionId(next(a for a in reversed(saved) if isinstance(a, Session)).id)

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
        if plan.displaced:
            # The plan's next session is the one a sick call displaced: booking gives it
            # its new time (options, the waitlist and the desk all book this way).
            waiting = next(iter(plan.displaced))
            return self._moving(
                waiting, therapist_id, start=start, at=at, rules=rules, actor=actor, reason=reason
            )
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        prescription = self._prescription_of(plan)
        clinic = self._clinic(plan.clinic_id)
        visit = self._treatment(plan, therapist, start, at, rules)
        plan.check_bookable()
        number = len(plan.held) + 1
        every = clinic.reassessment_every
        # Created first for its id; discarded unsaved if a day or a rule rejects the visit.
        session = Session(
            clinic_id=plan.clinic_id,
            kind=TREATMENT,
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
            number=number,
            reassessment=every > 0 and number % every == 0,
            visit_reason="",
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
        session.check_movable("moved")
        waiting = session.status == DISPLACED  # off its day already; its old time is gone
        zone = self._zone_of(session.clinic_id)
        if not waiting:
            timing.check_not_started(session.start, at, "moved", rules, zone)
        therapist = self._load(Therapist, therapist_id or session.therapist_id, UnknownTherapist)
        plan = None
        if session.kind == EVALUATION:
            visit = self._evaluation_frame(session, therapist, start, at, rules)
        else:
            assert session.plan_id is not None, "a treatment session has a plan"
            plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
            visit = self._treatment(plan, therapist, start, at, rules)
            plan.check_bookable(moving=True)
        changed = [] if waiting else self._release(session, actor, reason, at)
        # A move within a day books on the very copy that was just released.
        known = {aggregate.id: aggregate for aggregate in changed}
        days = self._occupy(
            session.id, therapist.id, session.patient_id, visit, actor=actor, at=at, known=known
        )
        if plan is not None:
            plan.check_cadence(visit.day, visit.today, moving=session.id, overrides=rules)
            self._prescription_of(plan).check_valid_on(visit.day)
        moved_day = waiting or visit.day != session.therapist_day
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
        if plan is not None and moved_day:
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
            session.check_movable("cancelled")
            clinic = self._clinic(session.clinic_id)
            # A displaced session has no time to be late for: it was off the calendar.
            waiting = session.status == DISPLACED
            if not waiting:
                zone = self._zone_of(clinic.id)
                timing.check_not_started(session.start, at, "cancelled", {}, zone)
            late = not waiting and session.start - at < timedelta(hours=clinic.late_cancel_hours)
            changed = [] if waiting else self._release(session, actor, reason, at)
            changed += self._let_go(session, actor, at, cancelled=True)
            session.cancel(late, actor, reason, at)
            return [*changed, session]

        saved = self._save_retrying(command, identity=("cancel_session", str(session_id)))
        cancelled = saved[-1]
        assert isinstance(cancelled, Session)
        return bool(cancelled.late_cancel)

    def _let_go(
        self, session: Session, actor: str, at: datetime, *, cancelled: bool
    ) -> list[Aggregate]:
        """What else a session that will not take place changes: its plan (and, cancelled,
        its prescription) or, an evaluation visit, the patient's booked visit."""
        if session.kind == EVALUATION:
            patient = self._load(Patient, session.patient_id, UnknownPatient)
            if patient.evaluation_visit != session.id:
                return []
            patient.note_evaluation_visit(None, actor, at)
            return [patient]
        assert session.plan_id is not None, "a treatment session has a plan"
        plan = self._load(TreatmentPlan, session.plan_id, UnknownPlan)
        if not cancelled:
            plan.miss(session.id, actor, at)
            return [plan]
        prescription = self._prescription_of(plan)
        plan.release(session.id, actor, at)
        prescription.release(session_id=session.id, actor=actor, at=at)
        return [plan, prescription]

    def complete_session(
        self,
        session_id: UUID | str,
        *,
        note: str,
        pain_before: int,
        pain_after: int,
        actor: str,
        now: datetime,
        reassessment: Findings | None = None,
    ) -> None:
        """Close a session that has started with its progress note (required; pain 0-10).

        A reassessment session (every `reassessment_every`-th of a plan) also needs its
        short re-evaluation, recorded on the patient in the same transaction.
        """
        at = as_utc(now, "now")
        text = progress_note(note)
        before = pain_level(pain_before, "pain before")
        after = pain_level(pain_after, "pain after")
        found = reassessment.checked() if reassessment is not None else None

        def command() -> list[Aggregate]:
            session = self._started(session_id, "completed", at)
            if session.kind == EVALUATION:
                raise RecordTheEvaluation(
                    "an evaluation visit is completed by recording the evaluation"
                )
            if session.reassessment and found is None:
                raise ReassessmentRequired(
                    "this is a reassessment session: record the patient's pain and findings "
                    "with the note"
                )
            session.complete(text, before, after, actor, at)
            changed: list[Aggregate] = [session]
            if found is not None:
                patient = self._load(Patient, session.patient_id, UnknownPatient)
                changed += [patient]
                changed += evaluate(
                    self,
                    patient,
                    found,
                    kind="reassessment",
                    session_id=session.id,
                    actor=actor,
                    at=at,
                )
            return list({aggregate.id: aggregate for aggregate in changed}.values())

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
            changed = self._let_go(session, actor, at, cancelled=False)
            session.no_show(actor, reason, at)
            return [session, *changed]

        self._save_retrying(command, identity=("record_no_show", str(session_id)))

    def _started(self, session_id: UUID | str, change: str, at: datetime) -> Session:
        session = self._load(Session, session_id, UnknownSession)
        session.check_booked(change)
        session.check_started(change, at, self._zone_of(session.clinic_id))
        return session

    # --- the rules a visit meets --------------------------------------------------------
    def _prescription_of(self, plan: TreatmentPlan) -> Prescription:
        return self._load(Prescription, plan.prescription_id, UnknownPrescription)

    def _treatment(
        self,
        plan: TreatmentPlan,
        therapist: Therapist,
        start: datetime,
        at: datetime,
        rules: Mapping[str, str],
    ) -> Visit:
        """Check the therapist and patient may take this plan's session at `start`.

        The patient's side (evaluation, contraindications, home) comes from the plan,
        which the booking saves: a concurrent new evaluation conflicts with it.
        """
        clinic = self._clinic(plan.clinic_id)
        if (
            therapist.clinic_id == clinic.id
            and plan.specialization not in therapist.specializations
        ):
            raise MissingSpecialization(
                f"{therapist.name} does not practise {plan.specialization}: choose a therapist "
                "who does"
            )
        frame = self._frame(
            clinic,
            therapist,
            start=start,
            minutes=plan.session_minutes,
            place=plan.location,
            home_visit=plan.setting == "home",
            at=at,
            rules=rules,
        )
        plan.check_cleared()
        return frame

    def _evaluation_frame(
        self,
        session: Session,
        therapist: Therapist,
        start: datetime,
        at: datetime,
        rules: Mapping[str, str],
    ) -> Visit:
        """The frame of an evaluation visit moved to `start` (its length and place kept)."""
        clinic = self._clinic(session.clinic_id)
        self._check_evaluates(therapist, session.visit_reason, clinic.condition_map)
        minutes = int((session.end - session.start).total_seconds() // 60)
        return self._frame(
            clinic,
            therapist,
            start=start,
            minutes=minutes,
            place=session.location,
            home_visit=session.setting == "home",
            at=at,
            rules=rules,
        )
