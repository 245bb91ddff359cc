"""FHIR date search parameters: `start=ge2026-12-07`, `date=lt2026-12-14T09:00:00Z`.

A value is an optional prefix and a date (a whole day in the clinic's time zone) or a
date-time with its offset (that second). As in the FHIR search specification, each
value stands for a range [low, high) and a prefix compares the resource's instant with
it: `eq` (the default) inside it, `ge` at or after its start, `gt` after its end, `le`
before its end, `lt` before its start. Several values of one parameter all apply. The
prefixes that need more than an instant (`ne`, `sa`, `eb`, `ap`) are refused with 400,
as are dates outside the years the clinic plans in.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.api.errors import ApiError
from scheduler.api.schemas.types import check_day, check_instant
from scheduler.domain.timekeeping import wall_clock

PREFIXES = ("eq", "ge", "gt", "le", "lt")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


class InvalidSearch(ApiError):
    """Raised when a FHIR search parameter is malformed or uses an unsupported prefix."""

    status, code = 400, "invalid_search"


@dataclass(frozen=True)
class DateParam:
    """One value of a date search parameter: a prefix and the range [low, high)."""

    prefix: str
    low: datetime
    high: datetime

    def matches(self, instant: datetime) -> bool:
        """True when `instant` satisfies the prefix against the range."""
        match self.prefix:
            case "ge":
                return instant >= self.low
            case "gt":
                return instant >= self.high
            case "le":
                return instant < self.high
            case "lt":
                return instant < self.low
        return self.low <= instant < self.high

    @property
    def earliest(self) -> datetime | None:
        """The earliest instant it admits (None: no lower bound)."""
        return {"eq": self.low, "ge": self.low, "gt": self.high}.get(self.prefix)

    @property
    def until(self) -> datetime | None:
        """The first instant past every one it admits (None: no upper bound)."""
        return {"eq": self.high, "le": self.high, "lt": self.low}.get(self.prefix)


def parse(name: str, raw: str, zone: ZoneInfo) -> DateParam:
    """`raw` (one value of parameter `name`) read in the clinic's `zone`."""
    prefix, value = (raw[:2], raw[2:]) if raw[:2].isalpha() else ("eq", raw)
    if prefix not in PREFIXES:
        raise InvalidSearch(
            f"{name}: the prefix {prefix!r} is not supported; use one of {', '.join(PREFIXES)}"
        )
    if _DAY.match(value):
        day = check_day(_day(name, value), name)
        return DateParam(prefix, wall_clock(day, 0, zone), wall_clock(_next(day), 0, zone))
    if _INSTANT.match(value):
        instant = check_instant(_instant(name, value), name)
        return DateParam(prefix, instant, instant + timedelta(seconds=1))
    raise InvalidSearch(
        f"{name}={raw!r}: give a date like 2026-12-07 or a date-time with its offset like "
        "2026-12-07T09:00:00Z, optionally after a prefix such as ge or lt"
    )


def parse_all(name: str, values: list[str] | None, zone: ZoneInfo) -> list[DateParam]:
    """Every value of a repeated parameter (none: an empty list)."""
    return [parse(name, raw, zone) for raw in values or []]


def matches_all(params: list[DateParam], instant: datetime) -> bool:
    """True when `instant` satisfies every value."""
    return all(param.matches(instant) for param in params)


def span(params: list[DateParam]) -> tuple[datetime | None, datetime | None]:
    """The narrowest [earliest, until) the values allow (None where unbounded)."""
    lows = [p.earliest for p in params if p.earliest is not None]
    highs = [p.until for p in params if p.until is not None]
    return (max(lows) if lows else None, min(highs) if highs else None)


def _day(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidSearch(f"{name}: {value!r} is not a calendar date") from None


def _instant(name: str, value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InvalidSearch(f"{name}: {value!r} is not a date-time") from None


def _next(day: date) -> date:
    return day + timedelta(days=1)
