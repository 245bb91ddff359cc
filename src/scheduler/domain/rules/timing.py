"""Time: nothing is booked or moved into the past, nor cancelled or moved once it began.

A visit that really happened but was never booked (a phone call at the door, a system
outage) is *back-filled*: a dispatcher books it in the past with the `in_the_past`
override and a reason, both recorded on the session's event. Completing or marking a
no-show needs the session to have started (see `Session`); a session that has started
is not cancelled but marked no-show.

Overrides are a small, closed set: a rule's code and the reason a person gave for
setting it aside. Who may override is the use-case layer's decision (dispatchers).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from scheduler.domain.errors import InThePast, InvalidInput, SessionStarted

OVERRIDABLE = {
    "cadence": "book off the prescribed cadence",
    "in_the_past": "back-fill a visit that took place",
}
"""Rule code → what overriding it means."""


def overrides(values: Mapping[str, str] | None) -> dict[str, str]:
    """Validated overrides (rule code → reason); InvalidInput names what is wrong."""
    result: dict[str, str] = {}
    for rule, reason in (values or {}).items():
        if rule not in OVERRIDABLE:
            raise InvalidInput(f"rule {rule!r} cannot be overridden: use {sorted(OVERRIDABLE)}")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise InvalidInput(f"overriding {rule!r} needs a reason (1-500 characters)")
        result[rule] = reason.strip()
    return result


def clock(instant: datetime, zone: tzinfo) -> str:
    """'Mon 5 Oct 14:30' on the clinic's wall clock: what the front desk sees."""
    return instant.astimezone(zone).strftime("%a %-d %b %H:%M")


def check_not_past(start: datetime, now: datetime, rules: Mapping[str, str], zone: tzinfo) -> None:
    """Raise InThePast for a start before `now`, unless back-filled."""
    if start < now and "in_the_past" not in rules:
        raise InThePast(
            f"{clock(start, zone)} has already begun (it is {clock(now, zone)} at the clinic): "
            "choose a time in the future"
        )


def check_not_started(
    start: datetime, now: datetime, change: str, rules: Mapping[str, str], zone: tzinfo
) -> None:
    """Raise SessionStarted when a session that began at `start` would be `change`d."""
    if start <= now and "in_the_past" not in rules:
        raise SessionStarted(
            f"the session began at {clock(start, zone)}; it cannot be {change} any more: "
            "record a no-show or complete it"
        )
