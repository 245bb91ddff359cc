"""An exact CP-SAT model of the sick-call repair, for small clinics (tests only).

The same repair the engine searches heuristically: every previous visit still feasible
stays placed but may change (start, therapist or day), at most `budget` changes per
displaced session; each displaced session is placed or left out (postponed); the
spec's rules 1-5 hold (v1.1 cadence across postponed sessions). It maximizes the
displaced sessions placed, nothing else, and says whether it proved that optimal.
Routes are pairwise disjunctions with travel (sound: each consecutive leg is one of them).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.geo import travel_minutes
from scheduler.matching import rules
from scheduler.matching.problem import Problem, Visit

Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Exact:
    """The best count of displaced sessions placed, and whether it is proven."""

    placed: int
    optimal: bool
    # Where each placed displaced session and each changed visit goes.
    moves: dict[Key, tuple[str, int, int]] = field(default_factory=dict)


@dataclass(slots=True)
class _Option:
    therapist: str
    day: int
    present: Any
    start: Any


def best_repair(
    problem: Problem, kept: Sequence[Visit], budget: int, *, time_limit_s: float = 20.0
) -> Exact:
    """The most displaced sessions a repair moving at most `budget` x |displaced| of the
    `kept` visits can place (fixed bookings never move)."""
    m = cp_model.CpModel()
    fixed = {(f.plan, f.session): f for f in problem.fixed}
    was = {(v.plan, v.session): v for v in kept}
    items = sorted(set(was) | set(fixed) | set(problem.displaced))
    options: dict[Key, list[_Option]] = {}
    present: dict[Key, Any] = {}
    changed = []
    for key in items:
        plan = problem.plans[key[0]]
        if key in fixed:
            f = fixed[key]
            lit = m.new_bool_var("")
            found = [_Option(f.therapist, f.day, lit, m.new_int_var(f.start, f.start, ""))]
        else:
            found = [
                _Option(t.id, o.day, m.new_bool_var(""), m.new_int_var(o.earliest, o.latest, ""))
                for t in rules.eligible(problem, plan)
                for o in rules.options(plan, t, 0, problem.days - 1)
            ]
        present[key] = m.new_bool_var("")
        m.add(sum(o.present for o in found) == present[key])
        if key not in problem.displaced:
            m.add(present[key] == 1)
        old = was.get(key)
        hinted = key in fixed or key in problem.displaced
        for o in found:  # the previous plan, less what was displaced, is a solution
            if key in fixed:
                break
            domain = o.start.proto.domain
            stays = (
                not hinted
                and old is not None
                and (o.therapist, o.day) == (old.therapist, old.day)
                and domain[0] <= old.start <= domain[-1]
            )
            m.add_hint(o.present, int(stays))
            if stays and old is not None:
                m.add_hint(o.start, old.start)
                hinted = True
        if old is not None and key not in problem.displaced:
            same = [o for o in found if (o.therapist, o.day) == (old.therapist, old.day)]
            stay = m.new_bool_var("")
            for o in same:
                m.add(o.start == old.start).only_enforce_if([stay, o.present])
            m.add(sum(o.present for o in same) == 1).only_enforce_if(stay)
            changed.append(stay.Not())
        if key[1] == 1 and key not in fixed:
            for o in found:
                if not plan.first_earliest <= o.day <= plan.first_latest:
                    m.add(o.present == 0)
        options[key] = found
    displaced = sorted(problem.displaced)
    m.add(sum(changed) <= budget * len(displaced))
    _routes(problem, m, options, was)
    _patients(problem, m, options)
    _cadence(problem, m, options, present)
    m.maximize(sum(present[key] for key in displaced))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 2
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Exact(-1, False)
    moves = {}
    for key, found in options.items():
        for o in found:
            at = (o.therapist, o.day, solver.value(o.start))
            if solver.value(o.present) and (
                key not in was
                or was[key].start != at[2]
                or (was[key].therapist, was[key].day) != at[:2]
            ):
                moves[key] = at
    return Exact(round(solver.objective_value), status == cp_model.OPTIMAL, moves)


def _routes(
    problem: Problem,
    m: cp_model.CpModel,
    options: dict[Key, list[_Option]],
    was: dict[Key, Visit],
) -> None:
    """Hard: rule 3 — shift and base legs, visits apart by their travel, the day's cap.
    Two visits that stay on the route they had keep their order (as the engine's repair
    does, so that a proposal applies move by move)."""
    on: dict[tuple[str, int], list[tuple[Key, _Option]]] = defaultdict(list)
    for key, found in options.items():
        for o in found:
            on[o.therapist, o.day].append((key, o))
    speed = problem.speed_kmh
    for (tid, day), here in on.items():
        t = problem.therapists[tid]
        shift = t.shifts[day]
        m.add(sum(o.present for _, o in here) <= t.max_visits_per_day)
        for key, o in here:
            plan = problem.plans[key[0]]
            m.add(
                o.start >= shift.start + travel_minutes(t.base, plan.location, speed)
            ).only_enforce_if(o.present)
            back = plan.duration + travel_minutes(plan.location, t.base, speed)
            m.add(o.start + back <= shift.end).only_enforce_if(o.present)
        for (ka, a), (kb, b) in itertools.combinations(here, 2):
            pa, pb = problem.plans[ka[0]], problem.plans[kb[0]]
            first = m.new_bool_var("")
            va, vb = was.get(ka), was.get(kb)
            if va and vb and (va.therapist, va.day) == (vb.therapist, vb.day) == (tid, day):
                m.add(first == int(va.start < vb.start))
            ab = pa.duration + travel_minutes(pa.location, pb.location, speed)
            ba = pb.duration + travel_minutes(pb.location, pa.location, speed)
            m.add(a.start + ab <= b.start).only_enforce_if([first, a.present, b.present])
            m.add(b.start + ba <= a.start).only_enforce_if([first.Not(), a.present, b.present])


def _patients(problem: Problem, m: cp_model.CpModel, options: dict[Key, list[_Option]]) -> None:
    """Hard: rule 5 — a patient's visits never overlap."""
    by_day: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for key, found in options.items():
        plan = problem.plans[key[0]]
        for o in found:
            by_day[plan.patient, o.day].append(
                m.new_optional_fixed_size_interval_var(o.start, plan.duration, o.present, "")
            )
    for intervals in by_day.values():
        if len(intervals) > 1:
            m.add_no_overlap(intervals)


def _cadence(
    problem: Problem,
    m: cp_model.CpModel,
    options: dict[Key, list[_Option]],
    present: dict[Key, Any],
) -> None:
    """Hard: rule 4 — consecutive placed sessions min..max x (1 + postponed between)
    days apart (only displaced sessions may be left out)."""
    sessions: dict[str, list[int]] = defaultdict(list)
    for pid, s in present:
        sessions[pid].append(s)
    for pid, numbers in sessions.items():
        plan = problem.plans[pid]
        day = {s: sum(o.day * o.present for o in options[pid, s]) for s in numbers}
        for a, b in itertools.combinations(sorted(numbers), 2):
            between = [s for s in numbers if a < s < b]
            if len(between) != b - a - 1:
                continue  # a session between was never placed: they are not neighbours
            both = m.new_bool_var("")
            m.add_bool_or(
                [
                    both,
                    present[pid, a].Not(),
                    present[pid, b].Not(),
                    *[present[pid, s] for s in between],
                ]
            )
            m.add(day[b] - day[a] >= plan.min_days).only_enforce_if(both)
            m.add(day[b] - day[a] <= plan.max_days * (b - a)).only_enforce_if(both)
