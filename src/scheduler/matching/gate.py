"""The feasibility gate: no result leaves the engine with a rule broken that it can mend.

A search under time pressure can end with sessions missing before a booked (fixed)
session of the same plan. The gate first places those sessions (making room by taking
out visits of plans without bookings when it must); whatever still breaks a rule after
that is taken out (a displaced session is postponed, v1.1). Only what the input itself
breaks stays, reported as the plan's reason: `infeasible_fixed`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from scheduler.matching import rules
from scheduler.matching.placement import place_plan
from scheduler.matching.problem import Plan, Problem, Visit
from scheduler.matching.timetable import Timetable
from scheduler.matching.validate import Violation, violations

Key = tuple[str, int]
_ROUNDS = 50


@dataclass(slots=True)
class Gated:
    """A result that keeps every rule, or the input's own violations."""

    visits: list[Visit]
    postponed: list[Key]
    broken: list[Violation] = field(default_factory=list)
    mended: int = 0  # sessions placed before a booking that the search had left out
    removed: int = 0  # visits taken out because they broke a rule


def postponed_of(problem: Problem, visits: Sequence[Visit]) -> list[Key]:
    """Displaced sessions below a placed session of their plan and not placed themselves."""
    top: dict[str, int] = {}
    placed = {(v.plan, v.session) for v in visits}
    for v in visits:
        top[v.plan] = max(top.get(v.plan, 0), v.session)
    return sorted(
        (pid, s) for pid, s in problem.displaced if (pid, s) not in placed and s < top.get(pid, 0)
    )


def gate(problem: Problem, visits: Sequence[Visit], *, time_limit_s: float = 2.0) -> Gated:
    """`visits` made feasible: missing sessions before bookings placed, then offenders out."""
    deadline = time.monotonic() + time_limit_s
    fixed = {(f.plan, f.session) for f in problem.fixed}
    out = Gated(list(visits), postponed_of(problem, visits))
    found = violations(problem, out.visits, out.postponed)
    if found and any(f.rule == "rule4" for f in found):
        before = len(out.visits)
        out.visits = _fill_before_bookings(problem, out.visits, deadline)
        out.mended = len(out.visits) - before
    for _ in range(_ROUNDS):
        out.postponed = postponed_of(problem, out.visits)
        found = violations(problem, out.visits, out.postponed)
        offenders = {(f.plan, f.session) for f in found} - fixed
        if not offenders:
            out.broken = found
            break
        out.removed += len(offenders)
        out.visits = [v for v in out.visits if (v.plan, v.session) not in offenders]
    return out


def _fill_before_bookings(problem: Problem, visits: list[Visit], deadline: float) -> list[Visit]:
    """Place the sessions missing below a plan's booked session, making room if needed."""
    tt = _timetable(problem, visits)
    for pid in tt.broken_plans():
        if time.monotonic() > deadline:
            break
        plan = problem.plans[pid]
        tt.unplace(pid)
        if place_plan(tt, plan, _eligible(problem, plan), node_limit=2000) < _needed(tt, plan):
            tt.unplace(pid)
            _make_room(tt, plan)
    return tt.visits()


def _timetable(problem: Problem, visits: Sequence[Visit]) -> Timetable:
    """Every visit in place at its start; only the problem's bookings count as fixed."""
    tt = Timetable(problem, visits)
    tt.fixed = {(f.plan, f.session): f for f in problem.fixed}
    tt.fixed_days.clear()
    for f in problem.fixed:
        tt.fixed_days[f.plan][f.session] = f.day
    return tt


def _eligible(problem: Problem, plan: Plan) -> list[str]:
    return [t.id for t in rules.eligible(problem, plan)]


def _needed(tt: Timetable, plan: Plan) -> int:
    """Sessions up to the plan's last booking, the fewest that leave no gap."""
    return max(tt.fixed_days.get(plan.id, {0: 0}))


def _make_room(tt: Timetable, plan: Plan) -> None:
    """Find the plan's chain on the bookings alone; on its routes take out the visits of
    plans without bookings, place the chain, then put those plans back where they fit."""
    problem = tt.problem
    alone = Timetable(problem)
    if place_plan(alone, plan, _eligible(problem, plan), node_limit=2000) < _needed(alone, plan):
        place_plan(tt, plan, _eligible(problem, plan), node_limit=200)
        return  # the input itself breaks a rule: the gate reports it
    chain = {(t, d) for s, (t, d) in alone.where[plan.id].items() if (plan.id, s) not in tt.fixed}
    booked = set(tt.fixed_days)
    evicted = sorted(
        {
            stop.plan
            for key in chain
            for stop in tt.routes[key].stops
            if stop.plan not in booked and stop.plan != plan.id
        }
    )
    for pid in evicted:
        tt.unplace(pid)
    place_plan(tt, plan, _eligible(problem, plan), node_limit=2000)
    for pid in evicted:
        place_plan(tt, problem.plans[pid], _eligible(problem, problem.plans[pid]), node_limit=200)
