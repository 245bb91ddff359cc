"""A treatment session: booked, perhaps moved, then cancelled, completed or missed.

Its events are the session's history: who booked, moved, cancelled or completed it,
when and why, any rule a dispatcher overrode (with the reason), pins, contraindication
flags, and the progress note with every later amendment (the original stays, as in a
signed chart).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import (
    ContraindicationUnresolved,
    SessionNotBooked,
    SessionNotCompleted,
    TooEarly,
)
from scheduler.domain.rules.timing import clock

BOOKED, CANCELLED, COMPLETED, NO_SHOW = "booked", "cancelled", "completed", "no_show"
DISPLACED = "displaced"  # a sick call took its time away: it waits for a new one
TREATMENT, EVALUATION = "treatment", "evaluation"


class Session(Aggregate):
    """One visit with a therapist, at a time and a place: a treatment session of a plan,
    or a new patient's initial evaluation (`kind`), which needs no plan.

    A treatment session knows its number in the plan; every `reassessment_every`-th
    (a clinic policy) is a reassessment, completed with a short re-evaluation.
    """

    class Booked(Aggregate.Created):
        clinic_id: UUID
        kind: str
        plan_id: UUID | None
        patient_id: UUID
        prescription_id: UUID | None
        therapist_id: UUID
        start: datetime
        end: datetime
        therapist_day: date
        patient_day: date
        latitude: float
        longitude: float
        setting: str
        number: int
        reassessment: bool
        visit_reason: str
        overrides: dict[str, str]
        actor: str
        reason: str
        at: datetime

    @event(Booked)
    def __init__(
        self,
        *,
        clinic_id: UUID,
        kind: str,
        plan_id: UUID | None,
        patient_id: UUID,
        prescription_id: UUID | None,
        therapist_id: UUID,
        start: datetime,
        end: datetime,
        therapist_day: date,
        patient_day: date,
        latitude: float,
        longitude: float,
        setting: str,
        number: int,
        reassessment: bool,
        visit_reason: str,
        overrides: dict[str, str],
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.kind = kind
        self.plan_id = plan_id
        self.patient_id = patient_id
        self.prescription_id = prescription_id
        self.therapist_id = therapist_id
        self.start = start
        self.end = end
        self.therapist_day = therapist_day
        self.patient_day = patient_day
        self.latitude = latitude
        self.longitude = longitude
        self.setting = setting
        self.number = number
        self.reassessment = reassessment
        self.visit_reason = visit_reason
        self.status = BOOKED
        self.late_cancel: bool | None = None
        self.progress_note: dict[str, Any] | None = None
        self.amendments: list[dict[str, Any]] = []
        self.pinned = False
        self.flags: list[str] = []
        self.displaced_by: UUID | None = None  # the sick call that took its time away

    @property
    def location(self) -> tuple[float, float]:
        """Where the session takes place (clinic or patient's home)."""
        return (self.latitude, self.longitude)

    def check_booked(self, change: str) -> None:
        """Raise SessionNotBooked unless the session can still be changed."""
        if self.status != BOOKED:
            raise SessionNotBooked(
                f"the session is {self.status.replace('_', '-')}; only a booked session can "
                f"be {change}"
            )

    def check_movable(self, change: str) -> None:
        """Raise SessionNotBooked unless the session is booked or waits for a new time."""
        if self.status != DISPLACED:
            self.check_booked(change)

    def check_started(self, change: str, now: datetime, zone: Any) -> None:
        """Raise TooEarly unless the session has begun by `now` (`zone`: for the message)."""
        if now < self.start:
            raise TooEarly(
                f"the session starts {clock(self.start, zone)}; it can be {change} only once "
                "it has started"
            )

    class Rescheduled(Aggregate.Event):
        therapist_id: UUID
        start: datetime
        end: datetime
        therapist_day: date
        patient_day: date
        overrides: dict[str, str]
        actor: str
        reason: str
        at: datetime

    @event(Rescheduled)
    def reschedule(
        self,
        *,
        therapist_id: UUID,
        start: datetime,
        end: datetime,
        therapist_day: date,
        patient_day: date,
        overrides: dict[str, str],
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        """Move the session (rules already checked on the days involved); a displaced
        session is booked again."""
        self.status = BOOKED
        self.therapist_id = therapist_id
        self.start = start
        self.end = end
        self.therapist_day = therapist_day
        self.patient_day = patient_day

    class Displaced(Aggregate.Event):
        sick_call_id: UUID
        actor: str
        reason: str
        at: datetime

    @event(Displaced)
    def displace(self, sick_call_id: UUID, actor: str, reason: str, at: datetime) -> None:
        """Its therapist is off sick: the session left the day (`therapist_id`, `start`
        keep where it was) and waits for a new time; moving it books it again."""
        self.status = DISPLACED
        self.displaced_by = sick_call_id

    class Cancelled(Aggregate.Event):
        late: bool
        actor: str
        reason: str
        at: datetime

    @event(Cancelled)
    def cancel(self, late: bool, actor: str, reason: str, at: datetime) -> None:
        """Cancel; `late` is computed from the clinic's policy window by the caller."""
        self.status = CANCELLED
        self.late_cancel = late
        self.flags = []

    def complete(
        self, note: str, pain_before: int, pain_after: int, actor: str, at: datetime
    ) -> None:
        """Close with a progress note (never a session a contraindication flags)."""
        if self.flags:
            raise ContraindicationUnresolved(
                f"the latest evaluation rules this session out ({self.flags}): do not treat; "
                "record a no-show or cancel it, or record an evaluation that clears it"
            )
        self._completed(
            note=note, pain_before=pain_before, pain_after=pain_after, actor=actor, at=at
        )

    class Completed(Aggregate.Event):
        note: str
        pain_before: int
        pain_after: int
        actor: str
        at: datetime

    @event(Completed)
    def _completed(
        self, *, note: str, pain_before: int, pain_after: int, actor: str, at: datetime
    ) -> None:
        self.status = COMPLETED
        self.progress_note = {
            "note": note,
            "pain_before": pain_before,
            "pain_after": pain_after,
            "by": actor,
            "at": at,
        }

    def amend_note(
        self, *, note: str, pain_before: int, pain_after: int, actor: str, reason: str, at: datetime
    ) -> None:
        """Correct the progress note of a completed session; the original stays."""
        if self.status != COMPLETED:
            raise SessionNotCompleted(
                f"the session is {self.status.replace('_', '-')}: only a completed session's "
                "note can be amended"
            )
        self._note_amended(
            note=note,
            pain_before=pain_before,
            pain_after=pain_after,
            actor=actor,
            reason=reason,
            at=at,
        )

    class NoteAmended(Aggregate.Event):
        note: str
        pain_before: int
        pain_after: int
        actor: str
        reason: str
        at: datetime

    @event(NoteAmended)
    def _note_amended(
        self,
        *,
        note: str,
        pain_before: int,
        pain_after: int,
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        self.amendments.append(
            {
                "note": note,
                "pain_before": pain_before,
                "pain_after": pain_after,
                "by": actor,
                "reason": reason,
                "at": at,
            }
        )

    class NoShow(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(NoShow)
    def no_show(self, actor: str, reason: str, at: datetime) -> None:
        """The patient did not come (or was not home)."""
        self.status = NO_SHOW
        self.flags = []

    class Pinned(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Pinned)
    def pin(self, actor: str, reason: str, at: datetime) -> None:
        """The dispatcher fixed the session where it is: optimizations keep it as it is."""
        self.pinned = True

    class Unpinned(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Unpinned)
    def unpin(self, actor: str, reason: str, at: datetime) -> None:
        """The pin was lifted: optimizations may move the session again."""
        self.pinned = False

    class ContraindicationFlagged(Aggregate.Event):
        flags: list[str]
        actor: str
        reason: str
        at: datetime

    @event(ContraindicationFlagged)
    def flag(self, flags: list[str], actor: str, reason: str, at: datetime) -> None:
        """A newer evaluation rules this booked session out (`flags` say why)."""
        self.flags = list(flags)

    class FlagResolved(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(FlagResolved)
    def resolve_flag(self, actor: str, reason: str, at: datetime) -> None:
        """A newer evaluation clears the session again."""
        self.flags = []
