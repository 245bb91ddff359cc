"""Cadence: consecutive sessions of a plan are `min_days..max_days` days apart.

Days are the clinic's local calendar dates. Only sessions that take place count: booked
and completed ones (a cancelled session gave its place back; a missed one did not
happen, so the patient may come again soon). The rule looks at the new session's two
neighbours among them:

- the one before: at least `min_days` before, and at most `max_days` before, unless the
  plan is already overdue (that session plus `max_days` is before today): then any day
  from today on is the best the patient can do;
- the one after: at least `min_days` and at most `max_days` after.

A dispatcher may override the rule with a reason (recorded on the session's event).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from scheduler.domain.errors import CadenceBroken, InvalidInput


def cadence(min_days: int, max_days: int) -> tuple[int, int]:
    """Validated days between sessions; InvalidInput unless 0 <= min <= max <= 365."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (min_days, max_days)):
        raise InvalidInput(f"cadence days must be whole numbers, got {min_days!r}..{max_days!r}")
    if not 0 <= min_days <= max_days <= 365:
        raise InvalidInput(
            f"cadence must satisfy 0 <= min_days <= max_days <= 365, got {min_days}..{max_days}"
        )
    return min_days, max_days


def window(
    days: Iterable[date], min_days: int, max_days: int, today: date
) -> tuple[date, date] | None:
    """The days the plan's next session may take after its last one (None: no session
    yet, any day)."""
    taken = sorted(days)
    if not taken:
        return None
    last = taken[-1]
    latest = last + timedelta(days=max_days)
    if latest < today:
        return max(today, last + timedelta(days=min_days)), date.max
    return last + timedelta(days=min_days), latest


def check(day: date, others: Iterable[date], min_days: int, max_days: int, today: date) -> None:
    """Raise CadenceBroken unless a session on `day` keeps the cadence with `others`."""
    taken = sorted(others)
    before = [d for d in taken if d <= day]
    after = [d for d in taken if d > day]
    rule = f"this plan's sessions are {min_days}-{max_days} days apart"
    if before:
        previous = before[-1]
        gap = (day - previous).days
        if gap < min_days:
            raise CadenceBroken(
                f"{day} is {gap} day(s) after the session on {previous}; {rule}: "
                f"choose {previous + timedelta(days=min_days)} or later"
            )
        overdue = previous + timedelta(days=max_days) < today
        if gap > max_days and not overdue:
            raise CadenceBroken(
                f"{day} is {gap} days after the session on {previous}; {rule}: "
                f"choose a day up to {previous + timedelta(days=max_days)}"
            )
    if after:
        following = after[0]
        gap = (following - day).days
        if not min_days <= gap <= max_days:
            raise CadenceBroken(
                f"{day} is {gap} day(s) before the session on {following}; {rule}: "
                f"choose a day from {following - timedelta(days=max_days)} to "
                f"{following - timedelta(days=min_days)}"
            )
