"""The clinic (where, which zone, its policies) and its directory of people and plans."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from scheduler.domain.ids import directory_id


class Clinic(Aggregate):
    """A clinic: address, location, IANA time zone and the policies bookings follow.

    `travel_speed_kmh` feeds the travel rule between home visits; a cancellation less
    than `late_cancel_hours` before the session starts is flagged late; patients book
    starts on a grid of `slot_minutes`; a waitlist offer is open `offer_hours`; a plan's
    every `reassessment_every`-th session is a reassessment (0: none); an initial
    evaluation takes `evaluation_minutes`. `condition_map`
    extends the default conditions-to-specializations table (`rules/conditions.py`).
    The zone is fixed at registration: sessions are filed under local dates.
    """

    class Registered(Aggregate.Created):
        name: str
        address: str
        latitude: float
        longitude: float
        timezone: str
        travel_speed_kmh: float
        late_cancel_hours: int
        slot_minutes: int
        offer_hours: int
        reassessment_every: int
        evaluation_minutes: int
        actor: str
        at: datetime

    @event(Registered)
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
        slot_minutes: int,
        offer_hours: int,
        reassessment_every: int,
        evaluation_minutes: int,
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
        self.slot_minutes = slot_minutes
        self.offer_hours = offer_hours
        self.reassessment_every = reassessment_every
        self.evaluation_minutes = evaluation_minutes
        self.condition_map: dict[str, list[str]] = {}
        # None: the deployment's (SCHEDULER_REMINDER_HOURS, SCHEDULER_QUIET_HOURS).
        self.reminder_hours: int | None = None
        self.quiet_hours: tuple[int, int] | None = None
        self.registered_by = actor
        self.registered_at = at

    @property
    def location(self) -> tuple[float, float]:
        """(latitude, longitude) of the clinic's treatment rooms."""
        return (self.latitude, self.longitude)

    class PoliciesChanged(Aggregate.Event):
        name: str
        address: str
        latitude: float
        longitude: float
        travel_speed_kmh: float
        late_cancel_hours: int
        slot_minutes: int
        offer_hours: int
        reassessment_every: int
        evaluation_minutes: int
        actor: str
        reason: str
        at: datetime

    @event(PoliciesChanged)
    def change_policies(
        self,
        *,
        name: str,
        address: str,
        latitude: float,
        longitude: float,
        travel_speed_kmh: float,
        late_cancel_hours: int,
        slot_minutes: int,
        offer_hours: int,
        reassessment_every: int,
        evaluation_minutes: int,
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        """Replace the clinic's details and policies (values already validated)."""
        self.name, self.address = name, address
        self.latitude, self.longitude = latitude, longitude
        self.travel_speed_kmh = travel_speed_kmh
        self.late_cancel_hours = late_cancel_hours
        self.slot_minutes = slot_minutes
        self.offer_hours = offer_hours
        self.reassessment_every = reassessment_every
        self.evaluation_minutes = evaluation_minutes

    class ConditionMapped(Aggregate.Event):
        phrase: str
        specializations: list[str]
        actor: str
        at: datetime

    @event(ConditionMapped)
    def map_condition(
        self, *, phrase: str, specializations: list[str], actor: str, at: datetime
    ) -> None:
        """Let plans of `specializations` treat conditions that mention `phrase`."""
        self.condition_map[phrase] = list(specializations)

    class RemindersSet(Aggregate.Event):
        reminder_hours: int | None
        quiet_start: int | None
        quiet_end: int | None
        actor: str
        at: datetime

    @event(RemindersSet)
    def set_reminders(
        self,
        *,
        reminder_hours: int | None,
        quiet_start: int | None,
        quiet_end: int | None,
        actor: str,
        at: datetime,
    ) -> None:
        """How long before a visit its reminder goes, and the local hours none is sent
        in; None keeps the deployment's value (values already validated)."""
        self.reminder_hours = reminder_hours
        self.quiet_hours = (
            None if quiet_start is None or quiet_end is None else (quiet_start, quiet_end)
        )


class ClinicDirectory(Aggregate):
    """Who and what belongs to a clinic: ids of its therapists, patients and plans.

    A small index saved in the same transaction as the record it lists, so a list is
    never missing a record that exists (nor names one that does not).
    """

    @staticmethod
    def create_id(clinic_id: UUID) -> UUID:
        """One directory per clinic, found from the clinic's id alone."""
        return directory_id(clinic_id)

    class Opened(Aggregate.Created):
        clinic_id: UUID
        at: datetime

    @event(Opened)
    def __init__(self, *, clinic_id: UUID, at: datetime) -> None:
        self.clinic_id = clinic_id
        self.therapists: list[UUID] = []
        self.patients: list[UUID] = []
        self.plans: list[UUID] = []

    class TherapistListed(Aggregate.Event):
        therapist_id: UUID
        at: datetime

    @event(TherapistListed)
    def list_therapist(self, therapist_id: UUID, at: datetime) -> None:
        """Add a newly registered therapist."""
        self.therapists.append(therapist_id)

    class PatientListed(Aggregate.Event):
        patient_id: UUID
        at: datetime

    @event(PatientListed)
    def list_patient(self, patient_id: UUID, at: datetime) -> None:
        """Add a newly registered patient."""
        self.patients.append(patient_id)

    class PlanListed(Aggregate.Event):
        plan_id: UUID
        at: datetime

    @event(PlanListed)
    def list_plan(self, plan_id: UUID, at: datetime) -> None:
        """Add a newly created treatment plan."""
        self.plans.append(plan_id)


class ClinicRegistry(Aggregate):
    """Every clinic of the service: the one list a sign-up page chooses from."""

    @staticmethod
    def create_id() -> UUID:
        """One registry per service."""
        return uuid5(directory_id(UUID(int=0)), "clinic-registry")

    class Opened(Aggregate.Created):
        at: datetime

    @event(Opened)
    def __init__(self, *, at: datetime) -> None:
        self.clinics: list[UUID] = []

    class ClinicListed(Aggregate.Event):
        clinic_id: UUID
        at: datetime

    @event(ClinicListed)
    def list_clinic(self, clinic_id: UUID, at: datetime) -> None:
        """Add a newly opened clinic."""
        self.clinics.append(clinic_id)
