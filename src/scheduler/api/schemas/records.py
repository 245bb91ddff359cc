"""Bodies of the clinic's records: plans, sessions, calendars, the board and history.

Built from the domain's views by the `of` constructors, so a change of the domain's
views never changes the API's contract by accident. Times are given twice: the UTC
instant and the same instant in the clinic's zone (`*_local`, with its offset).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from scheduler.api.schemas.types import Day, Instant  # noqa: F401 - request fields
from scheduler.domain import HistoryEntry, PlanView, SessionView, TherapistView

Reason = Annotated[str, msgspec.Meta(max_length=500)]
Overrides = dict[
    Literal["cadence", "in_the_past"], Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
]
"""Front desk only: a rule set aside (`cadence`, or `in_the_past` to back-fill a visit
that took place) and why; recorded on the session's event."""
Note = Annotated[str, msgspec.Meta(max_length=5000)]


def rules_of(overrides: Overrides | None) -> dict[str, str] | None:
    """The overrides as the use-case layer takes them (rule code → reason)."""
    return {str(rule): reason for rule, reason in overrides.items()} if overrides else None


Pain = Annotated[int, msgspec.Meta(ge=0, le=10)]


class Coordinates(msgspec.Struct):
    """A place on the map."""

    latitude: float
    longitude: float

    @classmethod
    def of(cls, point: tuple[float, float]) -> Coordinates:
        """From a (latitude, longitude) pair."""
        return cls(point[0], point[1])


class Plan(msgspec.Struct):
    """A treatment plan: what is treated, how often, and how far along it is."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    condition: str
    specialization: str
    setting: str
    status: str
    sessions: int
    sessions_held: int
    session_minutes: int
    min_days: int
    max_days: int
    authorized_sessions: int
    expires_on: date
    preferred_therapist: UUID | None
    session_ids: list[UUID]
    prescription_id: UUID
    sessions_left: int
    flagged: list[UUID]

    @classmethod
    def of(cls, view: PlanView) -> Plan:
        """From the domain's plan view."""
        return cls(
            id=view.id,
            clinic_id=view.clinic_id,
            patient_id=view.patient_id,
            condition=view.condition,
            specialization=view.specialization,
            setting=view.setting,
            status=view.status,
            sessions=view.sessions,
            sessions_held=view.sessions_held,
            session_minutes=view.session_minutes,
            min_days=view.min_days,
            max_days=view.max_days,
            authorized_sessions=view.authorized_sessions,
            expires_on=view.expires_on,
            preferred_therapist=view.preferred_therapist,
            session_ids=list(view.session_ids),
            prescription_id=view.prescription_id,
            sessions_left=view.sessions_left,
            flagged=list(view.flagged),
        )


class Session(msgspec.Struct):
    """A session: who, when, where, and how it ended."""

    id: UUID
    clinic_id: UUID
    kind: Literal["treatment", "evaluation"]
    plan_id: UUID | None
    patient_id: UUID
    therapist_id: UUID
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    location: Coordinates
    setting: str
    status: str
    late_cancel: bool | None
    progress_note: dict[str, Any] | None
    amendments: list[dict[str, Any]]
    flags: list[str]
    pinned: bool
    number: int
    reassessment: bool
    visit_reason: str

    @classmethod
    def of(cls, view: SessionView) -> Session:
        """From the domain's session view."""
        return cls(
            id=view.id,
            clinic_id=view.clinic_id,
            plan_id=view.plan_id,
            patient_id=view.patient_id,
            therapist_id=view.therapist_id,
            start=view.start,
            end=view.end,
            start_local=view.start_local,
            end_local=view.end_local,
            location=Coordinates.of(view.location),
            setting=view.setting,
            status=view.status,
            late_cancel=view.late_cancel,
            progress_note=view.progress_note,
            amendments=[dict(entry) for entry in view.amendments],
            flags=list(view.flags),
            pinned=view.pinned,
            kind=view.kind,  # type: ignore[arg-type]
            number=view.number,
            reassessment=view.reassessment,
            visit_reason=view.visit_reason,
        )


class BookSession(msgspec.Struct, forbid_unknown_fields=True):
    """Book one session of a plan with a therapist at a time."""

    therapist_id: UUID
    start: Instant
    reason: Reason = ""
    overrides: Overrides | None = None


class MoveSession(msgspec.Struct, forbid_unknown_fields=True):
    """Move a session to another time (and optionally another therapist)."""

    start: Instant
    therapist_id: UUID | None = None
    reason: Reason = ""
    overrides: Overrides | None = None


class CancelSession(msgspec.Struct, forbid_unknown_fields=True):
    """Cancel a session."""

    reason: Reason = ""


class CancelPolicy(msgspec.Struct):
    """The clinic's late-cancellation rule."""

    late_cancel_hours: int
    rule: str


class Cancellation(msgspec.Struct):
    """A cancelled session, whether it was late, and the rule that decided it."""

    session: Session
    late_cancel: bool
    policy: CancelPolicy


class Reassessment(msgspec.Struct, forbid_unknown_fields=True):
    """A reassessment session's short re-evaluation (the plan's condition is kept)."""

    pain_level: Pain
    contraindications: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=60)]], msgspec.Meta(max_length=20)
    ] = msgspec.field(default_factory=list)
    findings: Note = ""
    notes: Note = ""


class CompleteSession(msgspec.Struct, forbid_unknown_fields=True):
    """The therapist's progress note on a held session (required); a reassessment
    session (`reassessment: true` on the session) also needs its re-evaluation."""

    note: Note
    pain_before: Pain
    pain_after: Pain
    reassessment: Reassessment | None = None


class AmendNote(msgspec.Struct, forbid_unknown_fields=True):
    """A correction of a completed session's note; the original stays in its history."""

    note: Note
    pain_before: Pain
    pain_after: Pain
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class NoShow(msgspec.Struct, forbid_unknown_fields=True):
    """Mark a session as missed by the patient."""

    reason: Reason = ""


class Therapist(msgspec.Struct):
    """A therapist of the clinic."""

    id: UUID
    clinic_id: UUID
    name: str
    specializations: list[str]
    mobile: bool
    home: Coordinates | None
    shifts: dict[str, list[int]]
    max_visits_per_day: int

    @classmethod
    def of(cls, view: TherapistView) -> Therapist:
        """From the domain's therapist view."""
        return cls(
            id=view.id,
            clinic_id=view.clinic_id,
            name=view.name,
            specializations=list(view.specializations),
            mobile=view.mobile,
            home=Coordinates.of(view.home) if view.home else None,
            shifts={day: list(window) for day, window in view.shifts.items()},
            max_visits_per_day=view.max_visits_per_day,
        )


class Visit(msgspec.Struct):
    """One stop of a therapist's day, with the drive to it from the previous stop."""

    session_id: UUID
    start_local: datetime
    end_local: datetime
    location: Coordinates
    travel_minutes: int
    travel_km: float
    patient_id: UUID | None = None
    patient_name: str | None = None
    condition: str | None = None
    specialization: str | None = None
    setting: str | None = None
    contraindications: list[str] | None = None
    flags: list[str] = msgspec.field(default_factory=list)
    """Contraindications of a newer evaluation that rule this booked visit out."""
    pinned: bool | None = None
    """True when a dispatcher pinned the visit (no optimization moves it); None on a
    board as it was at an earlier time."""


class Route(msgspec.Struct):
    """A therapist's day in visit order: shift, start and end of the route, visits."""

    therapist_id: UUID
    therapist_name: str
    day: date
    shift_start_local: datetime | None
    shift_end_local: datetime | None
    base: Coordinates
    visits: list[Visit]
    return_minutes: int
    return_km: float
    unavailable: list[dict[str, Any]]


class Board(msgspec.Struct):
    """The clinic's day: one route per therapist, as it stands (or stood at `as_of`)."""

    clinic_id: UUID
    day: date
    timezone: str
    as_of: datetime | None
    routes: list[Route]


class Week(msgspec.Struct):
    """A therapist's seven days from `start`."""

    therapist_id: UUID
    start: date
    timezone: str
    days: list[Route]


class Event(msgspec.Struct):
    """One event of a record's history."""

    version: int
    event: str
    actor: str | None
    at: datetime | None
    reason: str | None
    recorded_at: datetime
    data: dict[str, Any]

    @classmethod
    def of(cls, entry: HistoryEntry) -> Event:
        """From the domain's history entry."""
        return cls(
            version=entry.version,
            event=entry.event,
            actor=entry.actor,
            at=entry.at,
            reason=entry.reason,
            recorded_at=entry.recorded_at,
            data=msgspec.to_builtins(entry.data, builtin_types=(datetime, date, UUID)),
        )


class Reauthorization(msgspec.Struct):
    """A prescription whose re-authorization is due (two or fewer sessions left)."""

    patient_id: UUID
    patient_name: str
    prescription_id: UUID
    condition: str
    authorized_sessions: int
    sessions_left: int
    expires_on: date
    authorization_number: str | None
