"""Make room for a displaced session by moving one other visit (within the budget).

After the re-timing repair, a displaced session that still has no place may take the
place of one other visit on a route it could go to, when that visit finds another place
itself: the same day at another time (cheapest), another qualified therapist that day,
or another day its plan's cadence allows (dearest), in that order. Each such move costs
one change of the dispatcher's budget. Routes of a therapist the displaced session's
plan already has are tried first (continuity of care).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from scheduler.matching import rules
from scheduler.matching.problem import Plan, Problem, Visit
from scheduler.matching.routes import DayRoute, Stop
from scheduler.matching.timetable import Timetable

Key = tuple[str, int]


def eject(
    problem: Problem,
    visits: Sequence[Visit],
    pending: Sequence[Key],
    *,
    changes_left: int,
    deadline: float,
) -> tuple[list[Visit], int]:
    """`visits` with what it could place of the `pending` displaced sessions, each by
    moving at most one other visit; returns the visits and the changes it made."""
    tt = Timetable(problem, visits)
    tt.fixed = {(f.plan, f.session): f for f in problem.fixed}
    used = 0
    for pid, session in sorted(pending, key=lambda k: (k[1], k[0])):
        if used >= changes_left or time.monotonic() > deadline:
            break
        if session in tt.where.get(pid, {}):
            continue
        if _place_alone(tt, problem.plans[pid], session):
            continue
        used += _place_by_moving_one(tt, problem.plans[pid], session, deadline)
    return tt.visits(), used


def _days(tt: Timetable, plan: Plan, session: int) -> tuple[int, int] | None:
    """Hard: rule 4 — the days the session may take between the plan's placed ones."""
    held = {s: day for s, (_, day) in tt.where.get(plan.id, {}).items() if s != session}
    postponable = {n for p, n in tt.problem.displaced if p == plan.id}
    return rules.days_between(plan, session, held, postponable, tt.problem.days)


def _routes(tt: Timetable, plan: Plan, session: int) -> Iterator[tuple[DayRoute, Stop]]:
    """Hard: rules 1, 2 and 4 — every route the session may go to, with its stop; the
    plan's own therapists first."""
    days = _days(tt, plan, session)
    if days is None:
        return
    own = tt.therapists_of(plan.id)
    for therapist in sorted(rules.eligible(tt.problem, plan), key=lambda t: t.id not in own):
        for o in rules.options(plan, therapist, *days):
            route = tt.routes.get((therapist.id, o.day))
            if route is not None:
                location = tt.plan_location[plan.id]
                yield route, Stop(plan.id, session, location, plan.duration, o.earliest, o.latest)


def _insert(tt: Timetable, route: DayRoute, stop: Stop) -> bool:
    """Place the stop at its cheapest feasible start on the clinic's grid, pinned there;
    False if none."""
    plan = tt.problem.plans[stop.plan]
    busy = tt.patient_busy(plan, route.day)
    at = route.best_insertion(stop, busy)
    grid = tt.problem.grid
    if at is not None and at.start % grid:
        # The first start on the grid from the earliest feasible one that still fits.
        at = None
        for start in rules.on_grid(stop.earliest, stop.latest, grid):
            on = Stop(stop.plan, stop.session, stop.location, stop.duration, start, start)
            at = route.best_insertion(on, busy)
            if at is not None:
                break
    if at is None:
        return False
    stop.earliest = stop.latest = at.start
    stop.pinned = True
    tt.insert(route, stop, at.position, at.start)
    return True


def _place_alone(tt: Timetable, plan: Plan, session: int) -> bool:
    """Soft: continuity first — the first route where the session fits as things are."""
    return any(_insert(tt, route, stop) for route, stop in _routes(tt, plan, session))


def _place_by_moving_one(tt: Timetable, plan: Plan, session: int, deadline: float) -> int:
    """Take one other visit out of a route the session could go to, place the session,
    and re-home that visit (same day, other therapist, other day). 1 if done, else 0."""
    for route, stop in list(_routes(tt, plan, session)):
        for other in list(route.stops):
            if time.monotonic() > deadline:
                return 0
            key = (other.plan, other.session)
            patient = tt.problem.plans[other.plan].patient
            if key in tt.fixed or key in tt.problem.displaced or patient in tt.pinned_patients:
                continue
            tt.begin()
            tt.unplace_stop(route, other)
            fresh = Stop(
                stop.plan, stop.session, stop.location, stop.duration, stop.earliest, stop.latest
            )
            if _insert(tt, route, fresh) and _rehome(tt, other, route):
                tt.commit()
                return 1
            tt.rollback()
    return 0


def _rehome(tt: Timetable, other: Stop, was: DayRoute) -> bool:
    """Soft: least disruption — the visit at another time the same day, else with another
    therapist that day, else on another day its cadence allows."""
    plan = tt.problem.plans[other.plan]
    places = list(_routes(tt, plan, other.session))
    same_day = [p for p in places if p[0] is was]
    other_therapist = [p for p in places if p[0].day == was.day and p[0] is not was]
    other_day = [p for p in places if p[0].day != was.day]
    return any(_insert(tt, route, stop) for route, stop in same_day + other_therapist + other_day)
