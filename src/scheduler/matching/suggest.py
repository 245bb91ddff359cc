"""Booking-page suggestions: the best few (therapist, day, start) for a plan's next session.

Pure Python, no solver: only the routes of therapists who could take the session, on
the days its cadence allows, are rebuilt from the bookings, and the session is tried
in each of them with the same insertion the planner uses (travel, shift, max visits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.matching import rules
from scheduler.matching.problem import Problem, Visit
from scheduler.matching.routes import DayRoute, Geometry, Stop

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class UnknownPlan(KeyError):
    """Raised when suggestions are asked for a plan the problem does not hold."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One bookable option for the next session, best first."""

    plan: str
    session: int
    therapist: str
    day: int
    start: int
    score: float
    reason: str


def suggest(
    problem: Problem,
    plan_id: str,
    *,
    booked: Sequence[Visit],
    k: int = 5,
    first_weekday: int = 0,
) -> list[Suggestion]:
    """The `k` best options for the plan's first session not in `booked`.

    Ranked by continuity (the plan's current therapist), then preference, then least
    added travel, then earliest. `first_weekday` (0 = Monday) names day 0 in reasons.
    """
    plan = problem.plans.get(plan_id)
    if plan is None:
        raise UnknownPlan(plan_id)
    mine = {v.session: v for v in booked if v.plan == plan_id}
    session = next((s for s in range(1, plan.sessions + 1) if s not in mine), None)
    if session is None:
        return []
    prev = mine.get(session - 1)
    later = {s: v.day for s, v in mine.items() if s > session}
    first, last = rules.day_range(plan, session, prev.day if prev else None, later)
    candidates = {t.id: t for t in rules.eligible(problem, plan)}
    slots = {
        (tid, o.day): o
        for tid, t in candidates.items()
        for o in rules.options(plan, t, first, last)
    }
    if not slots:
        return []
    geo = Geometry(problem.speed_kmh)
    routes: dict[tuple[str, int], DayRoute] = {}
    busy: dict[int, list[tuple[int, int]]] = {}
    days = {d for _, d in slots}
    for tid, day in slots:
        t = candidates[tid]
        shift = t.shifts[day]
        routes[tid, day] = DayRoute(
            geo, tid, day, geo.id_of(t.base), shift.start, shift.end, t.max_visits_per_day
        )
    for v in sorted(booked, key=lambda v: v.start):
        other = problem.plans.get(v.plan)
        if other is None or v.day not in days:
            continue
        if other.patient == plan.patient:
            busy.setdefault(v.day, []).append((v.start, v.start + other.duration))
        route = routes.get((v.therapist, v.day))
        if route is not None:
            stop = Stop(
                v.plan,
                v.session,
                geo.id_of(other.location),
                other.duration,
                v.start,
                v.start,
                pinned=True,
            )
            route.put(len(route.stops), stop)
    location = geo.id_of(plan.location)
    ranked = []
    usual = prev.therapist if prev else None
    for (tid, day), o in slots.items():
        stop = Stop(plan.id, session, location, plan.duration, o.earliest, o.latest)
        at = routes[tid, day].best_insertion(stop, busy.get(day, []))
        if at is None:
            continue
        same = tid == usual
        preferred = tid == plan.preferred_therapist
        score = 100.0 * same + 50.0 * preferred - at.added_km - 0.1 * day
        weekday = _WEEKDAYS[(first_weekday + day) % 7]
        when = f"{weekday} (day {day}) {at.start // 60:02d}:{at.start % 60:02d}"
        why = [
            "same therapist as last time" if same else "",
            "the patient's preferred therapist" if preferred else "",
            f"adds {at.added_km:.1f} km to the day's route",
        ]
        reason = ", ".join(x for x in why if x) + f", {when}"
        ranked.append(Suggestion(plan.id, session, tid, day, at.start, round(score, 3), reason))
    ranked.sort(key=lambda s: (-s.score, s.day, s.start, s.therapist))
    return ranked[:k]
