"""Distances and travel times between clinic, home bases and patients' homes.

One formula for the whole service, exactly as `spec/planning-problem.md` fixes it: the
domain's "never in two places at once" rule, the matching engine and the independent
checker must agree to the minute, and an equivalent formula can round differently.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0

Location = tuple[float, float]
"""(latitude, longitude) in degrees."""


def haversine_km(a: Location, b: Location) -> float:
    """Great-circle distance in km between two (lat, lon) points in degrees."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    # Rounding can push h a hair above 1 for antipodal points; asin would then fail.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def travel_minutes(a: Location, b: Location, speed_kmh: float) -> int:
    """Whole minutes to drive from `a` to `b`: 0 at the same place, else rounded up."""
    if tuple(a) == tuple(b):
        return 0
    return math.ceil(haversine_km(a, b) / speed_kmh * 60)
