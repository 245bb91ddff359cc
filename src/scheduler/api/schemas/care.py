"""Bodies of the care process: the evaluation visit, the evaluation, the prescription,
the treatment plan and its changes, reassessments and progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from scheduler.api.schemas.people import Reason, Specialization
from scheduler.api.schemas.records import Pain, Plan
from scheduler.api.schemas.types import Day, Instant
from scheduler.usecases.clinical import (
    Evaluation,
    PlanProgress,
    PlanRequest,
)
from scheduler.usecases.clinical import Prescription as PrescriptionRequest
from scheduler.usecases.evaluations import EvaluationOption

ClinicalText = Annotated[str, msgspec.Meta(max_length=5000)]
Flag = Annotated[str, msgspec.Meta(min_length=1, max_length=60, examples=["acute_dvt"])]
Setting = Literal["clinic", "home"]


class EvaluationSlot(msgspec.Struct):
    """A time the evaluation visit can be booked, and with whom."""

    therapist_id: UUID
    therapist_name: str
    start: datetime
    end: datetime

    @classmethod
    def of(cls, option: EvaluationOption) -> EvaluationSlot:
        """From the use case's option."""
        return cls(option.therapist_id, option.therapist_name, option.start, option.end)


class BookEvaluation(msgspec.Struct, forbid_unknown_fields=True):
    """Book the patient's initial evaluation (one of the offered slots)."""

    therapist_id: UUID
    start: Instant
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=300, examples=["low back pain"])]
    setting: Setting = "clinic"


class Findings(msgspec.Struct, forbid_unknown_fields=True):
    """What the therapist found: pain 0-10, contraindication flags, findings."""

    condition: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    pain_level: Pain
    contraindications: Annotated[list[Flag], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    findings: ClinicalText = ""
    notes: ClinicalText = ""
    recommended: Specialization | None = None


class RecordEvaluation(Findings, forbid_unknown_fields=True):
    """The evaluation; with `visit` (the patient's evaluation visit, once started) it
    completes that visit."""

    visit: UUID | None = None

    def evaluation(self) -> Evaluation:
        """As the use-case layer takes it."""
        return Evaluation(
            condition=self.condition,
            pain_level=self.pain_level,
            contraindications=tuple(self.contraindications),
            findings=self.findings,
            notes=self.notes,
            recommended=self.recommended,
        )


class NewPrescription(msgspec.Struct, forbid_unknown_fields=True):
    """A prescription or referral, as the prescriber wrote it."""

    condition: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    authorized_sessions: Annotated[int, msgspec.Meta(ge=1, le=200)]
    expires_on: Day
    prescriber: Annotated[str, msgspec.Meta(max_length=200)] = ""
    npi: Annotated[str, msgspec.Meta(max_length=10, examples=["1234567893"])] | None = None
    icd10: Annotated[str, msgspec.Meta(max_length=10, examples=["G35"])] | None = None
    authorization_number: Annotated[str, msgspec.Meta(max_length=60)] | None = None

    def prescription(self) -> PrescriptionRequest:
        """As the use-case layer takes it."""
        return PrescriptionRequest(
            condition=self.condition,
            authorized_sessions=self.authorized_sessions,
            expires_on=self.expires_on,
            prescriber=self.prescriber,
            icd10=self.icd10,
            npi=self.npi,
            authorization_number=self.authorization_number,
        )


class Renewal(msgspec.Struct, forbid_unknown_fields=True):
    """The payer renewed the authorization: sessions in total, and the new expiry."""

    authorized_sessions: Annotated[int, msgspec.Meta(ge=1, le=200)]
    expires_on: Day
    authorization_number: Annotated[str, msgspec.Meta(max_length=60)] | None = None
    reason: Reason = ""


class NewPlan(msgspec.Struct, forbid_unknown_fields=True):
    """A treatment plan under one of the patient's prescriptions: what, how many
    sessions of how long, how often (min..max days apart), where, with whom."""

    prescription_id: UUID
    specialization: Specialization
    sessions: Annotated[int, msgspec.Meta(ge=1, le=100)]
    session_minutes: Annotated[int, msgspec.Meta(ge=15, le=180)]
    min_days: Annotated[int, msgspec.Meta(ge=0, le=90)]
    max_days: Annotated[int, msgspec.Meta(ge=0, le=90)]
    setting: Setting
    preferred_therapist: UUID | None = None

    def request(self) -> PlanRequest:
        """As the use-case layer takes it."""
        return PlanRequest(
            prescription_id=self.prescription_id,
            specialization=self.specialization,
            sessions=self.sessions,
            session_minutes=self.session_minutes,
            min_days=self.min_days,
            max_days=self.max_days,
            setting=self.setting,
            preferred_therapist=self.preferred_therapist,
        )


class PlanChange(msgspec.Struct, forbid_unknown_fields=True):
    """One change to a plan, with its reason: `cadence` (min_days, max_days), `add` or
    `remove` (count sessions), `pause`, `resume`, `switch` (therapist_id, or null for
    none), `discharge` (summary)."""

    change: Literal["cadence", "add", "remove", "pause", "resume", "switch", "discharge"]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    min_days: Annotated[int, msgspec.Meta(ge=0, le=90)] = 0
    max_days: Annotated[int, msgspec.Meta(ge=0, le=90)] = 0
    count: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    therapist_id: UUID | None = None
    summary: ClinicalText = ""


class PainReading(msgspec.Struct):
    """One reading of the patient's pain: an evaluation, a reassessment or a session's."""

    at: datetime
    pain: int
    source: str


class Progress(msgspec.Struct):
    """A plan, its completed sessions and the pain trend, oldest first."""

    plan: Plan
    completed: int
    pain: list[PainReading]

    @classmethod
    def of(cls, progress: PlanProgress) -> Progress:
        """From the use case's progress."""
        return cls(
            plan=Plan.of(progress.plan),
            completed=progress.completed,
            pain=[PainReading(p.at, p.pain, p.source) for p in progress.pain],
        )
