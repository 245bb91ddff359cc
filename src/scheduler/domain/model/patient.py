"""Patients: contact, home, when they can be seen, their evaluations and prescriptions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import InvalidInput
from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.timekeeping import MINUTES_PER_DAY

WeeklyWindows = dict[str, list[list[int]]]
"""Weekday key ('mon'…) → [[start, end], …] minutes after local midnight."""

MAX_WINDOWS_A_DAY = 6


def weekly_windows(pattern: Mapping[str, Sequence[Sequence[int]]]) -> WeeklyWindows:
    """Validated weekly availability: per weekday, sorted non-overlapping [start, end]
    windows of local minutes; InvalidInput says which day is malformed."""
    result: WeeklyWindows = {}
    for day, windows in pattern.items():
        if day not in WEEKDAYS:
            raise InvalidInput(f"unknown weekday {day!r} in availability: use {list(WEEKDAYS)}")
        if len(windows) > MAX_WINDOWS_A_DAY:
            raise InvalidInput(f"at most {MAX_WINDOWS_A_DAY} windows on {day}")
        spans: list[list[int]] = []
        for window in windows:
            if len(window) != 2 or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in window
            ):
                raise InvalidInput(f"a window on {day} must be [start, end] minutes: {window!r}")
            if not 0 <= window[0] < window[1] <= MINUTES_PER_DAY:
                raise InvalidInput(
                    f"the window {window[0]}-{window[1]} on {day} must lie within the day "
                    "(0-1440 minutes) and end after it starts"
                )
            spans.append([window[0], window[1]])
        spans.sort()
        for first, second in pairwise(spans):
            if second[0] < first[1]:
                raise InvalidInput(f"windows on {day} overlap: merge them into one")
        if spans:
            result[day] = spans
    return result


class Patient(Aggregate):
    """A patient of one clinic, with the evaluations and prescriptions treatment needs.

    `availability` is when the patient can be seen each week (empty: any time a
    therapist works); it feeds the booking options, the optimizer and re-plans. The
    intake is the patient's own health questionnaire, filled before the first visit; the
    evaluation visit booked for them (at most one at a time) is `evaluation_visit`.
    """

    @staticmethod
    def create_id(patient_id: UUID) -> UUID:
        """Chosen by the command, so a sign-up can open the account first."""
        return patient_id

    class Registered(Aggregate.Created):
        patient_id: UUID
        clinic_id: UUID
        name: str
        phone: str
        email: str
        address: str
        home_latitude: float
        home_longitude: float
        home_located: bool
        availability: WeeklyWindows
        actor: str
        at: datetime

    @event(Registered)
    def __init__(
        self,
        *,
        patient_id: UUID,
        clinic_id: UUID,
        name: str,
        phone: str,
        email: str,
        address: str,
        home_latitude: float,
        home_longitude: float,
        home_located: bool,
        availability: WeeklyWindows,
        actor: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.name = name
        self.phone = phone
        self.email = email
        self.address = address
        self.home_latitude = home_latitude
        self.home_longitude = home_longitude
        # False: the address was not found on the map yet (no home visit until it is).
        self.home_located = home_located
        self.availability = {day: [list(w) for w in ws] for day, ws in availability.items()}
        self.evaluations: list[dict[str, Any]] = []
        self.prescriptions: list[UUID] = []
        self.plans: list[UUID] = []
        self.intake: dict[str, Any] | None = None
        self.evaluation_visit: UUID | None = None
        self.evaluation_visits: list[UUID] = []  # every one ever booked

    @property
    def home(self) -> tuple[float, float]:
        """Where home visits take place."""
        return (self.home_latitude, self.home_longitude)

    @property
    def latest_evaluation(self) -> dict[str, Any] | None:
        """The most recent completed evaluation, if any."""
        return self.evaluations[-1] if self.evaluations else None

    class DetailsChanged(Aggregate.Event):
        name: str
        phone: str
        email: str
        address: str
        home_latitude: float
        home_longitude: float
        home_located: bool
        actor: str
        at: datetime

    @event(DetailsChanged)
    def change_details(
        self,
        *,
        name: str,
        phone: str,
        email: str,
        address: str,
        home_latitude: float,
        home_longitude: float,
        home_located: bool,
        actor: str,
        at: datetime,
    ) -> None:
        """New contact details or home (plans read the home when created)."""
        self.name, self.phone, self.email, self.address = name, phone, email, address
        self.home_latitude, self.home_longitude = home_latitude, home_longitude
        self.home_located = home_located

    class AvailabilityChanged(Aggregate.Event):
        availability: WeeklyWindows
        actor: str
        at: datetime

    @event(AvailabilityChanged)
    def change_availability(self, availability: WeeklyWindows, actor: str, at: datetime) -> None:
        """When the patient can be seen each week, from now on."""
        self.availability = {day: [list(w) for w in ws] for day, ws in availability.items()}

    class IntakeSubmitted(Aggregate.Event):
        answers: dict[str, bool]
        conditions: str
        medications: str
        pregnant: bool
        recent_surgery: str
        suggested: list[str]
        actor: str
        at: datetime

    @event(IntakeSubmitted)
    def submit_intake(
        self,
        *,
        answers: dict[str, bool],
        conditions: str,
        medications: str,
        pregnant: bool,
        recent_surgery: str,
        suggested: list[str],
        actor: str,
        at: datetime,
    ) -> None:
        """The patient's health questionnaire, and the flags its answers suggest."""
        self.intake = {
            "answers": dict(answers),
            "conditions": conditions,
            "medications": medications,
            "pregnant": pregnant,
            "recent_surgery": recent_surgery,
            "suggested": list(suggested),
            "submitted_at": at,
        }

    class EvaluationVisitBooked(Aggregate.Event):
        session_id: UUID | None
        actor: str
        at: datetime

    @event(EvaluationVisitBooked)
    def note_evaluation_visit(self, session_id: UUID | None, actor: str, at: datetime) -> None:
        """The evaluation visit booked for the patient (None: none booked any more)."""
        self.evaluation_visit = session_id
        if session_id is not None and session_id not in self.evaluation_visits:
            self.evaluation_visits.append(session_id)

    class Evaluated(Aggregate.Event):
        kind: str
        condition: str
        pain_level: int
        contraindications: list[str]
        notes: str
        findings: str
        recommended: str | None
        session_id: UUID | None
        actor: str
        at: datetime

    @event(Evaluated)
    def evaluate(
        self,
        *,
        kind: str,
        condition: str,
        pain_level: int,
        contraindications: list[str],
        notes: str,
        findings: str,
        recommended: str | None,
        session_id: UUID | None,
        actor: str,
        at: datetime,
    ) -> None:
        """Record a completed evaluation or reassessment (values already validated)."""
        self.evaluations.append(
            {
                "kind": kind,
                "condition": condition,
                "pain_level": pain_level,
                "contraindications": list(contraindications),
                "notes": notes,
                "findings": findings,
                "recommended": recommended,
                "session_id": session_id,
                "evaluated_by": actor,
                "evaluated_at": at,
            }
        )
        if session_id is not None and session_id == self.evaluation_visit:
            self.evaluation_visit = None

    class PrescriptionRecorded(Aggregate.Event):
        prescription_id: UUID
        actor: str
        at: datetime

    @event(PrescriptionRecorded)
    def record_prescription(self, prescription_id: UUID, actor: str, at: datetime) -> None:
        """Note a prescription (the `Prescription` aggregate holds its terms)."""
        self.prescriptions.append(prescription_id)

    class PlanStarted(Aggregate.Event):
        plan_id: UUID
        actor: str
        at: datetime

    @event(PlanStarted)
    def start_plan(self, plan_id: UUID, actor: str, at: datetime) -> None:
        """Note a new treatment plan, so the patient's sessions can be listed."""
        self.plans.append(plan_id)


_PATIENT_KEY_NAMESPACE = UUID("5f0c2a7e-91d4-4b1e-8a36-c7d0e2f49b18")
"""Fixed: changing it would forget every claimed key."""


def patient_keys(name: str, email: str, phone: str) -> list[str]:
    """What makes two registrations one person at a clinic: the e-mail address, or the
    name with the phone number (family members share phones, not names). A number is
    compared by its last ten digits, so "+1 773 555 0123" is "(773) 555-0123" and
    "+44 20 7946 0018" is "020 7946 0018"."""
    keys = []
    if email.strip():
        keys.append(f"email:{email.strip().lower()}")
    digits = "".join(c for c in phone if c.isdigit())[-10:]
    if digits:
        keys.append(f"phone:{' '.join(name.lower().split())}:{digits}")
    return keys


class PatientKey(Aggregate):
    """One clinic's claim on an e-mail address (or name and phone) for one patient.

    Its id is derived from the clinic and the key, so two registrations of one person
    race for one aggregate and exactly one wins, across processes. A key given up when
    the details change can be claimed again.
    """

    @staticmethod
    def create_id(clinic_id: UUID, key: str) -> UUID:
        """Derived from the clinic and the normalized key."""
        return uuid5(_PATIENT_KEY_NAMESPACE, f"{clinic_id}:{key}")

    class Claimed(Aggregate.Created):
        clinic_id: UUID
        key: str
        patient_id: UUID
        at: datetime

    @event(Claimed)
    def __init__(self, *, clinic_id: UUID, key: str, patient_id: UUID, at: datetime) -> None:
        self.patient_id: UUID | None = patient_id

    class Released(Aggregate.Event):
        at: datetime

    @event(Released)
    def release(self, *, at: datetime) -> None:
        """The patient no longer goes by this key."""
        self.patient_id = None

    class Reclaimed(Aggregate.Event):
        patient_id: UUID
        at: datetime

    @event(Reclaimed)
    def reclaim(self, *, patient_id: UUID, at: datetime) -> None:
        """A patient now goes by this key again."""
        self.patient_id = patient_id
