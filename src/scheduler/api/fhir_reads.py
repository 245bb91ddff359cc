"""Who may read a FHIR `Patient`, `Practitioner` or `Schedule`: the API's rules, per record.

As everywhere else (`access`): an admin reads everything and a dispatcher their
clinic's records; a patient reads themself and the therapists of their own plans and
sessions; a therapist reads themself and the patients whose plans they treat. An
unknown id is 404; someone else's record is 403 with none of its data. Each function
runs in a store thread (`gateway.run`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from scheduler.api import fhir_resources as fhir
from scheduler.api.auth import Principal
from scheduler.domain import PatientView, Scheduling, TherapistView
from scheduler.usecases.errors import Forbidden


def _deny(what: str) -> Forbidden:
    return Forbidden(f"this {what} is not yours to see; use a reference from your own records")


def _treats(app: Scheduling, therapist_id: UUID, patient: PatientView) -> bool:
    """True when the therapist is preferred for, or holds a session of, a patient's plan."""
    for plan_id in patient.plans:
        plan = app.get_plan(plan_id)
        if plan.preferred_therapist == therapist_id:
            return True
        if any(app.get_session(s).therapist_id == therapist_id for s in plan.session_ids):
            return True
    return False


def _may_see_patient(app: Scheduling, principal: Principal, patient: PatientView) -> bool:
    match principal.role:
        case "admin":
            return True
        case "dispatcher":
            return patient.clinic_id == principal.clinic_id
        case "patient":
            return patient.id == principal.acts_for
        case "therapist":
            return principal.acts_for is not None and _treats(app, principal.acts_for, patient)
    return False


def _may_see_therapist(app: Scheduling, principal: Principal, therapist: TherapistView) -> bool:
    match principal.role:
        case "admin":
            return True
        case "dispatcher":
            return therapist.clinic_id == principal.clinic_id
        case "therapist":
            return therapist.id == principal.acts_for
        case "patient":
            if principal.acts_for is None:
                return False
            return _treats(app, therapist.id, app.get_patient(principal.acts_for))
    return False


def read_patient(app: Scheduling, principal: Principal, patient_id: UUID) -> dict[str, Any]:
    """The patient as a FHIR Patient (NotFound if unknown, Forbidden if not the caller's)."""
    patient = app.get_patient(patient_id)
    if not _may_see_patient(app, principal, patient):
        raise _deny("patient")
    return fhir.patient(patient)


def read_therapist(
    app: Scheduling, principal: Principal, therapist_id: UUID, *, as_schedule: bool
) -> dict[str, Any]:
    """The therapist as a FHIR Practitioner (or their Schedule), if the caller may see them."""
    therapist = app.get_therapist(therapist_id)
    if not _may_see_therapist(app, principal, therapist):
        raise _deny("practitioner")
    return fhir.schedule(therapist) if as_schedule else fhir.practitioner(therapist)
