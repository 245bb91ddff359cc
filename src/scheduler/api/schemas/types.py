"""Dates and instants of requests, within the years a clinic plans in.

Python's dates run from year 1 to 9999 and arithmetic near either end overflows (the
week after 9999-12-31 does not exist), so a date or instant a request names must fall
in `EARLIEST`..`LATEST`. Every date and date-time of a JSON body is checked at the door
(`api.body_guard`); query parameters are checked with `check_day` and `check_instant`.
`Day` and `Instant` say the same in the OpenAPI document.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from scheduler.api.errors import ApiError

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
SPAN = f"from {EARLIEST} to {LATEST}"

Instant = Annotated[
    datetime,
    msgspec.Meta(
        tz=True,
        description=f"an instant with its UTC offset, {SPAN}",
        examples=["2026-10-05T15:00:00Z"],
    ),
]
"""A date-time field of a request body: offset required, years 2000-2100."""

Day = Annotated[
    date,
    msgspec.Meta(description=f"a date in the clinic's time zone, {SPAN}", examples=["2026-10-05"]),
]
"""A date field or parameter of a request: years 2000-2100."""


class DateOutOfRange(ApiError):
    """Raised when a request names a date or instant outside the years the clinic plans in."""

    status, code = 400, "date_out_of_range"


def in_range(value: date) -> bool:
    """True when the date (or the date-time's date) is within `EARLIEST`..`LATEST`."""
    return EARLIEST.year <= value.year <= LATEST.year


def check_day(value: date, name: str) -> date:
    """`value`, or DateOutOfRange naming the parameter."""
    if not in_range(value):
        raise DateOutOfRange(f"{name} must be a date {SPAN}, not {value.isoformat()}")
    return value


def check_instant(value: datetime, name: str) -> datetime:
    """`value`, or DateOutOfRange naming the parameter."""
    if not in_range(value):
        raise DateOutOfRange(f"{name} must be an instant {SPAN}, not {value.isoformat()}")
    return value
