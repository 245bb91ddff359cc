"""Who takes which plan: an aggregated CP-SAT assignment model.

Each plan goes to one therapist (continuity). A plan's sessions fall on the days of its
cadence chains through its availability windows; the model spreads each plan's expected
load over those days and keeps every therapist-day within its shift minutes and visit
cap, preferring nearby therapists (travel) and preferred ones. Exact days, times and
route order are left to the per-therapist models (`repack.py`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ortools.linear_solver import pywraplp

from scheduler.matching.problem import Plan, Problem, Therapist
from scheduler.matching.timetable import Timetable

_MAX_CHAINS = 40
_CANDIDATES = 6
_UTILISATION = 0.92  # share of shift minutes plannable after travel between visits


def chain_days(plan: Plan, therapist: Therapist, fixed: dict[int, int]) -> dict[int, float]:
    """Share of the plan's full cadence chains (on this therapist's shift days) using each
    day; empty when no chain places every session."""
    by_day: dict[int, list[int]] = defaultdict(list)
    for w in plan.availability:
        if w.day in therapist.shifts and w.end - w.start >= plan.duration:
            by_day[w.day].append(w.start)
    days = sorted(by_day)
    chains: list[list[int]] = []

    def extend(chain: list[int]) -> None:
        if len(chains) >= _MAX_CHAINS:
            return
        session = len(chain) + 1
        if session > plan.sessions:
            chains.append(list(chain))
            return
        if session in fixed:
            options = [fixed[session]]
        elif chain:
            options = [d for d in days if plan.min_days <= d - chain[-1] <= plan.max_days]
        else:
            options = [d for d in days if plan.first_earliest <= d <= plan.first_latest]
        for d in options:
            if chain and not plan.min_days <= d - chain[-1] <= plan.max_days:
                continue
            chain.append(d)
            extend(chain)
            chain.pop()

    extend([])
    share: dict[int, float] = defaultdict(float)
    for chain in chains:
        for session, d in enumerate(chain, start=1):
            if session not in fixed:
                share[d] += 1 / len(chains)
    return dict(share)


def assign(
    tt: Timetable, eligible: dict[str, list[str]], *, time_limit_s: float = 3.0
) -> dict[str, list[tuple[str, float]]]:
    """Plan id -> therapists ranked by the LP relaxation's share of the plan (best first).

    The linear relaxation of the assignment (GLOP) is fast and steers plans to the
    therapists where capacity and travel fit them; the integral choice is left to the
    insertion and the per-therapist CP-SAT models.
    """
    problem: Problem = tt.problem
    lp = pywraplp.Solver.CreateSolver("GLOP")
    load: dict[tuple[str, int], list[tuple[float, float, Any]]] = defaultdict(list)
    choice: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    objective = lp.Objective()
    for plan in problem.plans.values():
        fixed = tt.fixed_days.get(plan.id, {})
        fixed_by = {tt.fixed[plan.id, s].therapist for s in fixed}
        candidates = sorted(fixed_by) if len(fixed_by) == 1 else eligible[plan.id]
        loc = tt.plan_location[plan.id]
        # The nearest few therapists (and the preferred one) keep the LP small.
        candidates = sorted(
            candidates,
            key=lambda tid: (
                tid != plan.preferred_therapist,
                tt.geo.km(tt.geo.id_of(problem.therapists[tid].base), loc),
            ),
        )[:_CANDIDATES]
        for tid in candidates:
            t = problem.therapists[tid]
            share = chain_days(plan, t, fixed)
            if not share and len(fixed) < plan.sessions:
                continue
            x = lp.NumVar(0.0, 1.0, "")
            choice[plan.id].append((tid, x))
            base = tt.geo.id_of(t.base)
            minutes = tt.geo.minutes(base, loc) if plan.home else 0
            km = tt.geo.km(base, loc)
            for day, s in share.items():
                load[tid, day].append((s * (plan.duration + min(minutes, 25)), s, x))
            value = 100.0 * (plan.sessions - len(fixed)) - km * len(share)
            value += 30.0 * (plan.preferred_therapist == tid)
            objective.SetCoefficient(x, value)
        if choice[plan.id]:
            one = lp.Constraint(0.0, 1.0)
            for _, x in choice[plan.id]:
                one.SetCoefficient(x, 1.0)
    for (tid, day), terms in load.items():
        route = tt.routes.get((tid, day))
        if route is None:
            continue
        booked = sum(s.duration for s in route.stops)
        minutes = lp.Constraint(0.0, max(0.0, _UTILISATION * (route.end - route.start) - booked))
        for a, _, x in terms:
            minutes.SetCoefficient(x, a)
        if sum(c for _, c, _ in terms) > route.capacity - len(route.stops):
            visits = lp.Constraint(0.0, float(max(0, route.capacity - len(route.stops))))
            for _, c, x in terms:
                visits.SetCoefficient(x, c)
    objective.SetMaximization()
    lp.SetTimeLimit(int(1000 * time_limit_s))
    status = lp.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return {}  # out of time: the construction orders candidates without it
    return {
        pid: sorted(((tid, x.solution_value()) for tid, x in opts), key=lambda o: -o[1])
        for pid, opts in choice.items()
    }
