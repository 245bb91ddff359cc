"""The consistency boundaries of booking: one aggregate per therapist-day and patient-day.

Every booking loads the therapist's day and the patient's day, checks the rules on them
and saves both in one transaction. Two writers that race for the same day produce the
same next version number, so the store accepts exactly one of them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import (
    DayFull,
    OutsideShift,
    PatientBusy,
    TherapistBusy,
    TherapistUnavailable,
)
from scheduler.domain.ids import patient_day_id, therapist_day_id
from scheduler.domain.rules import route
from scheduler.geo import Location


def _clock(instant: datetime, zone: tzinfo) -> str:
    """'14:30' on the clinic's wall clock: what the front desk sees."""
    return instant.astimezone(zone).strftime("%H:%M")


def _overlaps(start: datetime, end: datetime, other: dict[str, Any]) -> bool:
    return bool(start < other["end"] and other["start"] < end)


class TherapistDay(Aggregate):
    """A therapist's visits on one local calendar date, and any time off within it.

    Rule "never in two places at once": visits do not overlap, and between consecutive
    visits there is at least the travel time between their places (the spec's formula);
    the route leaves base no earlier than the shift's start and is back by its end.
    """

    @staticmethod
    def create_id(therapist_id: UUID, day: date) -> UUID:
        """Derived from therapist and date so every writer finds the same aggregate."""
        return therapist_day_id(therapist_id, day)

    class Opened(Aggregate.Created):
        therapist_id: UUID
        day: date
        at: datetime

    @event(Opened)
    def __init__(self, *, therapist_id: UUID, day: date, at: datetime) -> None:
        self.therapist_id = therapist_id
        self.day = day
        self.visits: dict[UUID, dict[str, Any]] = {}
        self.unavailable: list[dict[str, Any]] = []

    def ordered_visits(self) -> list[tuple[UUID, dict[str, Any]]]:
        """(session id, visit) pairs in start order."""
        return sorted(self.visits.items(), key=lambda item: item[1]["start"])

    def stops(self) -> list[route.Booked]:
        """The day's visits in start order as (start, end, place)."""
        return [
            (visit["start"], visit["end"], (visit["latitude"], visit["longitude"]))
            for _, visit in self.ordered_visits()
        ]

    def book(
        self,
        session_id: UUID,
        start: datetime,
        end: datetime,
        place: Location,
        *,
        shift: tuple[datetime, datetime],
        base: Location,
        speed_kmh: float,
        max_visits: int,
        actor: str,
        at: datetime,
        zone: tzinfo = UTC,
    ) -> None:
        """Add a visit, or raise the first rule it breaks (nothing is recorded then).

        `zone` only formats the messages in the clinic's local time.
        """
        self._check_shift(start, end, shift, zone)
        self._check_available(start, end, zone)
        self._check_free(start, end, place, shift=shift, base=base, speed_kmh=speed_kmh, zone=zone)
        if len(self.visits) >= max_visits:
            raise DayFull(
                f"the therapist already has {len(self.visits)} visits on {self.day} "
                f"(maximum {max_visits}): choose another day or therapist"
            )
        self._visit_booked(
            session_id=session_id,
            start=start,
            end=end,
            latitude=place[0],
            longitude=place[1],
            actor=actor,
            at=at,
        )

    def _check_shift(
        self, start: datetime, end: datetime, shift: tuple[datetime, datetime], zone: tzinfo
    ) -> None:
        if start < shift[0] or end > shift[1]:
            raise OutsideShift(
                f"{_clock(start, zone)}-{_clock(end, zone)} is outside the therapist's shift "
                f"{_clock(shift[0], zone)}-{_clock(shift[1], zone)} on {self.day} ({zone}): "
                "pick a time inside it"
            )

    def _check_available(self, start: datetime, end: datetime, zone: tzinfo) -> None:
        for absence in self.unavailable:
            if _overlaps(start, end, absence):
                raise TherapistUnavailable(
                    f"the therapist has {absence['kind'].replace('_', ' ')} from "
                    f"{_clock(absence['start'], zone)} to {_clock(absence['end'], zone)} on "
                    f"{self.day} ({zone}): "
                    "choose another time or therapist"
                )

    def _check_free(
        self,
        start: datetime,
        end: datetime,
        place: Location,
        *,
        shift: tuple[datetime, datetime],
        base: Location,
        speed_kmh: float,
        zone: tzinfo,
    ) -> None:
        for _, visit in self.ordered_visits():
            if _overlaps(start, end, visit):
                raise TherapistBusy(
                    f"the therapist is in another session from {_clock(visit['start'], zone)} "
                    f"to {_clock(visit['end'], zone)} on {self.day} ({zone}): "
                    "choose another time"
                )
        before, after = route.neighbours(self.stops(), start, end, shift=shift, base=base)
        need_in, need_out = route.needs(before, after, place, speed_kmh)
        from_base, to_base = before.base, after.base
        for gap, need, at_base, leg in (
            (start - before.at, need_in, from_base, "from base" if from_base else "to get there"),
            (after.at - end, need_out, to_base, "back to base" if to_base else "to the next visit"),
        ):
            if gap >= need:
                continue
            # Travel from or back to base that does not fit is a shift problem; travel
            # between two visits that does not fit means the therapist is still elsewhere.
            error = OutsideShift if at_base else TherapistBusy
            raise error(
                f"the therapist needs {int(need.total_seconds()) // 60} min of travel {leg} "
                f"but has {int(gap.total_seconds()) // 60} min: choose another time or "
                "therapist"
            )

    class VisitBooked(Aggregate.Event):
        session_id: UUID
        start: datetime
        end: datetime
        latitude: float
        longitude: float
        actor: str
        at: datetime

    @event(VisitBooked)
    def _visit_booked(
        self,
        *,
        session_id: UUID,
        start: datetime,
        end: datetime,
        latitude: float,
        longitude: float,
        actor: str,
        at: datetime,
    ) -> None:
        self.visits[session_id] = {
            "start": start,
            "end": end,
            "latitude": latitude,
            "longitude": longitude,
        }

    class VisitReleased(Aggregate.Event):
        session_id: UUID
        actor: str
        reason: str
        at: datetime

    @event(VisitReleased)
    def release(self, session_id: UUID, actor: str, reason: str, at: datetime) -> None:
        """Free the time of a cancelled or moved session."""
        self.visits.pop(session_id, None)

    class MarkedUnavailable(Aggregate.Event):
        kind: str
        start: datetime
        end: datetime
        actor: str
        reason: str
        at: datetime

    @event(MarkedUnavailable)
    def mark_unavailable(
        self, *, kind: str, start: datetime, end: datetime, actor: str, reason: str, at: datetime
    ) -> None:
        """Block time for time off or a sick day (booked visits are left to the clinic)."""
        self.unavailable.append({"kind": kind, "start": start, "end": end, "reason": reason})

    class AvailabilityRestored(Aggregate.Event):
        kind: str
        start: datetime
        end: datetime
        actor: str
        reason: str
        at: datetime

    @event(AvailabilityRestored)
    def restore_availability(
        self, *, kind: str, start: datetime, end: datetime, actor: str, reason: str, at: datetime
    ) -> None:
        """Lift a block of time off (an undone sick call): the shift is open again."""
        for index, absence in enumerate(self.unavailable):
            if (absence["kind"], absence["start"], absence["end"]) == (kind, start, end):
                del self.unavailable[index]
                break


class PatientDay(Aggregate):
    """A patient's sessions on one local calendar date: never two at once."""

    @staticmethod
    def create_id(patient_id: UUID, day: date) -> UUID:
        """Derived from patient and date so every writer finds the same aggregate."""
        return patient_day_id(patient_id, day)

    class Opened(Aggregate.Created):
        patient_id: UUID
        day: date
        at: datetime

    @event(Opened)
    def __init__(self, *, patient_id: UUID, day: date, at: datetime) -> None:
        self.patient_id = patient_id
        self.day = day
        self.visits: dict[UUID, dict[str, Any]] = {}

    def book(
        self,
        session_id: UUID,
        start: datetime,
        end: datetime,
        *,
        actor: str,
        at: datetime,
        zone: tzinfo = UTC,
    ) -> None:
        """Add a session, or raise PatientBusy if it overlaps another one."""
        for other_id, visit in self.visits.items():
            if other_id != session_id and _overlaps(start, end, visit):
                raise PatientBusy(
                    f"the patient has another session from {_clock(visit['start'], zone)} "
                    f"to {_clock(visit['end'], zone)} on {self.day} ({zone}): "
                    "choose another time"
                )
        self._session_booked(session_id, start, end, actor, at)

    class SessionBooked(Aggregate.Event):
        session_id: UUID
        start: datetime
        end: datetime
        actor: str
        at: datetime

    @event(SessionBooked)
    def _session_booked(
        self, session_id: UUID, start: datetime, end: datetime, actor: str, at: datetime
    ) -> None:
        self.visits[session_id] = {"start": start, "end": end}

    class SessionReleased(Aggregate.Event):
        session_id: UUID
        actor: str
        reason: str
        at: datetime

    @event(SessionReleased)
    def release(self, session_id: UUID, actor: str, reason: str, at: datetime) -> None:
        """Free the time of a cancelled or moved session."""
        self.visits.pop(session_id, None)
