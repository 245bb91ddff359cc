"""Patients: contact, home, their evaluations and their prescriptions (referrals)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import InvalidPainLevel, UnknownPrescription


def pain_level(value: int, what: str = "pain level") -> int:
    """A validated pain level on the 0-10 scale; InvalidPainLevel otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise InvalidPainLevel(f"{what} must be a whole number from 0 to 10, got {value!r}")
    return value


class Patient(Aggregate):
    """A patient of one clinic, with the evaluations and prescriptions treatment needs."""

    @event("Registered")
    def __init__(
        self,
        *,
        clinic_id: UUID,
        name: str,
        phone: str,
        email: str,
        home_latitude: float,
        home_longitude: float,
        actor: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.name = name
        self.phone = phone
        self.email = email
        self.home_latitude = home_latitude
        self.home_longitude = home_longitude
        self.evaluations: list[dict[str, Any]] = []
        self.prescriptions: dict[UUID, dict[str, Any]] = {}
        self.plans: list[UUID] = []

    @property
    def home(self) -> tuple[float, float]:
        """Where home visits take place."""
        return (self.home_latitude, self.home_longitude)

    @property
    def latest_evaluation(self) -> dict[str, Any] | None:
        """The most recent completed evaluation, if any."""
        return self.evaluations[-1] if self.evaluations else None

    def prescription(self, prescription_id: UUID) -> dict[str, Any]:
        """The prescription with this id; UnknownPrescription otherwise."""
        try:
            return self.prescriptions[prescription_id]
        except KeyError:
            raise UnknownPrescription(
                f"patient {self.id} has no prescription {prescription_id}: record it first"
            ) from None

    @event("Evaluated")
    def evaluate(
        self,
        *,
        condition: str,
        pain_level: int,
        contraindications: list[str],
        notes: str,
        actor: str,
        at: datetime,
    ) -> None:
        """Record a completed evaluation (values already validated)."""
        self.evaluations.append(
            {
                "condition": condition,
                "pain_level": pain_level,
                "contraindications": list(contraindications),
                "notes": notes,
                "evaluated_by": actor,
                "evaluated_at": at,
            }
        )

    @event("PrescriptionRecorded")
    def record_prescription(
        self,
        *,
        prescription_id: UUID,
        condition: str,
        authorized_sessions: int,
        expires_on: date,
        prescriber: str,
        actor: str,
        at: datetime,
    ) -> None:
        """Record a prescription or referral authorizing a number of sessions."""
        self.prescriptions[prescription_id] = {
            "id": prescription_id,
            "condition": condition,
            "authorized_sessions": authorized_sessions,
            "expires_on": expires_on,
            "prescriber": prescriber,
            "recorded_at": at,
        }

    @event("PlanStarted")
    def start_plan(self, plan_id: UUID, actor: str, at: datetime) -> None:
        """Note a new treatment plan, so the patient's sessions can be listed."""
        self.plans.append(plan_id)
