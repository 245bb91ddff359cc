"""Sessions: book, move, cancel, complete (and amend the note), no-show, pin, and reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from scheduler.domain import HistoryEntry, Scheduling, SessionView
from scheduler.domain.commands.clinical import Findings
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action

BOOKING = "booking"
"""The rate limit of booking-like requests (book, move, take up an offer, queue a solve)."""


@dataclass(frozen=True)
class Cancelled:
    """A cancelled session, whether it was late, and the rule that decided it."""

    session: SessionView
    late: bool
    late_cancel_hours: int


@dataclass(frozen=True)
class SessionPage:
    """A session with what its therapist needs to know, and its history.

    The therapist sees the patient's needs (condition, skill, contraindications) and no
    more (no address book entries or evaluation notes); for a home visit, the staff also
    see the street address and phone they need to get there.
    """

    session: SessionView
    patient: str
    therapist: str
    condition: str
    specialization: str
    contraindications: list[str]
    history: list[HistoryEntry]
    timezone: str
    late_cancel_hours: int
    home_address: str = ""  # a home visit's, for the staff
    home_phone: str = ""


@dataclass(frozen=True)
class Pin:
    """Whether the session is pinned now, and whether this request changed that."""

    session_id: UUID
    pinned: bool
    changed: bool


@action(limit=BOOKING)
async def book(
    uc: UseCases,
    who: Actor,
    plan_id: UUID,
    *,
    therapist_id: UUID,
    start: datetime,
    reason: str = "",
    overrides: Mapping[str, str] | None = None,
) -> SessionView:
    """Book the plan's next session with a therapist at `start`."""
    access.check_overrides(who, overrides)

    def run(app: Scheduling, now: datetime) -> SessionView:
        access.plan_for(app, who, plan_id)
        session_id = app.book_session(
            plan_id=plan_id,
            therapist_id=therapist_id,
            start=start,
            actor=who.actor,
            now=now,
            reason=reason or "booked",
            overrides=overrides,
        )
        return app.get_session(session_id)

    return await uc.write(run)


@action(limit=BOOKING)
async def move(
    uc: UseCases,
    who: Actor,
    session_id: UUID,
    *,
    start: datetime,
    therapist_id: UUID | None = None,
    reason: str = "",
    overrides: Mapping[str, str] | None = None,
) -> SessionView:
    """Move a booked session to `start` (optionally to another therapist)."""
    access.check_role(who, "patient", "dispatcher", "admin")
    access.check_overrides(who, overrides)

    def run(app: Scheduling, now: datetime) -> SessionView:
        access.session_for(app, who, session_id)
        app.reschedule_session(
            session_id,
            start=start,
            therapist_id=therapist_id,
            actor=who.actor,
            reason=reason or "moved",
            now=now,
            overrides=overrides,
        )
        return app.get_session(session_id)

    return await uc.write(run)


@action()
async def cancel(uc: UseCases, who: Actor, session_id: UUID, *, reason: str = "") -> Cancelled:
    """Cancel a session before it starts; the answer says whether it was late."""
    access.check_role(who, "patient", "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> Cancelled:
        session = access.session_for(app, who, session_id)
        late = app.cancel_session(
            session_id, actor=who.actor, reason=reason or "cancelled", now=now
        )
        hours = app.get_clinic(session.clinic_id).late_cancel_hours
        return Cancelled(app.get_session(session_id), late, hours)

    return await uc.write(run)


@dataclass(frozen=True)
class Reassessed:
    """A reassessment session's short re-evaluation."""

    pain_level: int
    contraindications: Sequence[str] = ()
    findings: str = ""
    notes: str = ""


@action()
async def complete(
    uc: UseCases,
    who: Actor,
    session_id: UUID,
    *,
    note: str,
    pain_before: int,
    pain_after: int,
    reassessment: Reassessed | None = None,
) -> SessionView:
    """The session's therapist records its progress note (once it has started); a
    reassessment session also records the re-evaluation (the plan's condition kept)."""
    access.check_role(who, "therapist")

    def run(app: Scheduling, now: datetime) -> SessionView:
        session = access.session_for(app, who, session_id)
        found = None
        if reassessment is not None:
            condition = app.get_plan(session.plan_id).condition if session.plan_id else "evaluation"
            found = Findings(
                condition=condition,
                pain_level=reassessment.pain_level,
                contraindications=tuple(reassessment.contraindications),
                findings=reassessment.findings,
                notes=reassessment.notes,
            )
        app.complete_session(
            session_id,
            note=note,
            pain_before=pain_before,
            pain_after=pain_after,
            actor=who.actor,
            now=now,
            reassessment=found,
        )
        return app.get_session(session_id)

    return await uc.write(run)


@action()
async def amend_note(
    uc: UseCases,
    who: Actor,
    session_id: UUID,
    *,
    note: str,
    pain_before: int,
    pain_after: int,
    reason: str,
) -> SessionView:
    """The session's therapist corrects its progress note; the original stays."""
    access.check_role(who, "therapist")

    def run(app: Scheduling, now: datetime) -> SessionView:
        access.session_for(app, who, session_id)
        app.amend_note(
            session_id,
            note=note,
            pain_before=pain_before,
            pain_after=pain_after,
            actor=who.actor,
            reason=reason or "amended",
            now=now,
        )
        return app.get_session(session_id)

    return await uc.write(run)


@action()
async def no_show(uc: UseCases, who: Actor, session_id: UUID, *, reason: str = "") -> SessionView:
    """Record that the patient did not come (once the session has started)."""
    access.check_role(who, "therapist", "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> SessionView:
        access.session_for(app, who, session_id)
        app.record_no_show(session_id, actor=who.actor, reason=reason or "no-show", now=now)
        return app.get_session(session_id)

    return await uc.write(run)


@action()
async def pin(uc: UseCases, who: Actor, session_id: UUID, *, pinned: bool, reason: str = "") -> Pin:
    """Pin a visit so no optimization moves it (or release it)."""
    access.check_role(who, "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> Pin:
        access.session_for(app, who, session_id)
        command = app.pin_session if pinned else app.unpin_session
        why = reason or ("pinned" if pinned else "released")
        changed = command(session_id, actor=who.actor, reason=why, now=now)
        return Pin(session_id, pinned, changed)

    return await uc.write(run)


@action()
async def get(uc: UseCases, who: Actor, session_id: UUID) -> SessionView:
    """The session, if it is the caller's (patient, therapist) or in their clinic."""
    return await uc.read(lambda app, _: access.session_for(app, who, session_id))


@action()
async def history(uc: UseCases, who: Actor, session_id: UUID) -> list[HistoryEntry]:
    """Every event of the session, oldest first."""

    def run(app: Scheduling, _: datetime) -> list[HistoryEntry]:
        access.session_for(app, who, session_id)
        return app.history(session_id)

    return await uc.read(run)


@action()
async def page(uc: UseCases, who: Actor, session_id: UUID) -> SessionPage:
    """The session, the names and needs around it, and its history."""

    def run(app: Scheduling, _: datetime) -> SessionPage:
        session = access.session_for(app, who, session_id)
        clinic = app.get_clinic(session.clinic_id)
        patient = app.get_patient(session.patient_id)
        visiting = session.setting == "home" and who.role != "patient"
        if session.plan_id is None:  # an evaluation visit: what the patient comes for
            condition, specialization = session.visit_reason, "initial evaluation"
        else:
            plan = app.get_plan(session.plan_id)
            condition, specialization = plan.condition, plan.specialization
        return SessionPage(
            session=session,
            patient=patient.name,
            therapist=app.get_therapist(session.therapist_id).name,
            condition=condition,
            specialization=specialization,
            contraindications=list(patient.contraindications),
            history=app.history(session.id),
            timezone=clinic.timezone,
            late_cancel_hours=clinic.late_cancel_hours,
            home_address=patient.address if visiting else "",
            home_phone=patient.phone if visiting else "",
        )

    return await uc.read(run)
