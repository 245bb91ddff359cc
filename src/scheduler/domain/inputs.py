"""Checks of plain input values shared by the registration commands."""

from __future__ import annotations

import math
from collections.abc import Sequence

from scheduler.domain.errors import InvalidInput


def location(value: Sequence[float], what: str) -> tuple[float, float]:
    """A validated (latitude, longitude); InvalidInput otherwise."""
    if len(value) != 2 or not all(isinstance(v, int | float) and math.isfinite(v) for v in value):
        raise InvalidInput(f"{what} must be [latitude, longitude] in degrees, got {value!r}")
    latitude, longitude = float(value[0]), float(value[1])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(f"{what} {value!r} is not on Earth: latitude ±90, longitude ±180")
    return latitude, longitude


def text(value: str, what: str) -> str:
    """A non-blank string, stripped; InvalidInput otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be non-empty text")
    return value.strip()
