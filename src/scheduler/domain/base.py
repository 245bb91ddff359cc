"""What every part of the `Scheduling` application shares: loading, saving, retrying."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    RecordConflictError,
    Recording,
    Transcoding,
)

from scheduler.domain.clinic import Clinic
from scheduler.domain.days import PatientDay, TherapistDay
from scheduler.domain.errors import BookingConflict, NotFound, UnknownClinic
from scheduler.domain.saved import SavedCopies
from scheduler.domain.timekeeping import clinic_zone

A = TypeVar("A", bound=Aggregate)

SAVED_COPIES = 20_000
"""How many just-saved aggregates (days, plans, sessions) a process keeps to skip reads."""

SAVE_ATTEMPTS = 8
"""Tries of a command whose days another writer keeps changing, before BookingConflict."""


class DateAsISO(Transcoding):
    """Stores calendar dates (a session's local day, a prescription's expiry) as ISO text."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """'2026-11-01'."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Back to a `date`."""
        return date.fromisoformat(data)


def as_uuid(value: UUID | str, error: type[NotFound], what: str) -> UUID:
    """`value` as a UUID; the given NotFound error if it cannot name any record."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise error(f"{what} {value!r} is not a valid id (expected a UUID)") from None


class SchedulingBase(Application[UUID]):
    """Event store plumbing shared by the command and query halves of `Scheduling`."""

    name = "Scheduling"

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        # Clinics never change after registration, so a cached copy is never stale.
        self._clinics: dict[UUID, Clinic] = {}
        self._saved = SavedCopies(SAVED_COPIES)
        # Per thread: each store thread runs one command at a time (see `last_saved_position`).
        self._last_saved = threading.local()

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save as the library does, remembering this thread's last notification id."""
        recordings = super().save(*objs, **kwargs)
        if recordings:
            self._last_saved.position = max(r.notification.id for r in recordings)
        return recordings

    def last_saved_position(self) -> int | None:
        """The notification id of the last event this thread saved (None: none yet).

        Read-your-writes: a caller that ran a command in this thread hands the id to
        readers of projections, which wait until they have processed it. Unlike the
        store's maximum id, it is never another writer's event.
        """
        position: int | None = getattr(self._last_saved, "position", None)
        return position

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Add `date` to the library's UUID, Decimal and datetime transcodings."""
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def _load(
        self,
        kind: type[A],
        record_id: UUID | str,
        error: type[NotFound],
        *,
        for_update: bool = False,
    ) -> A:
        """The current `kind` aggregate with this id, or `error` naming it.

        `for_update`: the command will save this aggregate, so this process's last saved
        copy may stand in for a read (see `saved.py`).
        """
        what = kind.__name__.lower()
        key = as_uuid(record_id, error, what)
        found: Any = self._saved.take(key) if for_update else None
        try:
            if found is None:
                found = self.repository.get(key)
        except AggregateNotFoundError:
            raise error(f"no {what} with id {key}: check the id or create it first") from None
        if not isinstance(found, kind):
            raise error(f"{key} is a {type(found).__name__}, not a {what}")
        return found

    def _load_or_none(self, record_id: UUID) -> Any:
        """The aggregate this command will save, or None if it was never saved."""
        found = self._saved.take(record_id)
        if found is not None:
            return found
        try:
            return self.repository.get(record_id)
        except AggregateNotFoundError:
            return None

    def _therapist_day(self, therapist_id: UUID, day: date, at: datetime) -> TherapistDay:
        """The therapist's day, opened (not yet saved) if nothing was booked on it."""
        found = self._load_or_none(TherapistDay.create_id(therapist_id, day))
        if found is None:
            return TherapistDay(therapist_id=therapist_id, day=day, at=at)
        assert isinstance(found, TherapistDay)
        return found

    def _patient_day(self, patient_id: UUID, day: date, at: datetime) -> PatientDay:
        """The patient's day, opened (not yet saved) if nothing was booked on it."""
        found = self._load_or_none(PatientDay.create_id(patient_id, day))
        if found is None:
            return PatientDay(patient_id=patient_id, day=day, at=at)
        assert isinstance(found, PatientDay)
        return found

    def _clinic(self, clinic_id: UUID | str) -> Clinic:
        key = as_uuid(clinic_id, UnknownClinic, "clinic")
        clinic = self._clinics.get(key)
        if clinic is None:
            clinic = self._load(Clinic, key, UnknownClinic)
            self._clinics[key] = clinic
        return clinic

    def _zone_of(self, clinic_id: UUID) -> Any:
        return clinic_zone(self._clinic(clinic_id).timezone)

    def _save_retrying(self, command: Callable[[], Sequence[Aggregate]]) -> Sequence[Aggregate]:
        """Run `command` (load, check rules, trigger events) and save what it returns.

        Everything returned is saved in one transaction. When another writer changed one
        of those aggregates first, the store refuses the whole batch; the command then
        runs again on fresh state, so a rule broken by the winner (the slot is now
        taken) is reported as that rule. After SAVE_ATTEMPTS refusals: BookingConflict.
        `command` must create any new aggregate itself: a refused save has consumed the
        pending events of everything it was given.
        """
        for attempt in range(SAVE_ATTEMPTS):
            aggregates = command()
            try:
                self.save(*aggregates)
                self._saved.keep(aggregates)
            except RecordConflictError:
                # Jittered backoff so the writers that lost do not collide again in step.
                time.sleep(random.uniform(0, 0.002 * (2**attempt)))
                continue
            return aggregates
        raise BookingConflict(
            f"other bookings kept changing the same day ({SAVE_ATTEMPTS} tries): "
            "nothing was saved; try again"
        )
