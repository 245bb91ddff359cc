"""Prescriptions (referrals): a condition, how many sessions are authorized, until when.

The authorization is counted across every plan made under the prescription: each
booked session is held here in the same transaction as the booking, so two plans (or
two racing bookings) can never together hold more than the authorized sessions.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import AuthorizationExhausted, PrescriptionExpired

REAUTHORIZE_AT = 2
"""Sessions left when a re-authorization is due (the insurer needs time to renew)."""


class Prescription(Aggregate):
    """A prescription or referral of one patient: condition, authorized sessions, expiry."""

    @staticmethod
    def create_id(prescription_id: UUID) -> UUID:
        """Chosen by the command, so the patient's record can name it in the same save."""
        return prescription_id

    class Recorded(Aggregate.Created):
        prescription_id: UUID
        clinic_id: UUID
        patient_id: UUID
        condition: str
        icd10: str | None
        authorized_sessions: int
        expires_on: date
        prescriber: str
        npi: str | None
        authorization_number: str | None
        actor: str
        at: datetime

    @event(Recorded)
    def __init__(
        self,
        *,
        prescription_id: UUID,
        clinic_id: UUID,
        patient_id: UUID,
        condition: str,
        icd10: str | None,
        authorized_sessions: int,
        expires_on: date,
        prescriber: str,
        npi: str | None,
        authorization_number: str | None,
        actor: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.patient_id = patient_id
        self.condition = condition
        self.icd10 = icd10
        self.authorized_sessions = authorized_sessions
        self.expires_on = expires_on
        self.prescriber = prescriber
        self.npi = npi
        self.authorization_number = authorization_number
        self.recorded_at = at
        self.held: list[UUID] = []
        self.reauthorization_due = False

    @property
    def left(self) -> int:
        """Authorized sessions not yet held by any plan."""
        return self.authorized_sessions - len(self.held)

    def check_valid_on(self, day: date) -> None:
        """Raise PrescriptionExpired unless a session on local `day` is covered."""
        if day > self.expires_on:
            raise PrescriptionExpired(
                f"the prescription expires on {self.expires_on}; a session on {day} needs "
                "a renewed prescription"
            )

    def check_left(self) -> None:
        """Raise AuthorizationExhausted when every authorized session is held."""
        if self.left <= 0:
            raise AuthorizationExhausted(
                f"all {self.authorized_sessions} sessions the prescription authorizes are "
                "booked or used (across its plans): record a renewed prescription"
            )

    def hold(self, session_id: UUID, actor: str, at: datetime) -> None:
        """Count a booked session (after `check_left`); a re-authorization falls due when
        only `REAUTHORIZE_AT` sessions are left."""
        self._session_held(session_id=session_id, actor=actor, at=at)
        if self.left <= REAUTHORIZE_AT and not self.reauthorization_due:
            self._reauthorization_due(left=self.left, actor=actor, at=at)

    class SessionHeld(Aggregate.Event):
        session_id: UUID
        actor: str
        at: datetime

    @event(SessionHeld)
    def _session_held(self, *, session_id: UUID, actor: str, at: datetime) -> None:
        self.held.append(session_id)

    class SessionReleased(Aggregate.Event):
        session_id: UUID
        actor: str
        at: datetime

    @event(SessionReleased)
    def release(self, *, session_id: UUID, actor: str, at: datetime) -> None:
        """Give back the authorization of a cancelled session."""
        if session_id in self.held:
            self.held.remove(session_id)

    class ReauthorizationDue(Aggregate.Event):
        left: int
        actor: str
        at: datetime

    @event(ReauthorizationDue)
    def _reauthorization_due(self, *, left: int, actor: str, at: datetime) -> None:
        self.reauthorization_due = True

    class Renewed(Aggregate.Event):
        authorized_sessions: int
        expires_on: date
        authorization_number: str | None
        actor: str
        reason: str
        at: datetime

    @event(Renewed)
    def renew(
        self,
        *,
        authorized_sessions: int,
        expires_on: date,
        authorization_number: str | None,
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        """The payer extended the authorization (sessions in total, new expiry)."""
        self.authorized_sessions = authorized_sessions
        self.expires_on = expires_on
        self.authorization_number = authorization_number
        self.reauthorization_due = self.left <= REAUTHORIZE_AT
