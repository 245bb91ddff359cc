"""Who may read a FHIR `Patient`, `Practitioner`, `Schedule` or `ServiceRequest`: the
API's rules, per record.

As everywhere else (`usecases.access`, which decides patients): an admin reads
everything and a dispatcher their clinic's records; a patient reads themself, their
prescriptions and the therapists of their own plans and sessions; a therapist reads
themself and the patients they see (a plan they treat, an evaluation visit). An unknown
id is 404; someone else's record is 403 with none of its data. Each function runs in a
store thread (`gateway.run`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.api import fhir_resources as fhir
from scheduler.api.auth import Principal
from scheduler.domain import Scheduling, TherapistView
from scheduler.domain.timekeeping import local_date
from scheduler.usecases import access
from scheduler.usecases.errors import Forbidden


def _deny(what: str) -> Forbidden:
    return Forbidden(f"this {what} is not yours to see; use a reference from your own records")


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
            patient = app.get_patient(principal.acts_for)
            return any(
                app.get_session(visit).therapist_id == therapist.id
                for visit in patient.evaluation_visits
            ) or any(access.treats(app, therapist.id, app.get_plan(p)) for p in patient.plans)
    return False


def read_patient(app: Scheduling, principal: Principal, patient_id: UUID) -> dict[str, Any]:
    """The patient as a FHIR Patient (NotFound if unknown, Forbidden if not the caller's)."""
    return fhir.patient(access.patient_for(app, principal, patient_id))


def read_prescription(
    app: Scheduling, principal: Principal, prescription_id: UUID, now: datetime
) -> dict[str, Any]:
    """The prescription as a FHIR ServiceRequest, for whoever may see its patient."""
    prescription = app.get_prescription(prescription_id)
    access.patient_for(app, principal, prescription.patient_id)
    zone = ZoneInfo(app.get_clinic(prescription.clinic_id).timezone)
    return fhir.service_request(prescription, local_date(now, zone))


def read_therapist(
    app: Scheduling, principal: Principal, therapist_id: UUID, *, as_schedule: bool
) -> dict[str, Any]:
    """The therapist as a FHIR Practitioner (or their Schedule), if the caller may see them."""
    therapist = app.get_therapist(therapist_id)
    if not _may_see_therapist(app, principal, therapist):
        raise _deny("practitioner")
    return fhir.schedule(therapist) if as_schedule else fhir.practitioner(therapist)
