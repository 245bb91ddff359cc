"""The care process after the first visit: the therapist records the evaluation, the
prescription (or referral) and the treatment plan; then the plan changes over time, is
reassessed, and ends with a discharge summary.

Therapists act on patients they see (their evaluation visit, a plan they treat); the
clinic's front desk on any of its patients; admins on all. Only therapists evaluate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from scheduler.domain import PatientView, PlanView, PrescriptionView, Scheduling
from scheduler.domain.errors import InvalidInput, UnknownPrescription
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden
from scheduler.usecases.runner import UseCases, action

CLINICIANS = ("therapist", "dispatcher", "admin")


@dataclass(frozen=True)
class Evaluation:
    """What the therapist found."""

    condition: str
    pain_level: int
    contraindications: Sequence[str] = ()
    findings: str = ""
    notes: str = ""
    recommended: str | None = None


@dataclass(frozen=True)
class Prescription:
    """A prescription or referral as the therapist copies it from the prescriber's."""

    condition: str
    authorized_sessions: int
    expires_on: date
    prescriber: str = ""
    icd10: str | None = None
    npi: str | None = None
    authorization_number: str | None = None


@dataclass(frozen=True)
class PlanRequest:
    """A treatment plan to start."""

    prescription_id: UUID
    specialization: str
    sessions: int
    session_minutes: int
    min_days: int
    max_days: int
    setting: str
    preferred_therapist: UUID | None = None


@dataclass(frozen=True)
class PainPoint:
    """One reading of the patient's pain on a plan: an evaluation or a session's."""

    at: datetime
    pain: int
    source: str  # "evaluation", "reassessment", "session"


@dataclass(frozen=True)
class PlanProgress:
    """A plan with its sessions done, and the pain trend over them."""

    plan: PlanView
    completed: int
    pain: list[PainPoint]


def _patient_of_clinician(app: Scheduling, who: Actor, patient_id: UUID) -> PatientView:
    access.check_role(who, *CLINICIANS)
    return access.patient_for(app, who, patient_id)


@action()
async def record_evaluation(
    uc: UseCases,
    who: Actor,
    patient_id: UUID,
    *,
    evaluation: Evaluation,
    visit: UUID | None = None,
) -> PatientView:
    """The therapist records an evaluation; with `visit` (the patient's evaluation visit,
    once started) that visit is completed by it."""
    access.check_role(who, "therapist")

    def run(app: Scheduling, now: datetime) -> PatientView:
        access.patient_for(app, who, patient_id)
        if visit is not None and app.get_session(visit).therapist_id != who.acts_for:
            raise Forbidden("the evaluation visit is another therapist's")
        app.record_evaluation(
            patient_id,
            condition=evaluation.condition,
            pain_level=evaluation.pain_level,
            contraindications=evaluation.contraindications,
            findings=evaluation.findings,
            notes=evaluation.notes,
            recommended=evaluation.recommended,
            visit=visit,
            actor=who.actor,
            now=now,
        )
        return app.get_patient(patient_id)

    return await uc.write(run)


@action()
async def record_prescription(
    uc: UseCases, who: Actor, patient_id: UUID, *, prescription: Prescription
) -> PrescriptionView:
    """Record the prescription or referral behind the patient's treatment."""

    def run(app: Scheduling, now: datetime) -> PrescriptionView:
        _patient_of_clinician(app, who, patient_id)
        prescription_id = app.record_prescription(
            patient_id,
            condition=prescription.condition,
            authorized_sessions=prescription.authorized_sessions,
            expires_on=prescription.expires_on,
            prescriber=prescription.prescriber,
            icd10=prescription.icd10,
            npi=prescription.npi,
            authorization_number=prescription.authorization_number,
            actor=who.actor,
            now=now,
        )
        return app.get_prescription(prescription_id)

    return await uc.write(run)


@action()
async def renew_prescription(
    uc: UseCases,
    who: Actor,
    prescription_id: UUID,
    *,
    authorized_sessions: int,
    expires_on: date,
    authorization_number: str | None = None,
    reason: str = "",
) -> PrescriptionView:
    """The payer renewed the authorization (sessions in total, and the new expiry)."""

    def run(app: Scheduling, now: datetime) -> PrescriptionView:
        found = app.get_prescription(prescription_id)
        _patient_of_clinician(app, who, found.patient_id)
        app.renew_prescription(
            prescription_id,
            authorized_sessions=authorized_sessions,
            expires_on=expires_on,
            authorization_number=authorization_number,
            actor=who.actor,
            reason=reason or "renewed",
            now=now,
        )
        return app.get_prescription(prescription_id)

    return await uc.write(run)


@action()
async def create_plan(
    uc: UseCases, who: Actor, patient_id: UUID, *, request: PlanRequest
) -> PlanView:
    """Start a treatment plan under one of the patient's prescriptions."""

    def run(app: Scheduling, now: datetime) -> PlanView:
        patient = _patient_of_clinician(app, who, patient_id)
        if request.prescription_id not in {p.id for p in patient.prescriptions}:
            raise UnknownPrescription("the patient has no such prescription: record it first")
        plan_id = app.create_plan(
            patient_id=patient_id,
            prescription_id=request.prescription_id,
            specialization=request.specialization,
            sessions=request.sessions,
            session_minutes=request.session_minutes,
            min_days=request.min_days,
            max_days=request.max_days,
            setting=request.setting,
            preferred_therapist=request.preferred_therapist,
            actor=who.actor,
            now=now,
        )
        return app.get_plan(plan_id)

    return await uc.write(run)


def _plan_of_clinician(app: Scheduling, who: Actor, plan_id: UUID) -> PlanView:
    access.check_role(who, *CLINICIANS)
    return access.plan_for(app, who, plan_id)


@action()
async def change_plan(
    uc: UseCases,
    who: Actor,
    plan_id: UUID,
    *,
    change: str,
    reason: str,
    min_days: int = 0,
    max_days: int = 0,
    count: int = 0,
    therapist_id: UUID | None = None,
    summary: str = "",
) -> PlanView:
    """One change to a plan: `cadence` (min_days..max_days), `add` or `remove` `count`
    sessions, `pause`, `resume`, `switch` (the preferred therapist, or none) or
    `discharge` (with a summary). Each is an event of the plan, with its reason."""

    def run(app: Scheduling, now: datetime) -> PlanView:
        _plan_of_clinician(app, who, plan_id)
        actor, why = who.actor, reason or change
        changes = {
            "cadence": lambda: app.change_cadence(
                plan_id, min_days=min_days, max_days=max_days, actor=actor, reason=why, now=now
            ),
            "add": lambda: app.add_sessions(plan_id, count=count, actor=actor, reason=why, now=now),
            "remove": lambda: app.remove_sessions(
                plan_id, count=count, actor=actor, reason=why, now=now
            ),
            "pause": lambda: app.pause_plan(plan_id, actor=actor, reason=why, now=now),
            "resume": lambda: app.resume_plan(plan_id, actor=actor, reason=why, now=now),
            "switch": lambda: app.switch_therapist(
                plan_id, therapist_id=therapist_id, actor=actor, reason=why, now=now
            ),
            "discharge": lambda: app.complete_plan(
                plan_id, actor=actor, reason=why, now=now, summary=summary
            ),
        }
        if change not in changes:
            raise InvalidInput(f"a plan change is one of {sorted(changes)}, not {change!r}")
        changes[change]()
        return app.get_plan(plan_id)

    return await uc.write(run)


@action()
async def progress(uc: UseCases, who: Actor, plan_id: UUID) -> PlanProgress:
    """The plan, its completed sessions and the pain trend (evaluations, reassessments and
    each session's pain before treatment), oldest first."""

    def run(app: Scheduling, _: datetime) -> PlanProgress:
        plan = access.plan_for(app, who, plan_id)
        patient = app.get_patient(plan.patient_id)
        points = [
            PainPoint(e["evaluated_at"], e["pain_level"], e.get("kind", "evaluation"))
            for e in patient.evaluations
            if e.get("kind", "evaluation") == "evaluation"
            or e.get("session_id") in plan.session_ids
        ]
        sessions = [app.get_session(s) for s in plan.session_ids]
        done = [s for s in sessions if s.status == "completed" and s.progress_note]
        points += [
            PainPoint(s.start, int(s.progress_note["pain_before"]), "session")
            for s in done
            if s.progress_note
        ]
        return PlanProgress(plan, len(done), sorted(points, key=lambda p: p.at))

    return await uc.read(run)
