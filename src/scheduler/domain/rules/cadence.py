"""Cadence: consecutive sessions of a plan are `min_days..max_days` days apart.

Days are the clinic's local calendar dates. Only sessions that take place count: booked
and completed ones (a cancelled session gave its place back; a missed one did not
happen, so the patient may come again soon). The rule looks at the new session's two
neighbours among them:

- the one before: at least `min_days` before, and at most `max_days` before, unless the
  plan is already overdue (that session plus the longest gap is before today): then any
  day from today on is the best the patient can do;
- the one after: at least `min_days` and at most `max_days` after.

A session a sick call displaced that no re-plan could place is *postponed*: it keeps its
place among the plan's sessions (the day it was displaced from), and the sessions on
either side of p postponed ones may be up to `max_days * (p + 1)` apart (the planning
format's v1.1 rule 4). So the engine and every booking path accept the same days.

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


def check(
    day: date,
    others: Iterable[date],
    min_days: int,
    max_days: int,
    today: date,
    *,
    postponed: Iterable[date] = (),
) -> None:
    """Raise CadenceBroken unless a session on `day` keeps the cadence with `others`;
    `postponed` are the places (days displaced from) of the plan's postponed sessions."""
    taken = sorted(others)
    places = list(postponed)
    before = [d for d in taken if d <= day]
    after = [d for d in taken if d > day]
    if before:
        previous = before[-1]
        gap = (day - previous).days
        skipped = sum(1 for p in places if previous < p <= day)
        longest = max_days * (skipped + 1)
        rule = _rule(min_days, max_days, skipped)
        if gap < min_days:
            raise CadenceBroken(
                f"{day} is {gap} day(s) after the session on {previous}; {rule}: "
                f"choose {previous + timedelta(days=min_days)} or later"
            )
        overdue = previous + timedelta(days=longest) < today
        if gap > longest and not overdue:
            raise CadenceBroken(
                f"{day} is {gap} days after the session on {previous}; {rule}: "
                f"choose a day up to {previous + timedelta(days=longest)}"
            )
    if after:
        following = after[0]
        gap = (following - day).days
        skipped = sum(1 for p in places if day < p < following)
        longest = max_days * (skipped + 1)
        if not min_days <= gap <= longest:
            raise CadenceBroken(
                f"{day} is {gap} day(s) before the session on {following}; "
                f"{_rule(min_days, max_days, skipped)}: choose a day from "
                f"{following - timedelta(days=longest)} to "
                f"{following - timedelta(days=min_days)}"
            )


def _rule(min_days: int, max_days: int, skipped: int) -> str:
    """The rule in words, with the widening `skipped` postponed sessions allow."""
    rule = f"this plan's sessions are {min_days}-{max_days} days apart"
    if skipped:
        rule += f", up to {max_days * (skipped + 1)} across {skipped} postponed session(s)"
    return rule
