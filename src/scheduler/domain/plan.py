"""Treatment plans: a prescribed course of sessions and every change made to it."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.care import ruled_out_by
from scheduler.domain.errors import (
    Contraindicated,
    EvaluationMissing,
    InvalidInput,
    PlanNotActive,
    PrescriptionExpired,
    SessionsExhausted,
)

SETTINGS = ("home", "clinic")
ACTIVE, PAUSED, COMPLETED = "active", "paused", "completed"


def cadence(min_days: int, max_days: int) -> tuple[int, int]:
    """Validated days between sessions; InvalidInput unless 0 <= min <= max."""
    if not 0 <= min_days <= max_days:
        raise InvalidInput(
            f"cadence must satisfy 0 <= min_days <= max_days, got {min_days}..{max_days}"
        )
    return min_days, max_days


class TreatmentPlan(Aggregate):
    """A patient's course of sessions of one specialization, backed by a prescription.

    The plan counts the sessions it holds (booked, completed or no-show; a cancellation
    gives the session back). It may hold at most the lesser of its planned sessions and
    the prescription's authorized sessions, all before the prescription expires.
    """

    @event("Created")
    def __init__(
        self,
        *,
        clinic_id: UUID,
        patient_id: UUID,
        prescription_id: UUID,
        condition: str,
        specialization: str,
        sessions: int,
        session_minutes: int,
        min_days: int,
        max_days: int,
        setting: str,
        preferred_therapist: UUID | None,
        authorized_sessions: int,
        expires_on: date,
        latitude: float,
        longitude: float,
        evaluated: bool,
        contraindications: list[str],
        actor: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.patient_id = patient_id
        self.prescription_id = prescription_id
        self.condition = condition
        self.specialization = specialization
        self.sessions = sessions
        self.session_minutes = session_minutes
        self.min_days = min_days
        self.max_days = max_days
        self.setting = setting
        self.preferred_therapist = preferred_therapist
        self.authorized_sessions = authorized_sessions
        self.expires_on = expires_on
        # Where sessions take place (the patient's home or the clinic) and the patient's
        # latest evaluation, kept here so a booking needs no read of the patient: a new
        # evaluation is noted on every open plan in the same transaction.
        self.latitude, self.longitude = latitude, longitude
        self.evaluated = evaluated
        self.contraindications = list(contraindications)
        self.status = ACTIVE
        self.held: list[UUID] = []
        self.booked: list[UUID] = []

    @property
    def session_limit(self) -> int:
        """How many sessions the plan may hold at once."""
        return min(self.sessions, self.authorized_sessions)

    def check_bookable(self, session_date: date, *, moving: bool = False) -> None:
        """Raise unless one more session (or, `moving`, a held one) fits on `session_date`."""
        if self.status != ACTIVE:
            raise PlanNotActive(f"plan {self.id} is {self.status}: resume it before booking")
        if session_date > self.expires_on:
            raise PrescriptionExpired(
                f"the prescription behind plan {self.id} expires on {self.expires_on}; "
                f"a session on {session_date} needs a renewed prescription"
            )
        if not moving and len(self.held) >= self.session_limit:
            raise SessionsExhausted(
                f"plan {self.id} already holds {len(self.held)} of "
                f"{self.session_limit} authorized sessions: add sessions or a new prescription"
            )

    @property
    def location(self) -> tuple[float, float]:
        """Where the plan's sessions take place."""
        return (self.latitude, self.longitude)

    def check_cleared(self) -> None:
        """Raise unless the patient's latest evaluation allows this treatment."""
        if not self.evaluated:
            raise EvaluationMissing(
                f"patient {self.patient_id} has no completed evaluation: record one first"
            )
        ruled_out = ruled_out_by(self.contraindications, self.specialization)
        if ruled_out:
            raise Contraindicated(
                f"the latest evaluation of patient {self.patient_id} flags {ruled_out}, which "
                f"rules out {self.specialization}: record a new evaluation once cleared"
            )

    @event("EvaluationNoted")
    def note_evaluation(self, contraindications: list[str], actor: str, at: datetime) -> None:
        """Take in the patient's newest evaluation (recorded on the patient too)."""
        self.evaluated = True
        self.contraindications = list(contraindications)

    def _check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise PlanNotActive(f"plan {self.id} is {self.status}; this change needs {allowed}")

    # --- sessions held ------------------------------------------------------------------
    @event("SessionHeld")
    def hold(self, session_id: UUID, actor: str, at: datetime) -> None:
        """Count a newly booked session against the plan (after `check_bookable`)."""
        self.held.append(session_id)
        self.booked.append(session_id)

    @event("SessionReleased")
    def release(self, session_id: UUID, actor: str, at: datetime) -> None:
        """Give back a cancelled session."""
        self.held.remove(session_id)

    # --- plan changes -------------------------------------------------------------------
    def change_cadence(
        self, min_days: int, max_days: int, actor: str, reason: str, at: datetime
    ) -> None:
        """Change the days between sessions."""
        self._check_status(ACTIVE, PAUSED)
        cadence(min_days, max_days)
        self._cadence_changed(min_days, max_days, actor, reason, at)

    @event("CadenceChanged")
    def _cadence_changed(
        self, min_days: int, max_days: int, actor: str, reason: str, at: datetime
    ) -> None:
        self.min_days, self.max_days = min_days, max_days

    def change_sessions(self, delta: int, actor: str, reason: str, at: datetime) -> None:
        """Add (delta > 0) or remove (delta < 0) planned sessions."""
        self._check_status(ACTIVE, PAUSED)
        if delta == 0 or self.sessions + delta < max(1, len(self.held)):
            raise InvalidInput(
                f"cannot change {self.sessions} planned sessions by {delta}: the plan holds "
                f"{len(self.held)} and needs at least 1"
            )
        if delta > 0:
            self._sessions_added(delta, actor, reason, at)
        else:
            self._sessions_removed(-delta, actor, reason, at)

    @event("SessionsAdded")
    def _sessions_added(self, count: int, actor: str, reason: str, at: datetime) -> None:
        self.sessions += count

    @event("SessionsRemoved")
    def _sessions_removed(self, count: int, actor: str, reason: str, at: datetime) -> None:
        self.sessions -= count

    def pause(self, actor: str, reason: str, at: datetime) -> None:
        """Stop new bookings until resumed (booked sessions stay)."""
        self._check_status(ACTIVE)
        self._paused(actor, reason, at)

    @event("Paused")
    def _paused(self, actor: str, reason: str, at: datetime) -> None:
        self.status = PAUSED

    def resume(self, actor: str, reason: str, at: datetime) -> None:
        """Allow bookings again."""
        self._check_status(PAUSED)
        self._resumed(actor, reason, at)

    @event("Resumed")
    def _resumed(self, actor: str, reason: str, at: datetime) -> None:
        self.status = ACTIVE

    def switch_therapist(
        self, therapist_id: UUID | None, actor: str, reason: str, at: datetime
    ) -> None:
        """Change (or clear) the preferred therapist."""
        self._check_status(ACTIVE, PAUSED)
        self._therapist_switched(therapist_id, actor, reason, at)

    @event("TherapistSwitched")
    def _therapist_switched(
        self, therapist_id: UUID | None, actor: str, reason: str, at: datetime
    ) -> None:
        self.preferred_therapist = therapist_id

    def complete(self, actor: str, reason: str, at: datetime) -> None:
        """Close the plan; no further bookings."""
        self._check_status(ACTIVE, PAUSED)
        self._completed(actor, reason, at)

    @event("Completed")
    def _completed(self, actor: str, reason: str, at: datetime) -> None:
        self.status = COMPLETED
