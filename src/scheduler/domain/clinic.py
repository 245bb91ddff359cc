"""The clinic (where, which zone, its policies) and its directory of people and plans."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.ids import directory_id


class Clinic(Aggregate):
    """A clinic: address, location, IANA time zone and the policies bookings follow.

    `travel_speed_kmh` feeds the travel rule between home visits; a cancellation less
    than `late_cancel_hours` before the session starts is flagged late.
    """

    @event("Registered")
    def __init__(
        self,
        *,
        name: str,
        address: str,
        latitude: float,
        longitude: float,
        timezone: str,
        travel_speed_kmh: float,
        late_cancel_hours: int,
        actor: str,
        at: datetime,
    ) -> None:
        self.name = name
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.timezone = timezone
        self.travel_speed_kmh = travel_speed_kmh
        self.late_cancel_hours = late_cancel_hours
        self.registered_by = actor
        self.registered_at = at

    @property
    def location(self) -> tuple[float, float]:
        """(latitude, longitude) of the clinic's treatment rooms."""
        return (self.latitude, self.longitude)


class ClinicDirectory(Aggregate):
    """Who and what belongs to a clinic: ids of its therapists, patients and plans.

    A small index saved in the same transaction as the record it lists, so a list is
    never missing a record that exists (nor names one that does not).
    """

    @staticmethod
    def create_id(clinic_id: UUID) -> UUID:
        """One directory per clinic, found from the clinic's id alone."""
        return directory_id(clinic_id)

    @event("Opened")
    def __init__(self, *, clinic_id: UUID, at: datetime) -> None:
        self.clinic_id = clinic_id
        self.opened_at = at
        self.therapists: list[UUID] = []
        self.patients: list[UUID] = []
        self.plans: list[UUID] = []

    @event("TherapistListed")
    def list_therapist(self, therapist_id: UUID, at: datetime) -> None:
        """Add a newly registered therapist."""
        self.therapists.append(therapist_id)

    @event("PatientListed")
    def list_patient(self, patient_id: UUID, at: datetime) -> None:
        """Add a newly registered patient."""
        self.patients.append(patient_id)

    @event("PlanListed")
    def list_plan(self, plan_id: UUID, at: datetime) -> None:
        """Add a newly created treatment plan."""
        self.plans.append(plan_id)
