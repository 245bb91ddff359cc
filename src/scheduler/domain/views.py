"""What the `Scheduling` application returns: frozen dataclasses of plain values.

They are copies, never live aggregates, so a caller (the HTTP API, the CLI) cannot
change the clinic's records by accident. Instants are UTC; `*_local` fields are the
same instants in the clinic's zone. Values the rules derive (a therapist's route base,
a plan's sessions left, a patient's contraindications) are computed here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from scheduler.domain.model.proposal import ItemOutcome, ProposalItem, UnplacedItem


@dataclass(frozen=True)
class ClinicView:
    """A clinic and its booking policies."""

    id: UUID
    name: str
    address: str
    location: tuple[float, float]
    timezone: str
    travel_speed_kmh: float
    late_cancel_hours: int
    slot_minutes: int = 15
    offer_hours: int = 2
    reassessment_every: int = 6
    evaluation_minutes: int = 60
    condition_map: dict[str, list[str]] = field(default_factory=dict)
    reminder_hours: int | None = None  # None: the deployment's
    quiet_hours: tuple[int, int] | None = None  # (start, end) local hours; None: the deployment's


@dataclass(frozen=True)
class TherapistView:
    """A therapist: skills, base, weekly shifts (minutes after local midnight), time off."""

    id: UUID
    clinic_id: UUID
    name: str
    specializations: tuple[str, ...]
    mobile: bool
    home: tuple[float, float] | None
    shifts: dict[str, tuple[int, int]]
    max_visits_per_day: int
    time_off: tuple[dict[str, Any], ...]
    base: tuple[float, float] = (0.0, 0.0)  # where the route starts and ends
    phone: str = ""
    active: bool = True
    shift_requests: tuple[dict[str, Any], ...] = ()  # with "id", "status", "shifts"…


@dataclass(frozen=True)
class PrescriptionView:
    """A prescription: condition, authorized sessions (held across its plans), expiry."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    condition: str
    icd10: str | None
    authorized_sessions: int
    held: int
    left: int
    expires_on: date
    prescriber: str
    npi: str | None
    authorization_number: str | None
    reauthorization_due: bool
    recorded_at: datetime


@dataclass(frozen=True)
class PatientView:
    """A patient with evaluations (oldest first), prescriptions and plan ids."""

    id: UUID
    clinic_id: UUID
    name: str
    phone: str
    email: str
    home: tuple[float, float]
    evaluations: tuple[dict[str, Any], ...]
    prescriptions: tuple[PrescriptionView, ...]
    plans: tuple[UUID, ...]
    address: str = ""
    availability: dict[str, list[list[int]]] = field(default_factory=dict)
    home_located: bool = True  # False: the address is not on the map yet
    intake: dict[str, Any] | None = None
    evaluation_visit: UUID | None = None  # the one booked now, if any
    evaluation_visits: tuple[UUID, ...] = ()  # every one ever booked

    @property
    def latest_evaluation(self) -> dict[str, Any] | None:
        """The evaluation that governs bookings, if any."""
        return self.evaluations[-1] if self.evaluations else None

    @property
    def contraindications(self) -> tuple[str, ...]:
        """The flags of the latest evaluation."""
        latest = self.latest_evaluation
        return tuple(latest["contraindications"]) if latest else ()


@dataclass(frozen=True)
class PlanView:
    """A treatment plan, how far along it is, and what may still be booked on it."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    prescription_id: UUID
    condition: str
    specialization: str
    sessions: int
    session_minutes: int
    min_days: int
    max_days: int
    setting: str
    preferred_therapist: UUID | None
    authorized_sessions: int
    expires_on: date
    status: str
    sessions_held: int
    session_ids: tuple[UUID, ...]
    sessions_left: int = 0  # bookable now: planned and authorized both
    contraindications: tuple[str, ...] = ()
    flagged: tuple[UUID, ...] = ()
    location: tuple[float, float] = (0.0, 0.0)
    summary: str = ""  # the discharge summary
    displaced: tuple[UUID, ...] = ()  # held sessions a sick call took the time of
    postponed: tuple[UUID, ...] = ()  # of those, the ones the re-plan could not place


@dataclass(frozen=True)
class SessionView:
    """A session: who, when (UTC and clinic-local), where, and how it ended."""

    id: UUID
    clinic_id: UUID
    plan_id: UUID | None  # None: an evaluation visit
    patient_id: UUID
    therapist_id: UUID
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    location: tuple[float, float]
    setting: str
    status: str
    late_cancel: bool | None
    progress_note: dict[str, Any] | None
    amendments: tuple[dict[str, Any], ...] = ()
    flags: tuple[str, ...] = ()
    pinned: bool = False
    kind: str = "treatment"  # or "evaluation"
    visit_reason: str = ""  # an evaluation visit's: what the patient comes for
    number: int = 0  # a treatment session's place in its plan
    reassessment: bool = False
    displaced_by: UUID | None = None  # the sick call that took its time (status displaced)


@dataclass(frozen=True)
class VisitView:
    """One visit on a therapist's day."""

    session_id: UUID
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    location: tuple[float, float]


@dataclass(frozen=True)
class DayView:
    """A therapist's day: visits in start order and any time off."""

    therapist_id: UUID
    day: date
    timezone: str
    shift: tuple[datetime, datetime] | None
    visits: tuple[VisitView, ...] = ()
    unavailable: tuple[dict[str, Any], ...] = ()
    version: int = 0


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a record's history: what happened, who did it, when and why."""

    version: int
    event: str
    actor: str | None
    at: datetime | None
    reason: str | None
    recorded_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProposalView:
    """A proposal as stored."""

    id: UUID
    clinic_id: UUID
    first_day: date
    last_day: date
    purpose: str
    status: str
    items: tuple[ProposalItem, ...]
    unplaced: tuple[UnplacedItem, ...]
    plans: dict[str, list[str]]
    summary: dict[str, Any]
    proposed_by: str
    proposed_at: datetime
    outcomes: tuple[ItemOutcome, ...]
