"""The clinic's records as FHIR R5 resources (the default of `fhir.resources` 8): plain dicts.

A session is an `Appointment`; free time of a therapist is a `Slot` of the therapist's
`Schedule`; a patient is a `Patient`, a therapist a `Practitioner`, a prescription (or
referral) a `ServiceRequest`, a treatment plan a `CarePlan` based on it; several are a
`searchset` `Bundle` with its `self` link; an error is an `OperationOutcome`. Ids are the
records' UUIDs, so every reference one resource makes (`Patient/<id>`,
`Practitioner/<id>`, `Schedule/<id>`, `ServiceRequest/<id>`, `CarePlan/<id>`) can be read.
`meta.versionId` of an Appointment is the session's version and rises with every
change, like the calendar feed's SEQUENCE. The tests validate every shape with
`fhir.resources`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid5

from scheduler.api.errors import ErrorBody
from scheduler.domain import PatientView, PlanView, PrescriptionView, SessionView, TherapistView

FHIR_JSON = "application/fhir+json"

APPOINTMENT_STATUS = {
    "booked": "booked",
    "cancelled": "cancelled",
    "completed": "fulfilled",
    "no_show": "noshow",
    "displaced": "waitlist",  # a sick call took its time: it waits for a new one
}
"""Session status → FHIR Appointment.status."""

CARE_PLAN_STATUS = {"active": "active", "paused": "on-hold", "completed": "completed"}
"""Plan status → FHIR CarePlan.status."""

ISSUE_CODE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    429: "throttled",
    503: "transient",
}
"""HTTP status of an error → OperationOutcome.issue.code (else `exception`)."""

ERROR_SYSTEM = "urn:scheduler:error"
"""The coding system of the API's own error codes (`therapist_busy`, …)."""

_SLOT_NAMESPACE = UUID("5c2f7a90-1e3b-4d8c-b6a4-0f9e2d1c7b53")


def instant(value: datetime) -> str:
    """A FHIR instant: UTC with seconds, e.g. '2026-10-05T15:00:00Z'."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def appointment(session: SessionView, version: int, changed_at: datetime) -> dict[str, Any]:
    """The session as an R5 Appointment (the patient and the practitioner both accepted)."""
    minutes = int((session.end - session.start).total_seconds() // 60)
    kind = "home visit" if session.setting == "home" else "clinic session"
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": str(session.id),
        "meta": {"versionId": str(version), "lastUpdated": instant(changed_at)},
        "status": APPOINTMENT_STATUS[session.status],
        "description": f"Medical massage, {kind}",
        "start": instant(session.start),
        "end": instant(session.end),
        "minutesDuration": minutes,
        "basedOn": [{"reference": f"CarePlan/{session.plan_id}"}],
        "subject": {"reference": f"Patient/{session.patient_id}"},
        "participant": [
            {"actor": {"reference": f"Patient/{session.patient_id}"}, "status": "accepted"},
            {
                "actor": {"reference": f"Practitioner/{session.therapist_id}"},
                "status": "accepted",
            },
        ],
    }
    if session.status == "cancelled":
        late = "late cancellation" if session.late_cancel else "cancelled in time"
        resource["cancellationReason"] = {"text": late}
    return resource


def slot(therapist_id: UUID, start: datetime, end: datetime) -> dict[str, Any]:
    """Free time of a therapist as an R5 Slot of their Schedule (id stable for the span)."""
    key = uuid5(_SLOT_NAMESPACE, f"{therapist_id}/{instant(start)}/{instant(end)}")
    return {
        "resourceType": "Slot",
        "id": str(key),
        "schedule": {"reference": f"Schedule/{therapist_id}"},
        "status": "free",
        "start": instant(start),
        "end": instant(end),
    }


def _name(name: str) -> dict[str, Any]:
    *given, family = name.split() or [name]
    found: dict[str, Any] = {"text": name, "family": family}
    if given:
        found["given"] = given
    return found


def patient(view: PatientView) -> dict[str, Any]:
    """A patient: the name only (the home's coordinates and contacts stay in the app)."""
    return {
        "resourceType": "Patient",
        "id": str(view.id),
        "active": True,
        "name": [_name(view.name)],
    }


def practitioner(view: TherapistView) -> dict[str, Any]:
    """A therapist with the specializations they are trained for."""
    return {
        "resourceType": "Practitioner",
        "id": str(view.id),
        "active": True,
        "name": [_name(view.name)],
        "qualification": [{"code": {"text": skill}} for skill in view.specializations],
    }


def schedule(view: TherapistView) -> dict[str, Any]:
    """The therapist's Schedule, which their free Slots belong to."""
    return {
        "resourceType": "Schedule",
        "id": str(view.id),
        "active": True,
        "actor": [{"reference": f"Practitioner/{view.id}"}],
        "name": f"Sessions with {view.name}",
    }


def care_plan(view: PlanView) -> dict[str, Any]:
    """A treatment plan: what is treated, how often, until when, and its sessions' count."""
    place = "home visits" if view.setting == "home" else "at the clinic"
    return {
        "resourceType": "CarePlan",
        "id": str(view.id),
        "status": CARE_PLAN_STATUS.get(view.status, "unknown"),
        "intent": "plan",
        "title": f"Medical massage for {view.condition}",
        "description": (
            f"{view.sessions} sessions of {view.session_minutes} min, every "
            f"{view.min_days}-{view.max_days} days, {place}; {view.sessions_held} held"
        ),
        "subject": {"reference": f"Patient/{view.patient_id}"},
        "basedOn": [{"reference": f"ServiceRequest/{view.prescription_id}"}],
        "period": {"end": view.expires_on.isoformat()},
    }


NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
AUTHORIZATION_SYSTEM = "urn:scheduler:authorization-number"


def service_request(view: PrescriptionView, today: date) -> dict[str, Any]:
    """A prescription or referral: the condition (with its ICD-10 code), who prescribed
    it (with their NPI), how many sessions it authorizes and until when. Active while
    it has sessions left and has not expired, else completed."""
    reason: dict[str, Any] = {"text": view.condition}
    if view.icd10:
        reason["coding"] = [{"system": ICD10_SYSTEM, "code": view.icd10}]
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": str(view.id),
        "status": "active" if view.left > 0 and today <= view.expires_on else "completed",
        "intent": "order",
        "code": {"concept": {"text": "Medical massage"}},
        "subject": {"reference": f"Patient/{view.patient_id}"},
        "reason": [{"concept": reason}],
        "quantityQuantity": {"value": view.authorized_sessions, "unit": "sessions"},
        "occurrencePeriod": {"end": view.expires_on.isoformat()},
        "authoredOn": instant(view.recorded_at),
    }
    requester: dict[str, Any] = {}
    if view.prescriber:
        requester["display"] = view.prescriber
    if view.npi:
        requester["identifier"] = {"system": NPI_SYSTEM, "value": view.npi}
    if requester:
        resource["requester"] = requester
    if view.authorization_number:
        resource["identifier"] = [
            {"system": AUTHORIZATION_SYSTEM, "value": view.authorization_number}
        ]
    return resource


def operation_outcome(status: int, error: ErrorBody) -> dict[str, Any]:
    """The API's error body as an OperationOutcome (the error code as a coding)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error" if status < 500 else "fatal",
                "code": ISSUE_CODE.get(status, "exception"),
                "details": {
                    "coding": [{"system": ERROR_SYSTEM, "code": error.error}],
                    "text": error.detail,
                },
                "diagnostics": f"request id {error.request_id}",
            }
        ],
    }


def bundle(
    resources: list[dict[str, Any]], base_url: str, self_url: str, note: str | None = None
) -> dict[str, Any]:
    """A searchset Bundle of `resources`, each with its full URL under `base_url`, the
    search's own URL as its `self` link, and `note` (if any) as an informational
    OperationOutcome entry (`search.mode` outcome: not counted in `total`)."""
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": f"{base_url}/{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": "match"},
        }
        for resource in resources
    ]
    if note is not None:
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "information", "code": "informational", "diagnostics": note}],
        }
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": [{"relation": "self", "url": self_url}],
        "total": len(resources),
        "entry": entries,
    }


def free_spans(
    shift: tuple[datetime, datetime], taken: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of `shift` outside every `taken` span (visits, time off), in order."""
    spans = []
    cursor = shift[0]
    for start, end in sorted(taken):
        if start > cursor:
            spans.append((cursor, min(start, shift[1])))
        cursor = max(cursor, end)
        if cursor >= shift[1]:
            break
    if cursor < shift[1]:
        spans.append((cursor, shift[1]))
    return [(start, end) for start, end in spans if start < end]
