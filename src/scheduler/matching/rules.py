"""The clinic's rules as the heuristics use them, one function each.

Hard rules say what a placement may be; soft rules return named penalty terms so a
result can say what it gave up. Route feasibility (hard rule 3) lives in `routes.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scheduler.matching.problem import Plan, Problem, Therapist


@dataclass(frozen=True, slots=True)
class Option:
    """A day a session could take, with the range its start may take that day."""

    day: int
    earliest: int
    latest: int


def eligible(problem: Problem, plan: Plan) -> list[Therapist]:
    """Hard: rule 1 — the therapist has the skill, is not excluded, and is mobile for home."""
    return [t for t in problem.therapists.values() if problem.can_treat(t, plan)]


def day_range(
    plan: Plan, session: int, previous_day: int | None, fixed_days: dict[int, int] | None = None
) -> tuple[int, int]:
    """Hard: rule 4 — session 1 within `first_day`, each next one min..max days later,
    and early enough (yet not too early) to reach the plan's next fixed session."""
    if session == 1 or previous_day is None:
        first, last = plan.first_earliest, plan.first_latest
    else:
        first, last = previous_day + plan.min_days, previous_day + plan.max_days
    for later, day in sorted((fixed_days or {}).items()):
        if later > session:
            gap = later - session
            first = max(first, day - gap * plan.max_days)
            last = min(last, day - gap * plan.min_days)
            break
    return first, last


def days_between(
    plan: Plan, session: int, held: dict[int, int], postponable: set[int], horizon: int
) -> tuple[int, int] | None:
    """Hard: rule 4 with postponed sessions (v1.1) — the days a session may take between
    the plan's placed (`held`) sessions around it, when every session between them is
    `postponable`: min_days..max_days * (gap in sessions) from the one below, and as much
    before the one above. None when a session between them can be neither."""
    below = [n for n in held if n < session]
    above = [n for n in held if n > session]
    low = max(below, default=0)
    high = min(above, default=session + 1)
    if any(n not in postponable for n in (*range(low + 1, session), *range(session + 1, high))):
        return None
    if below:
        first, last = held[low] + plan.min_days, held[low] + plan.max_days * (session - low)
    elif session == 1:
        first, last = plan.first_earliest, plan.first_latest
    else:  # every session below is postponed: rule 4 bounds this one from above only
        first, last = 0, horizon - 1
    if above:
        first = max(first, held[high] - plan.max_days * (high - session))
        last = min(last, held[high] - plan.min_days)
    first, last = max(first, 0), min(last, horizon - 1)
    return (first, last) if first <= last else None


def on_grid(earliest: int, latest: int, grid: int) -> list[int]:
    """Soft: the clinic's slot grid — the starts from `earliest` to `latest` on it."""
    return list(range(-(-earliest // grid) * grid, latest + 1, grid))


def options(plan: Plan, therapist: Therapist, first: int, last: int) -> Iterator[Option]:
    """Hard: rule 2 — inside one availability window and the therapist's shift, same day."""
    for w in plan.availability:
        if not first <= w.day <= last:
            continue
        shift = therapist.shifts.get(w.day)
        if shift is None:
            continue
        earliest = max(w.start, shift.start)
        latest = min(w.end, shift.end) - plan.duration
        if earliest <= latest:
            yield Option(w.day, earliest, latest)


def continuity_penalty(therapists_of_plan: set[str]) -> dict[str, int]:
    """Soft: continuity — a plan seen by more than one therapist loses it."""
    return {"continuity": int(len(therapists_of_plan) > 1)}


def preference_penalty(plan: Plan, therapists_of_plan: set[str]) -> dict[str, int]:
    """Soft: preference — a plan with a preferred therapist should be seen only by them."""
    wanted = plan.preferred_therapist
    return {"preference": int(wanted is not None and therapists_of_plan != {wanted})}


def travel_penalty(added_km: float) -> dict[str, float]:
    """Soft: travel — km a visit adds to its therapist's day route."""
    return {"travel_km": added_km}
