"""Reading the care forms' fields: each reader notes what to fix under the field's name
and returns None, so a form shows every problem at once and never writes a guess."""

from __future__ import annotations

from scheduler.api.pages import availability
from scheduler.usecases.patients import Details


def text(
    form: dict[str, str],
    name: str,
    errors: dict[str, str],
    *,
    label: str,
    required: bool = False,
    limit: int = 200,
) -> str:
    """A text field (trimmed); an error if it is required and empty, or too long."""
    value = form.get(name, "")
    if required and not value:
        errors[name] = f"Enter {label}."
    elif len(value) > limit:
        errors[name] = f"Keep {label} under {limit} characters."
    return value


def whole(
    form: dict[str, str], name: str, errors: dict[str, str], *, low: int, high: int, what: str
) -> int | None:
    """A whole number from `low` to `high` (an error otherwise, also when empty)."""
    raw = form.get(name, "")
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        errors[name] = f"Enter {what}: a whole number from {low} to {high}."
        return None
    return int(raw)


def place(
    form: dict[str, str], errors: dict[str, str], *, prefix: str = ""
) -> tuple[float, float] | None:
    """Optional coordinates: both or neither, each in range (None when both are empty)."""
    lat_name, lon_name = f"{prefix}latitude", f"{prefix}longitude"
    raw_lat, raw_lon = form.get(lat_name, ""), form.get(lon_name, "")
    if not raw_lat and not raw_lon:
        return None
    values = []
    for name, raw, limit in ((lat_name, raw_lat, 90), (lon_name, raw_lon, 180)):
        try:
            value = float(raw)
        except ValueError:
            errors[name] = f"Enter a number from -{limit} to {limit} (or leave both empty)."
            continue
        if not -limit <= value <= limit:
            errors[name] = f"Enter a number from -{limit} to {limit}."
            continue
        values.append(value)
    return (values[0], values[1]) if len(values) == 2 else None


def weekly(form: dict[str, str], name: str, errors: dict[str, str]) -> availability.Windows:
    """Weekly availability from its line of text (see `availability`); {} when empty."""
    try:
        return availability.parse(form.get(name, ""))
    except availability.NotUnderstood as problem:
        errors[name] = f"{problem}. For example: {availability.EXAMPLE}."
        return {}


def contact(form: dict[str, str], errors: dict[str, str], *, email: str) -> Details:
    """A patient's name, phone, street address and optional coordinates (all required
    but the coordinates); the e-mail is read by the caller, which knows its rules."""
    return Details(
        name=text(form, "name", errors, label="your full name", required=True),
        phone=text(form, "phone", errors, label="a phone number", required=True, limit=40),
        address=text(
            form, "address", errors, label="your street address", required=True, limit=300
        ),
        email=email,
        home=place(form, errors),
    )
