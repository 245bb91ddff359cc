"""Street addresses to coordinates, through a Nominatim server when one is configured.

`SCHEDULER_GEOCODER_URL` names the server (`https://nominatim.example.org`); without
it nothing is geocoded and people enter coordinates themselves (or leave a home
unlocated: home visits then wait until it is). The adapter is `geopy`'s Nominatim
client; its calls block, so callers run them in a thread.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim

TIMEOUT_S = 5


class Geocoder(Protocol):
    """Finds where an address is."""

    def locate(self, address: str) -> tuple[float, float] | None:
        """(latitude, longitude) of the address, or None when it cannot be found."""


class NominatimGeocoder:
    """A Nominatim server's search, through geopy."""

    def __init__(self, url: str, *, user_agent: str = "scheduler (medical-massage clinics)"):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"SCHEDULER_GEOCODER_URL must be http(s)://host[:port], got {url!r}")
        self.client = Nominatim(
            domain=parts.netloc + parts.path.rstrip("/"),
            scheme=parts.scheme,
            user_agent=user_agent,
            timeout=TIMEOUT_S,
        )

    def locate(self, address: str) -> tuple[float, float] | None:
        """The best match's coordinates, or None (not found, or the server failed)."""
        try:
            found = self.client.geocode(address, exactly_one=True)
        except GeopyError:
            return None
        if found is None:
            return None
        return (float(found.latitude), float(found.longitude))


def geocoder_from(url: str | None) -> Geocoder | None:
    """The configured geocoder, or None."""
    return NominatimGeocoder(url) if url else None
