"""The result's last gate: every hard rule of the spec, checked without the solver.

`violations` reads a result the way `../shared/tools/check_plan.py` does (rules 1-6, v1.1
postponed sessions included) but on our typed problem; `solver.solve` runs it on every
answer and repairs what it finds (`gate.py`), so no infeasible result leaves the engine.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from scheduler.geo import travel_minutes
from scheduler.matching.problem import Problem, Visit

Key = tuple[str, int]


_Add = Callable[[str, "Visit | Key", str], None]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule, on the visit (plan, session) that breaks it."""

    rule: str
    plan: str
    session: int
    message: str


def violations(
    problem: Problem, visits: Sequence[Visit], postponed: Collection[Key] = ()
) -> list[Violation]:
    """Every hard rule a result breaks (empty: feasible)."""
    found: list[Violation] = []

    def add(rule: str, v: Visit | Key, message: str) -> None:
        plan, session = (v.plan, v.session) if isinstance(v, Visit) else v
        found.append(Violation(rule, plan, session, message))

    usable = []
    for v in visits:
        if (
            v.plan in problem.plans
            and v.therapist in problem.therapists
            and 0 <= v.day < problem.days
        ):
            usable.append(v)
        else:
            add("refs", v, "unknown plan or therapist, or a day outside the horizon")
    _eligibility_and_windows(problem, usable, add)
    _routes(problem, usable, add)
    _patients(problem, usable, add)
    _sessions(problem, usable, postponed, add)
    seen: dict[Key, list[Visit]] = defaultdict(list)
    for v in visits:
        seen[v.plan, v.session].append(v)
    for key, vs in seen.items():
        if len(vs) > 1 or key in postponed:
            add("rule6", vs[0], "placed twice, or placed and postponed")
    for f in problem.fixed:
        if f not in seen.get((f.plan, f.session), []):
            add("rule6", f, f"booked visit missing or changed ({f.therapist} day {f.day})")
    return found


def _eligibility_and_windows(problem: Problem, visits: Sequence[Visit], add: _Add) -> None:
    """Hard: rules 1 and 2 — skill, exclusion, mobility; inside the shift and a window."""
    for v in visits:
        plan, therapist = problem.plans[v.plan], problem.therapists[v.therapist]
        if not problem.can_treat(therapist, plan):
            add("rule1", v, f"{v.therapist} may not treat this plan")
        shift, end = therapist.shifts.get(v.day), v.start + plan.duration
        if shift is None or not shift.start <= v.start <= end <= shift.end:
            add("rule2", v, f"outside {v.therapist}'s shift on day {v.day}")
        windows = plan.availability
        if not any(w.day == v.day and w.start <= v.start and end <= w.end for w in windows):
            add("rule2", v, "inside no availability window of the patient")


def _routes(problem: Problem, visits: Sequence[Visit], add: _Add) -> None:
    """Hard: rule 3 — base, visits in start order, base; every leg driven; the day's cap."""
    days: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    for v in visits:
        days[v.therapist, v.day].append(v)
    speed = problem.speed_kmh
    for (tid, day), route in days.items():
        therapist = problem.therapists[tid]
        shift = therapist.shifts.get(day)
        if shift is None:
            continue  # rule 2 says so
        route.sort(key=lambda v: (v.start, v.start + problem.plans[v.plan].duration))
        if len(route) > therapist.max_visits_per_day:
            add("rule3", route[-1], f"more than {therapist.max_visits_per_day} visits")
        where, free = therapist.base, shift.start
        for v in route:
            plan = problem.plans[v.plan]
            if v.start < free + travel_minutes(where, plan.location, speed):
                add("rule3", v, "not reachable in time from the visit before (or the base)")
            where, free = plan.location, v.start + plan.duration
        if free + travel_minutes(where, therapist.base, speed) > shift.end:
            add("rule3", route[-1], "back at base after the shift ends")


def _patients(problem: Problem, visits: Sequence[Visit], add: _Add) -> None:
    """Hard: rule 5 — a patient's visits never overlap."""
    days: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    for v in visits:
        days[problem.plans[v.plan].patient, v.day].append(v)
    for group in days.values():
        group.sort(key=lambda v: v.start)
        latest = 0
        for i, v in enumerate(group):
            if i and v.start < latest:
                add("rule5", v, "the patient has another visit at that time")
            latest = max(latest, v.start + problem.plans[v.plan].duration)


def _sessions(
    problem: Problem, visits: Sequence[Visit], postponed: Collection[Key], add: _Add
) -> None:
    """Hard: rule 4 — sessions 1..k (postponed ones fill their place), `first_day`, and
    min..max days apart (min..max * (p + 1) across p postponed)."""
    days: dict[str, dict[int, Visit]] = defaultdict(dict)
    for v in visits:
        days[v.plan].setdefault(v.session, v)
    for key in postponed:
        if key not in problem.displaced:
            add("rule4", key, "postponed, but not displaced in the problem")
    for pid, at in days.items():
        plan = problem.plans[pid]
        placed = sorted(s for s in at if 1 <= s <= plan.sessions)
        for s in at:
            if s not in placed:
                add("rule4", at[s], f"session {s} outside 1..{plan.sessions}")
        if not placed:
            continue
        held = set(placed) | {s for p, s in postponed if p == pid and s < placed[-1]}
        gap = next((s for s in range(1, placed[-1]) if s not in held), None)
        # Every session above a gap breaks the rule, not only the last.
        for s in [s for s in placed if gap is not None and s > gap]:
            add("rule4", at[s], f"session {gap} is neither placed nor postponed")
        if 1 in at and not plan.first_earliest <= at[1].day <= plan.first_latest:
            add("rule4", at[1], "session 1 outside first_day")
        for a, b in itertools.pairwise(placed):
            gap = at[b].day - at[a].day
            if not plan.min_days <= gap <= plan.max_days * (b - a):
                add("rule4", at[b], f"{gap} days after session {a}")
