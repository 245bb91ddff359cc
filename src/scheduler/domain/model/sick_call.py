"""A sick call: a therapist off sick for some local days, and the visits it displaced.

Recorded at once (after the dispatcher confirmed it): the days are blocked as sick time
and every visit still to come on them is *displaced*: it leaves the therapist's day and
waits, on its plan, for a new time. A re-plan then proposes new places; what it cannot
place is postponed (its patient gets options and first place on the waitlist). A sick
call can be undone: the days are free again and each visit still waiting goes back to
where it was, if that time is still free.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import SickCallUndone

RECORDED, UNDONE = "recorded", "undone"


class SickCall(Aggregate):
    """One therapist's sick days and the sessions they displaced."""

    class Recorded(Aggregate.Created):
        clinic_id: UUID
        therapist_id: UUID
        days: list[date]
        displaced: list[UUID]
        actor: str
        reason: str
        at: datetime

    @event(Recorded)
    def __init__(
        self,
        *,
        clinic_id: UUID,
        therapist_id: UUID,
        days: list[date],
        displaced: list[UUID],
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.therapist_id = therapist_id
        self.days = list(days)
        self.displaced = list(displaced)
        self.reason = reason
        self.recorded_by = actor
        self.recorded_at = at
        self.status = RECORDED
        self.postponed: list[UUID] = []

    def check_recorded(self) -> None:
        """Raise SickCallUndone if the sick call was undone already."""
        if self.status != RECORDED:
            raise SickCallUndone("this sick call was undone already: nothing is left to undo")

    class Postponed(Aggregate.Event):
        session_id: UUID
        actor: str
        at: datetime

    @event(Postponed)
    def note_postponed(self, session_id: UUID, actor: str, at: datetime) -> None:
        """A displaced session found no new time: it waits on its plan (patient told)."""
        self.postponed.append(session_id)

    class Undone(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Undone)
    def undo(self, actor: str, reason: str, at: datetime) -> None:
        """The therapist is not off sick after all (after `check_recorded`)."""
        self.status = UNDONE
