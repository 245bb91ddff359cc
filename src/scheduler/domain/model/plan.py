"""Treatment plans: a prescribed course of sessions and every change made to it."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import (
    Contraindicated,
    ContraindicationUnresolved,
    EvaluationMissing,
    InvalidInput,
    PlanNotActive,
    SessionsExhausted,
)
from scheduler.domain.rules import cadence as cadence_rule
from scheduler.domain.rules.care import ruled_out_by

SETTINGS = ("home", "clinic")
ACTIVE, PAUSED, COMPLETED = "active", "paused", "completed"


class TreatmentPlan(Aggregate):
    """A patient's course of sessions of one specialization, under one prescription.

    The plan knows the local day of each session that takes place (booked or completed:
    the cadence rule's input), which sessions it holds (those, plus no-shows: they count
    against the planned sessions; a cancellation gives the session back), and which
    booked sessions a newer evaluation flagged as contraindicated. The prescription
    counts the authorization across plans (`Prescription`).
    """

    class Created(Aggregate.Created):
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
        latitude: float
        longitude: float
        evaluated: bool
        contraindications: list[str]
        actor: str
        at: datetime

    @event(Created)
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
        # Where sessions take place (the patient's home or the clinic) and the patient's
        # latest evaluation, kept here so a booking needs no read of the patient: a new
        # evaluation is noted on every open plan in the same transaction.
        self.latitude, self.longitude = latitude, longitude
        self.evaluated = evaluated
        self.contraindications = list(contraindications)
        self.status = ACTIVE
        self.booked: list[UUID] = []  # every session ever booked, in booking order
        self.held: list[UUID] = []  # booked, completed or missed: counted as planned
        self.days: dict[UUID, date] = {}  # booked or completed: the cadence's input
        self.flagged: list[UUID] = []  # booked sessions a newer evaluation rules out
        self.summary = ""  # the discharge summary, once completed
        # Held sessions a sick call displaced (-> the sick call), waiting for a new time;
        # those postponed are a cadence exception the sick call caused. Each keeps its
        # place among the plan's sessions: the day it was displaced from.
        self.displaced: dict[UUID, UUID] = {}
        self.postponed: dict[UUID, UUID] = {}
        self.displaced_from: dict[UUID, date] = {}

    @property
    def location(self) -> tuple[float, float]:
        """Where the plan's sessions take place."""
        return (self.latitude, self.longitude)

    @property
    def sessions_left(self) -> int:
        """Planned sessions not yet held (the prescription may allow fewer)."""
        return max(0, self.sessions - len(self.held))

    # --- rules --------------------------------------------------------------------------
    def check_bookable(self, *, moving: bool = False) -> None:
        """Raise unless the plan takes one more session (or, `moving`, a held one)."""
        if self.status != ACTIVE:
            raise PlanNotActive(f"the plan is {self.status}: resume it before booking")
        if not moving and len(self.held) >= self.sessions:
            raise SessionsExhausted(
                f"the plan already holds all {self.sessions} of its sessions: add sessions "
                "to the plan first"
            )

    def check_cleared(self) -> None:
        """Raise unless the patient's latest evaluation allows this treatment."""
        if not self.evaluated:
            raise EvaluationMissing(
                "the patient has no completed evaluation: book an initial evaluation first"
            )
        ruled_out = ruled_out_by(self.contraindications, self.specialization)
        if ruled_out:
            raise Contraindicated(
                f"the patient's latest evaluation flags {ruled_out}, which rules out "
                f"{self.specialization}: record a new evaluation once cleared"
            )

    def check_cadence(
        self, day: date, today: date, *, moving: UUID | None = None, overrides: dict[str, str]
    ) -> None:
        """Raise CadenceBroken unless a session on `day` keeps the plan's cadence (the
        session `moving` is left out of its own neighbours; postponed sessions widen the
        gaps they lie in); overridable."""
        if "cadence" in overrides:
            return
        others = [d for session_id, d in self.days.items() if session_id != moving]
        cadence_rule.check(
            day, others, self.min_days, self.max_days, today, postponed=self.postponed_places()
        )

    def postponed_places(self) -> list[date]:
        """The days the postponed sessions were displaced from: their places (v1.1)."""
        return [self.displaced_from[s] for s in self.postponed if s in self.displaced_from]

    def check_no_flags(self) -> None:
        """Raise ContraindicationUnresolved while a booked session is flagged."""
        if self.flagged:
            raise ContraindicationUnresolved(
                f"{len(self.flagged)} booked session(s) of this plan are ruled out by the "
                "latest evaluation: cancel them or record an evaluation that clears them first"
            )

    def _check_status(self, *allowed: str) -> None:
        if self.status not in allowed:
            raise PlanNotActive(f"the plan is {self.status}; this change needs {allowed}")

    # --- the patient's evaluations -----------------------------------------------------
    class EvaluationNoted(Aggregate.Event):
        contraindications: list[str]
        flagged: list[UUID]
        actor: str
        at: datetime

    @event(EvaluationNoted)
    def note_evaluation(
        self, contraindications: list[str], flagged: list[UUID], actor: str, at: datetime
    ) -> None:
        """Take in the patient's newest evaluation and the booked sessions it rules out."""
        self.evaluated = True
        self.contraindications = list(contraindications)
        self.flagged = list(flagged)

    # --- sessions held ------------------------------------------------------------------
    class SessionHeld(Aggregate.Event):
        session_id: UUID
        day: date
        actor: str
        at: datetime

    @event(SessionHeld)
    def hold(self, session_id: UUID, day: date, actor: str, at: datetime) -> None:
        """Count a newly booked session on local `day` (after the checks)."""
        self.booked.append(session_id)
        self.held.append(session_id)
        self.days[session_id] = day

    class SessionMoved(Aggregate.Event):
        session_id: UUID
        day: date
        actor: str
        at: datetime

    @event(SessionMoved)
    def move(self, session_id: UUID, day: date, actor: str, at: datetime) -> None:
        """A held session now takes place on local `day` (a displaced one: again)."""
        self.days[session_id] = day
        self.displaced.pop(session_id, None)
        self.postponed.pop(session_id, None)
        self.displaced_from.pop(session_id, None)

    class SessionDisplaced(Aggregate.Event):
        session_id: UUID
        sick_call_id: UUID
        actor: str
        at: datetime

    @event(SessionDisplaced)
    def displace(self, session_id: UUID, sick_call_id: UUID, actor: str, at: datetime) -> None:
        """A sick call took the held session's time: it stays held (it is still to take
        place) but leaves the cadence until it has a new day."""
        was = self.days.pop(session_id, None)
        if was is not None:
            self.displaced_from[session_id] = was
        self.displaced[session_id] = sick_call_id

    class SessionPostponed(Aggregate.Event):
        session_id: UUID
        sick_call_id: UUID
        actor: str
        reason: str
        at: datetime

    @event(SessionPostponed)
    def postpone(
        self, session_id: UUID, sick_call_id: UUID, actor: str, reason: str, at: datetime
    ) -> None:
        """The re-plan found no new time for a displaced session: it stays on the plan,
        waiting, a cadence exception caused by the sick call (the patient is offered
        options and first place on the waitlist)."""
        self.postponed[session_id] = sick_call_id

    class SessionReleased(Aggregate.Event):
        session_id: UUID
        actor: str
        at: datetime

    @event(SessionReleased)
    def release(self, session_id: UUID, actor: str, at: datetime) -> None:
        """Give back a cancelled session."""
        if session_id in self.held:
            self.held.remove(session_id)
        self.days.pop(session_id, None)
        if session_id in self.flagged:
            self.flagged.remove(session_id)
        self.displaced.pop(session_id, None)
        self.postponed.pop(session_id, None)
        self.displaced_from.pop(session_id, None)

    class SessionMissed(Aggregate.Event):
        session_id: UUID
        actor: str
        at: datetime

    @event(SessionMissed)
    def miss(self, session_id: UUID, actor: str, at: datetime) -> None:
        """The patient missed the session: it stays held but leaves the cadence."""
        self.days.pop(session_id, None)
        if session_id in self.flagged:
            self.flagged.remove(session_id)

    # --- plan changes -------------------------------------------------------------------
    def change_cadence(
        self, min_days: int, max_days: int, actor: str, reason: str, at: datetime
    ) -> None:
        """Change the days between sessions (for sessions booked from now on)."""
        self._check_status(ACTIVE, PAUSED)
        cadence_rule.cadence(min_days, max_days)
        self._cadence_changed(min_days, max_days, actor, reason, at)

    class CadenceChanged(Aggregate.Event):
        min_days: int
        max_days: int
        actor: str
        reason: str
        at: datetime

    @event(CadenceChanged)
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

    class SessionsAdded(Aggregate.Event):
        count: int
        actor: str
        reason: str
        at: datetime

    @event(SessionsAdded)
    def _sessions_added(self, count: int, actor: str, reason: str, at: datetime) -> None:
        self.sessions += count

    class SessionsRemoved(Aggregate.Event):
        count: int
        actor: str
        reason: str
        at: datetime

    @event(SessionsRemoved)
    def _sessions_removed(self, count: int, actor: str, reason: str, at: datetime) -> None:
        self.sessions -= count

    def pause(self, actor: str, reason: str, at: datetime) -> None:
        """Stop new bookings until resumed (booked sessions stay)."""
        self._check_status(ACTIVE)
        self._paused(actor, reason, at)

    class Paused(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Paused)
    def _paused(self, actor: str, reason: str, at: datetime) -> None:
        self.status = PAUSED

    def resume(self, actor: str, reason: str, at: datetime) -> None:
        """Allow bookings again."""
        self._check_status(PAUSED)
        self._resumed(actor, reason, at)

    class Resumed(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Resumed)
    def _resumed(self, actor: str, reason: str, at: datetime) -> None:
        self.status = ACTIVE

    def switch_therapist(
        self, therapist_id: UUID | None, actor: str, reason: str, at: datetime
    ) -> None:
        """Change (or clear) the preferred therapist."""
        self._check_status(ACTIVE, PAUSED)
        self._therapist_switched(therapist_id, actor, reason, at)

    class TherapistSwitched(Aggregate.Event):
        therapist_id: UUID | None
        actor: str
        reason: str
        at: datetime

    @event(TherapistSwitched)
    def _therapist_switched(
        self, therapist_id: UUID | None, actor: str, reason: str, at: datetime
    ) -> None:
        self.preferred_therapist = therapist_id

    def complete(self, actor: str, reason: str, at: datetime, summary: str = "") -> None:
        """Discharge: close the plan with a summary of the course; no further bookings."""
        self._check_status(ACTIVE, PAUSED)
        self._completed(actor=actor, reason=reason, summary=summary, at=at)

    class Completed(Aggregate.Event):
        actor: str
        reason: str
        summary: str
        at: datetime

    @event(Completed)
    def _completed(self, *, actor: str, reason: str, summary: str, at: datetime) -> None:
        self.status = COMPLETED
        self.summary = summary
