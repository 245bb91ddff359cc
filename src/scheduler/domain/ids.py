"""Identifiers of the clinic's records.

Every record is an event-sourced aggregate named by a UUID. `NewType`s keep a therapist's
id from being passed where a patient's is expected. The two day aggregates have
*derived* ids (uuid5 of the owner and the local date), so every writer that books the same
therapist on the same day loads and saves the very same aggregate: that shared version
number is what makes double booking impossible.
"""

from __future__ import annotations

from datetime import date
from typing import NewType
from uuid import UUID, uuid5

ClinicId = NewType("ClinicId", UUID)
TherapistId = NewType("TherapistId", UUID)
PatientId = NewType("PatientId", UUID)
PlanId = NewType("PlanId", UUID)
SessionId = NewType("SessionId", UUID)
PrescriptionId = NewType("PrescriptionId", UUID)

# Fixed namespace: changing it would orphan every stored day aggregate.
_DAY_NAMESPACE = UUID("6f1d3c52-8a4e-4d0b-9a57-2c1e0b7d9e11")


def therapist_day_id(therapist_id: UUID, local_date: date) -> UUID:
    """The id of a therapist's day (the clinic's local calendar date)."""
    return uuid5(_DAY_NAMESPACE, f"therapist/{therapist_id}/{local_date.isoformat()}")


def patient_day_id(patient_id: UUID, local_date: date) -> UUID:
    """The id of a patient's day (the clinic's local calendar date)."""
    return uuid5(_DAY_NAMESPACE, f"patient/{patient_id}/{local_date.isoformat()}")


def directory_id(clinic_id: UUID) -> UUID:
    """The id of a clinic's directory (its lists of therapists, patients and plans)."""
    return uuid5(_DAY_NAMESPACE, f"directory/{clinic_id}")
