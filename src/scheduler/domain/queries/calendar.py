"""A therapist's day and week, as they are or as they stood, and any record's history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from scheduler.domain.commands.store import Store, as_uuid
from scheduler.domain.errors import NotFound, UnknownTherapist
from scheduler.domain.model.days import TherapistDay
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.timekeeping import as_utc, wall_clock
from scheduler.domain.views import DayView, HistoryEntry, VisitView

_EVENT_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}


class Calendar(Store):
    """Calendars in the clinic's local time, time travel and audit history."""

    def therapist_day(
        self, therapist_id: UUID | str, day: date, *, as_of: datetime | None = None
    ) -> DayView:
        """The therapist's visits on local `day`; with `as_of`, as they stood then.

        Time travel replays the day's events whose `at` (the command's `now`) is not
        after `as_of`.
        """
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        zone = self._zone_of(therapist.clinic_id)
        day_id = TherapistDay.create_id(therapist.id, day)
        version: int | None = None
        if as_of is not None:
            cutoff = as_utc(as_of, "as_of")
            version = 0
            for stored in self.events.get(day_id):
                if getattr(stored, "at", cutoff) > cutoff:
                    break
                version = stored.originator_version
        record: Any = None
        if version != 0:  # None: the current day; 0: before the day's first event
            try:
                record = self.repository.get(day_id, version=version)
            except AggregateNotFoundError:
                record = None
        window = therapist.shift_on(day)
        shift = (
            (wall_clock(day, window[0], zone), wall_clock(day, window[1], zone)) if window else None
        )
        if not isinstance(record, TherapistDay):
            return DayView(therapist.id, day, zone.key, shift)
        visits = tuple(
            VisitView(
                session_id=session_id,
                start=visit["start"],
                end=visit["end"],
                start_local=visit["start"].astimezone(zone),
                end_local=visit["end"].astimezone(zone),
                location=(visit["latitude"], visit["longitude"]),
            )
            for session_id, visit in record.ordered_visits()
        )
        return DayView(
            therapist.id,
            day,
            zone.key,
            shift,
            visits,
            tuple(dict(absence) for absence in record.unavailable),
            record.version,
        )

    def therapist_week(self, therapist_id: UUID | str, first_day: date) -> list[DayView]:
        """Seven days of the therapist's calendar starting on local `first_day`."""
        return [self.therapist_day(therapist_id, first_day + timedelta(days=n)) for n in range(7)]

    def history(self, record_id: UUID | str) -> list[HistoryEntry]:
        """Every event of a record (session, plan, patient, therapist, day…), oldest first."""
        key = as_uuid(record_id, NotFound, "record")
        entries = [_entry(stored) for stored in self.events.get(key)]
        if not entries:
            raise NotFound(f"no record with id {key}: check the id")
        return entries


def _entry(stored: Any) -> HistoryEntry:
    data = {k: v for k, v in vars(stored).items() if k not in _EVENT_FIELDS}
    actor, at, reason = data.pop("actor", None), data.pop("at", None), data.pop("reason", None)
    return HistoryEntry(
        version=stored.originator_version,
        event=type(stored).__name__,
        actor=actor,
        at=at,
        reason=reason,
        recorded_at=stored.timestamp,
        data=data,
    )
