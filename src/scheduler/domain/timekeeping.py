"""Time as the clinic sees it: stored in UTC, shown and planned in the clinic's zone.

Instants are aware `datetime`s in UTC. Wall-clock times (a shift from 09:00, a weekly
session at 10:00) are minutes after local midnight in the clinic's IANA zone, converted
for each calendar date separately so a weekly plan keeps 10:00 across a DST change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.domain.errors import InvalidTimezone, NaiveDatetime

MINUTES_PER_DAY = 24 * 60


def clinic_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (e.g. 'America/Chicago'); InvalidTimezone if unknown."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise InvalidTimezone(f"time zone {name!r} is not an IANA name like 'Europe/Berlin'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidTimezone(
            f"unknown time zone {name!r}: use an IANA name like 'America/Chicago'"
        ) from error


def as_utc(instant: datetime, what: str = "time") -> datetime:
    """`instant` converted to UTC; NaiveDatetime if it carries no offset."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveDatetime(
            f"{what} {instant.isoformat()} has no UTC offset: give e.g. "
            f"'{instant.isoformat()}+00:00' or a zone-aware datetime"
        )
    return instant.astimezone(UTC)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The clinic's calendar date at `instant`."""
    return instant.astimezone(zone).date()


def minute_of_day(instant: datetime, zone: ZoneInfo) -> int:
    """Minutes after the clinic's local midnight at `instant`."""
    local = instant.astimezone(zone)
    return local.hour * 60 + local.minute


def wall_clock(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of local `minute` after midnight on `day` in `zone`.

    In a spring-forward gap the earlier offset applies (PEP 495 fold=0), which moves the
    instant one hour later in local terms; clinics do not open at 02:30.
    """
    hours, minutes = divmod(minute, 60)
    local = datetime.combine(day, time(hours % 24, minutes), tzinfo=zone)
    if hours >= 24:
        local = datetime.combine(day + timedelta(days=1), time(0, minutes), tzinfo=zone)
    return local.astimezone(UTC)


def dates_between(first: date, last: date) -> list[date]:
    """Every calendar date from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
