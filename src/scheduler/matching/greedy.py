"""The simple greedy baseline the solver is measured against.

Plans in input order (those with fixed bookings first), sessions in order, each on
the first therapist (the previous session's first) and the earliest day where it fits;
no look-ahead, no revision (plans with fixed bookings excepted: they need the chain
search to reach their booking).
"""

from __future__ import annotations

from scheduler.matching import rules
from scheduler.matching.placement import place_plan
from scheduler.matching.problem import Plan, Problem
from scheduler.matching.routes import Stop
from scheduler.matching.timetable import Timetable


def greedy_timetable(problem: Problem) -> Timetable:
    """First-fit placement of every plan, session by session."""
    tt = Timetable(problem)
    # Plans with booked sessions go first: their earlier sessions must reach the booking.
    booked = sorted(problem.plans.values(), key=lambda p: p.id not in tt.fixed_days)
    for plan in booked:
        therapists = [t.id for t in rules.eligible(problem, plan)]
        if plan.id in tt.fixed_days:
            # First fit may strand a booked later session; these plans get the chain search.
            place_plan(tt, plan, therapists, node_limit=200)
        else:
            _first_fit(tt, plan, therapists)
    return tt


def _first_fit(tt: Timetable, plan: Plan, therapists: list[str]) -> None:
    prev_day: int | None = None
    prev_therapist: str | None = None
    location = tt.plan_location[plan.id]
    for session in range(1, plan.sessions + 1):
        fixed = tt.fixed.get((plan.id, session))
        if fixed is not None:
            prev_day, prev_therapist = fixed.day, fixed.therapist
            continue
        first, last = rules.day_range(plan, session, prev_day, tt.fixed_days.get(plan.id))
        order = [prev_therapist] if prev_therapist in therapists else []
        order += [t for t in therapists if t != prev_therapist]
        placed = False
        for tid in order:
            therapist = tt.problem.therapists[tid]
            for opt in sorted(rules.options(plan, therapist, first, last), key=lambda o: o.day):
                route = tt.routes.get((tid, opt.day))
                if route is None:
                    continue
                stop = Stop(plan.id, session, location, plan.duration, opt.earliest, opt.latest)
                at = route.best_insertion(stop, tt.patient_busy(plan, opt.day))
                if at is not None:
                    tt.insert(route, stop, at.position, at.start)
                    prev_day, prev_therapist, placed = opt.day, tid, True
                    break
            if placed:
                break
        if not placed:
            return
