"""Reading the staff pages' forms: numbers, coordinates and weekly shifts.

Each reader notes a field-level message in `errors` and returns None when the value is
missing or malformed, so a page shows what to fix next to the field and keeps what was
typed; nothing is ever replaced by a default.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.domain.rules.care import SPECIALIZATIONS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
SKILLS = sorted(SPECIALIZATIONS)
"""The specializations a therapist may hold, in the order the forms list them."""


def whole(raw: str, field: str, errors: dict[str, str], *, low: int, high: int) -> int | None:
    """A whole number from `low` to `high`, or None with a message."""
    if not raw:
        errors[field] = f"Enter a whole number from {low} to {high}."
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[field] = f"Enter a whole number from {low} to {high}, without units."
        return None
    if not low <= value <= high:
        errors[field] = f"Enter a whole number from {low} to {high}."
        return None
    return value


def decimal(
    raw: str, field: str, errors: dict[str, str], *, low: float, high: float
) -> float | None:
    """A decimal number from `low` to `high` (a dot or comma as separator), or None."""
    if not raw:
        errors[field] = f"Enter a number from {low:g} to {high:g}."
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        errors[field] = f"Enter a number from {low:g} to {high:g}, like 41.8781."
        return None
    if not math.isfinite(value) or not low <= value <= high:
        errors[field] = f"Enter a number from {low:g} to {high:g}."
        return None
    return value


def point(
    form: dict[str, str], prefix: str, errors: dict[str, str], *, required: bool
) -> tuple[float, float] | None:
    """(latitude, longitude) from `<prefix>_latitude` and `<prefix>_longitude`; both
    blank is None (an error if `required`)."""
    lat_raw, lon_raw = form.get(f"{prefix}_latitude", ""), form.get(f"{prefix}_longitude", "")
    if not lat_raw and not lon_raw and not required:
        return None
    latitude = decimal(lat_raw, f"{prefix}_latitude", errors, low=-90, high=90)
    longitude = decimal(lon_raw, f"{prefix}_longitude", errors, low=-180, high=180)
    if latitude is None or longitude is None:
        return None
    return (latitude, longitude)


def minutes(raw: str) -> int | None:
    """Minutes after midnight of an `<input type=time>` value ("24:00" is the day's end)."""
    hours, _, mins = raw.partition(":")
    if not (hours.isdigit() and mins[:2].isdigit()):
        return None
    value = int(hours) * 60 + int(mins[:2])
    return value if 0 <= value <= 1440 and int(mins[:2]) < 60 else None


def clock(value: int) -> str:
    """Minutes after midnight as HH:MM."""
    return f"{value // 60:02d}:{value % 60:02d}"


def shifts_form(shifts: dict[str, tuple[int, int]] | dict[str, list[int]]) -> dict[str, str]:
    """The form fields that show weekly `shifts` (`mon_start`, `mon_end`…)."""
    fields: dict[str, str] = {}
    for day, window in shifts.items():
        fields[f"{day}_start"], fields[f"{day}_end"] = clock(window[0]), clock(window[1])
    return fields


def weekly_shifts(form: dict[str, str], errors: dict[str, str]) -> dict[str, list[int]]:
    """Weekly shifts from `<day>_start` and `<day>_end` (both blank: not working)."""
    result: dict[str, list[int]] = {}
    for day in WEEKDAYS:
        start_raw, end_raw = form.get(f"{day}_start", ""), form.get(f"{day}_end", "")
        if not start_raw and not end_raw:
            continue
        start, end = minutes(start_raw), minutes(end_raw)
        name = DAY_NAMES[day]
        if start is None:
            errors[f"{day}_start"] = (
                f"Enter when {name}'s shift starts, like 09:00 (or clear both)."
            )
        if end is None:
            errors[f"{day}_end"] = f"Enter when {name}'s shift ends, like 17:00 (or clear both)."
        if start is not None and end is not None:
            if end <= start:
                errors[f"{day}_end"] = f"{name}'s shift must end after it starts."
            else:
                result[day] = [start, end]
    return result


def skills(chosen: list[str], errors: dict[str, str]) -> list[str]:
    """The ticked specializations (at least one, each known)."""
    unknown = [value for value in chosen if value not in SPECIALIZATIONS]
    if unknown:
        errors["specializations"] = f"Choose from the list; unknown: {', '.join(unknown)}."
    elif not chosen:
        errors["specializations"] = "Tick at least one specialization."
    return [value for value in chosen if value in SPECIALIZATIONS]


def days_off(entries: Iterable[Mapping[str, Any]], zone: str) -> list[tuple[date, date, str, str]]:
    """A therapist's time off as (first, last local day, kind, reason), soonest first."""
    tz = ZoneInfo(zone)
    shown = []
    for entry in entries:
        start, end = entry.get("start"), entry.get("end")
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            continue
        last = (end.astimezone(tz) - timedelta(microseconds=1)).date()
        kind = str(entry.get("kind", "")).replace("_", " ")
        shown.append((start.astimezone(tz).date(), last, kind, str(entry.get("reason", ""))))
    return sorted(shown)


def credentials(
    form: Mapping[str, str], errors: dict[str, str], *, prefix: str = ""
) -> tuple[str, str]:
    """The e-mail address and first password of an account to open (fields `email` and
    `password`, after `prefix` where a page has other e-mail fields)."""
    email, password = form.get(f"{prefix}email", ""), form.get(f"{prefix}password", "")
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        errors[f"{prefix}email"] = "Enter an e-mail address like name@example.com."
    if len(password) < 10:
        errors[f"{prefix}password"] = "Choose a password of at least 10 characters."
    return email, password
