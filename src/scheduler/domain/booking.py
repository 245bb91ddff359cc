"""Commands on sessions: book, reschedule, cancel, complete, no-show.

Each command loads what its rules need, checks every rule before any event, and saves
all it changed (therapist-day, patient-day, plan, session) in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.errors import (
    TooEarly,
    UnknownPlan,
    UnknownSession,
    UnknownTherapist,
)
from scheduler.domain.ids import SessionId
from scheduler.domain.patient import pain_level
from scheduler.domain.plan import TreatmentPlan
from scheduler.domain.session import Session
from scheduler.domain.therapist import Therapist
from scheduler.domain.timekeeping import as_utc
from scheduler.domain.visits import Visits


class Booking(Visits):
    """Booking sessions and recording what became of them."""

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
