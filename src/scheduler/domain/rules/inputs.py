"""Checks of plain input values shared by the registration and clinical commands."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scheduler.domain.errors import InvalidInput, InvalidPainLevel, NoteRequired

MAX_NOTE = 5000
"""Characters of a progress note or amendment."""


def location(value: Sequence[float], what: str) -> tuple[float, float]:
    """A validated (latitude, longitude); InvalidInput otherwise."""
    if len(value) != 2 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value
    ):
        raise InvalidInput(f"{what} must be [latitude, longitude] in degrees, got {value!r}")
    latitude, longitude = float(value[0]), float(value[1])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(f"{what} {value!r} is not on Earth: latitude ±90, longitude ±180")
    return latitude, longitude


def text(value: str, what: str, *, max_length: int = 500) -> str:
    """A non-blank string, stripped; InvalidInput otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be non-empty text")
    if len(value) > max_length:
        raise InvalidInput(f"{what} must be at most {max_length} characters")
    return value.strip()


def note(value: str) -> str:
    """A progress note: required (a visit without one cannot be charted), at most 5000."""
    if not isinstance(value, str) or not value.strip():
        raise NoteRequired("write a progress note: what was done and how the patient responded")
    if len(value) > MAX_NOTE:
        raise NoteRequired(f"keep the progress note under {MAX_NOTE} characters")
    return value.strip()


def pain_level(value: int, what: str = "pain level") -> int:
    """A validated pain level on the 0-10 scale; InvalidPainLevel otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise InvalidPainLevel(f"{what} must be a whole number from 0 to 10, got {value!r}")
    return value
