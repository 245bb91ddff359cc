"""The clinic's records as FHIR R5 resources (the default of `fhir.resources` 8): plain dicts.

A session is an `Appointment`; free time of a therapist is a `Slot` of the therapist's
`Schedule`; several are a `searchset` `Bundle`. Ids are the records' UUIDs, so a
resource is addressable as `Appointment/<session id>`; `meta.versionId` is the
session's version and rises with every change, like the calendar feed's SEQUENCE.
The tests validate every shape with `fhir.resources`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from scheduler.domain import SessionView

FHIR_JSON = "application/fhir+json"

APPOINTMENT_STATUS = {
    "booked": "booked",
    "cancelled": "cancelled",
    "completed": "fulfilled",
    "no_show": "noshow",
}
"""Session status → FHIR Appointment.status."""

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


def bundle(resources: list[dict[str, Any]], base_url: str) -> dict[str, Any]:
    """A searchset Bundle of `resources`, each with its full URL under `base_url`."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {
                "fullUrl": f"{base_url}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
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
