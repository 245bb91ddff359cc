"""Therapists: what they treat, where they work from, and when."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.errors import InvalidInput
from scheduler.domain.timekeeping import MINUTES_PER_DAY

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Keys of a weekly shift pattern, in `date.weekday()` order."""

WeeklyShifts = dict[str, list[int]]
"""Weekday key → [start, end] in minutes after local midnight; no key, no work."""


def weekly_shifts(pattern: Mapping[str, Sequence[int]]) -> WeeklyShifts:
    """A validated weekly shift pattern; InvalidInput says which day is malformed."""
    result: WeeklyShifts = {}
    for day, window in pattern.items():
        if day not in WEEKDAYS:
            raise InvalidInput(f"unknown weekday {day!r} in shifts: use {list(WEEKDAYS)}")
        if len(window) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in window
        ):
            raise InvalidInput(f"shift on {day} must be [start, end] minutes, got {window!r}")
        start, end = window[0], window[1]
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise InvalidInput(
                f"shift on {day} is [{start}, {end}]: need 0 <= start < end <= 1440 "
                "(minutes after local midnight)"
            )
        result[day] = [start, end]
    return result


class Therapist(Aggregate):
    """A massage therapist of one clinic.

    Mobile therapists make home visits and start and end their day at `home`; the others
    work at the clinic, which is then their base. A deactivated therapist keeps their
    history but takes no new bookings.
    """

    class Registered(Aggregate.Created):
        clinic_id: UUID
        name: str
        specializations: list[str]
        mobile: bool
        home_latitude: float | None
        home_longitude: float | None
        shifts: WeeklyShifts
        max_visits_per_day: int
        phone: str
        actor: str
        at: datetime

    @event(Registered)
    def __init__(
        self,
        *,
        clinic_id: UUID,
        name: str,
        specializations: list[str],
        mobile: bool,
        home_latitude: float | None,
        home_longitude: float | None,
        shifts: WeeklyShifts,
        max_visits_per_day: int,
        phone: str,
        actor: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.name = name
        self.specializations = list(specializations)
        self.mobile = mobile
        self.home_latitude = home_latitude
        self.home_longitude = home_longitude
        self.shifts = dict(shifts)
        self.max_visits_per_day = max_visits_per_day
        self.phone = phone
        self.active = True
        self.time_off: list[dict[str, object]] = []
        self.shift_requests: dict[UUID, dict[str, object]] = {}

    def shift_on(self, day: date) -> tuple[int, int] | None:
        """(start, end) minutes of the shift on local `day`, or None when off."""
        window = self.shifts.get(WEEKDAYS[day.weekday()])
        return (window[0], window[1]) if window else None

    def home(self) -> tuple[float, float] | None:
        """Where a mobile therapist's day starts and ends (None for clinic-based)."""
        if self.home_latitude is None or self.home_longitude is None:
            return None
        return (self.home_latitude, self.home_longitude)

    def base(self, clinic_location: tuple[float, float]) -> tuple[float, float]:
        """Where the therapist's route starts and ends: home when mobile, else the clinic
        (even if a home is on file): the spec's route rule."""
        return (self.home() if self.mobile else None) or clinic_location

    class ProfileChanged(Aggregate.Event):
        name: str
        specializations: list[str]
        mobile: bool
        home_latitude: float | None
        home_longitude: float | None
        max_visits_per_day: int
        phone: str
        actor: str
        reason: str
        at: datetime

    @event(ProfileChanged)
    def change_profile(
        self,
        *,
        name: str,
        specializations: list[str],
        mobile: bool,
        home_latitude: float | None,
        home_longitude: float | None,
        max_visits_per_day: int,
        phone: str,
        actor: str,
        reason: str,
        at: datetime,
    ) -> None:
        """Replace the profile (validated by the command); booked sessions are kept."""
        self.name = name
        self.specializations = list(specializations)
        self.mobile = mobile
        self.home_latitude, self.home_longitude = home_latitude, home_longitude
        self.max_visits_per_day = max_visits_per_day
        self.phone = phone

    class ShiftsChanged(Aggregate.Event):
        shifts: WeeklyShifts
        actor: str
        reason: str
        at: datetime

    @event(ShiftsChanged)
    def change_shifts(self, shifts: WeeklyShifts, actor: str, reason: str, at: datetime) -> None:
        """Replace the weekly shift pattern (already validated by `weekly_shifts`)."""
        self.shifts = dict(shifts)

    class TimeOffRecorded(Aggregate.Event):
        kind: str
        start: datetime
        end: datetime
        actor: str
        reason: str
        at: datetime

    @event(TimeOffRecorded)
    def record_time_off(
        self, *, kind: str, start: datetime, end: datetime, actor: str, reason: str, at: datetime
    ) -> None:
        """Note a stretch of time off or a sick day (also marked on each affected day)."""
        self.time_off.append({"kind": kind, "start": start, "end": end, "reason": reason})

    class TimeOffWithdrawn(Aggregate.Event):
        kind: str
        start: datetime
        end: datetime
        actor: str
        reason: str
        at: datetime

    @event(TimeOffWithdrawn)
    def withdraw_time_off(
        self, *, kind: str, start: datetime, end: datetime, actor: str, reason: str, at: datetime
    ) -> None:
        """Take back a stretch of time off (an undone sick call; its days are freed too)."""
        for index, entry in enumerate(self.time_off):
            if (entry["kind"], entry["start"], entry["end"]) == (kind, start, end):
                del self.time_off[index]
                break

    class ShiftChangeRequested(Aggregate.Event):
        request_id: UUID
        shifts: WeeklyShifts
        actor: str
        reason: str
        at: datetime

    @event(ShiftChangeRequested)
    def request_shift_change(
        self, *, request_id: UUID, shifts: WeeklyShifts, actor: str, reason: str, at: datetime
    ) -> None:
        """The therapist asks for new weekly shifts; a dispatcher decides."""
        self.shift_requests[request_id] = {
            "shifts": dict(shifts),
            "reason": reason,
            "requested_at": at,
            "status": "pending",
        }

    class ShiftChangeDecided(Aggregate.Event):
        request_id: UUID
        approved: bool
        actor: str
        reason: str
        at: datetime

    @event(ShiftChangeDecided)
    def decide_shift_change(
        self, *, request_id: UUID, approved: bool, actor: str, reason: str, at: datetime
    ) -> None:
        """Approve (the requested shifts apply from now on) or decline a request."""
        request = self.shift_requests[request_id]
        request["status"] = "approved" if approved else "declined"

    class Deactivated(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Deactivated)
    def deactivate(self, actor: str, reason: str, at: datetime) -> None:
        """Take no new bookings (booked sessions stay for the clinic to reassign)."""
        self.active = False

    class Reactivated(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Reactivated)
    def reactivate(self, actor: str, reason: str, at: datetime) -> None:
        """Take bookings again."""
        self.active = True
