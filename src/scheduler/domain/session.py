"""A treatment session: booked, perhaps rescheduled, then cancelled, completed or missed."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import SessionNotBooked

BOOKED, CANCELLED, COMPLETED, NO_SHOW = "booked", "cancelled", "completed", "no_show"


class Session(Aggregate):
    """One session of a treatment plan, with a therapist, a time and a place.

    Its events are the session's history: who booked, moved, cancelled or completed it,
    when and why.
    """

    @event("Booked")
    def __init__(
        self,
        *,
        clinic_id: UUID,
        plan_id: UUID,
        patient_id: UUID,
        therapist_id: UUID,
        start: datetime,
        end: datetime,
        therapist_day: date,
        patient_day: date,
        latitude: float,
        longitude: float,
        setting: str,
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.plan_id = plan_id
        self.patient_id = patient_id
        self.therapist_id = therapist_id
        self.start = start
        self.end = end
        self.therapist_day = therapist_day
        self.patient_day = patient_day
        self.latitude = latitude
        self.longitude = longitude
        self.setting = setting
        self.status = BOOKED
        self.late_cancel: bool | None = None
        self.progress_note: dict[str, object] | None = None

    @property
    def location(self) -> tuple[float, float]:
        """Where the session takes place (clinic or patient's home)."""
        return (self.latitude, self.longitude)

    def check_booked(self, change: str) -> None:
        """Raise SessionNotBooked unless the session can still be changed."""
        if self.status != BOOKED:
            raise SessionNotBooked(
                f"session {self.id} is {self.status}; only a booked session can be {change}"
            )

    @event("Rescheduled")
    def reschedule(
        self,
        *,
        therapist_id: UUID,
        start: datetime,
        end: datetime,
        therapist_day: date,
        patient_day: date,
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        """Move the session (rules already checked on the days involved)."""
        self.therapist_id = therapist_id
        self.start = start
        self.end = end
        self.therapist_day = therapist_day
        self.patient_day = patient_day

    @event("Cancelled")
    def cancel(self, late: bool, actor: str, reason: str, at: datetime) -> None:
        """Cancel; `late` is computed from the clinic's policy window by the caller."""
        self.status = CANCELLED
        self.late_cancel = late

    @event("Completed")
    def complete(
        self, note: str, pain_before: int, pain_after: int, actor: str, at: datetime
    ) -> None:
        """Close with a short progress note."""
        self.status = COMPLETED
        self.progress_note = {"note": note, "pain_before": pain_before, "pain_after": pain_after}

    @event("NoShow")
    def no_show(self, actor: str, reason: str, at: datetime) -> None:
        """The patient did not come (or was not home)."""
        self.status = NO_SHOW
