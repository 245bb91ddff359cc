"""Who may see or change which record: the one place that decides it.

Rules: an admin sees everything; a dispatcher the records of their clinic; a patient
their own record, plans and sessions; a therapist their own sessions, the plans they
treat and those plans' patients. An unknown id raises the domain's NotFound (404); a
record of someone else raises Forbidden (403) with none of its data, not even whose it
is. Only the front desk (dispatchers, admins) may override a clinic rule.

Every function runs in a store thread, on the `Scheduling` application, and returns
the view it checked, so an action reads each record once.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from scheduler.domain import (
    ClinicView,
    PatientView,
    PlanView,
    ProposalView,
    Scheduling,
    SessionView,
    TherapistView,
)
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden


def _deny(what: str) -> Forbidden:
    return Forbidden(f"this {what} is not yours to see or change; use an id from your own list")


def may_see_session(who: Actor, session: SessionView) -> bool:
    """True when the caller may see this session."""
    match who.role:
        case "admin":
            return True
        case "dispatcher":
            return session.clinic_id == who.clinic_id
        case "patient":
            return session.patient_id == who.acts_for
        case "therapist":
            return session.therapist_id == who.acts_for
    return False


def session_for(app: Scheduling, who: Actor, session_id: UUID) -> SessionView:
    """The session if the caller may see it."""
    session = app.get_session(session_id)
    check_session_seen(who, session)
    return session


def treats(app: Scheduling, therapist_id: UUID | None, plan: PlanView) -> bool:
    """True when the therapist is the plan's preferred one or holds one of its sessions."""
    if therapist_id is None:
        return False
    if plan.preferred_therapist == therapist_id:
        return True
    return any(app.get_session(s).therapist_id == therapist_id for s in plan.session_ids)


def plan_for(app: Scheduling, who: Actor, plan_id: UUID) -> PlanView:
    """The plan if the caller may see it (its patient, its clinic, a therapist treating it)."""
    plan = app.get_plan(plan_id)
    if not (
        who.role == "therapist" and treats(app, who.acts_for, plan)
    ) and not may_see_plan_as_staff_or_patient(who, plan):
        raise _deny("plan")
    return plan


def may_see_plan_as_staff_or_patient(who: Actor, plan: PlanView) -> bool:
    """True when the caller is an admin, a dispatcher of the plan's clinic or its patient
    (a therapist's access needs their sessions: `plan_for`)."""
    return (
        who.role == "admin"
        or (who.role == "dispatcher" and plan.clinic_id == who.clinic_id)
        or (who.role == "patient" and plan.patient_id == who.acts_for)
    )


def check_plan_seen(who: Actor, plan: PlanView) -> None:
    """Forbidden unless `may_see_plan_as_staff_or_patient` (no I/O)."""
    if not may_see_plan_as_staff_or_patient(who, plan):
        raise _deny("plan")


def check_session_seen(who: Actor, session: SessionView) -> None:
    """Forbidden unless the caller may see the session (no I/O)."""
    if not may_see_session(who, session):
        raise _deny("session")


def clinic_for(app: Scheduling, who: Actor, clinic_id: UUID) -> ClinicView:
    """The clinic if the caller manages it (its dispatchers, admins)."""
    clinic = app.get_clinic(clinic_id)
    if who.role != "admin" and not (who.role == "dispatcher" and who.clinic_id == clinic.id):
        raise _deny("clinic")
    return clinic


def therapist_for(app: Scheduling, who: Actor, therapist_id: UUID) -> TherapistView:
    """The therapist if the caller manages their clinic, or is them."""
    therapist = app.get_therapist(therapist_id)
    if who.role == "therapist" and who.acts_for == therapist.id:
        return therapist
    clinic_for_staff(who, therapist.clinic_id, "therapist")
    return therapist


def patient_for(app: Scheduling, who: Actor, patient_id: UUID) -> PatientView:
    """The patient if the caller is them, manages their clinic, or is their therapist
    (treats one of their plans, or has their evaluation visit)."""
    patient = app.get_patient(patient_id)
    allowed = (
        who.role == "admin"
        or (who.role == "dispatcher" and patient.clinic_id == who.clinic_id)
        or (who.role == "patient" and patient.id == who.acts_for)
        or (who.role == "therapist" and sees_patient(app, who.acts_for, patient))
    )
    if not allowed:
        raise _deny("patient")
    return patient


def sees_patient(app: Scheduling, therapist_id: UUID | None, patient: PatientView) -> bool:
    """True when the therapist treats one of the patient's plans or has (had) their
    evaluation visit."""
    if therapist_id is None:
        return False
    return any(
        app.get_session(visit).therapist_id == therapist_id for visit in patient.evaluation_visits
    ) or any(treats(app, therapist_id, app.get_plan(p)) for p in patient.plans)


def proposal_for(app: Scheduling, who: Actor, proposal_id: UUID) -> ProposalView:
    """The proposal if the caller manages its clinic."""
    proposal = app.get_proposal(proposal_id)
    clinic_for_staff(who, proposal.clinic_id, "proposal")
    return proposal


def clinic_for_staff(who: Actor, clinic_id: UUID, what: str) -> None:
    """Pass for an admin or a dispatcher of `clinic_id`; Forbidden names only `what`."""
    if who.role != "admin" and not (who.role == "dispatcher" and who.clinic_id == clinic_id):
        raise _deny(what)


def check_overrides(who: Actor, overrides: Mapping[str, str] | None) -> None:
    """Only the front desk may set a clinic rule aside (and the domain records why)."""
    if overrides and not who.front_desk:
        raise Forbidden(
            "only the clinic's front desk may override a rule: choose a time that keeps it"
        )


def check_role(who: Actor, *roles: str) -> None:
    """Pass if the caller has one of `roles`."""
    if who.role not in roles:
        raise Forbidden(f"this is for {' or '.join(roles)} accounts, not {who.role} accounts")
