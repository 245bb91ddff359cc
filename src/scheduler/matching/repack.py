"""One therapist's whole horizon as an exact CP-SAT model.

Given the sessions a therapist holds and a few plans to take on, CP-SAT re-chooses the
day (within cadence) and start of every session and the order of each day's route
(a circuit with travel gaps), keeping every held session, and places as many sessions of
the new plans as fit. Insertion heuristics fix order and times too early; this is where
the search packs a timetable tight.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from scheduler.matching import rules
from scheduler.matching.problem import Plan
from scheduler.matching.routes import DayRoute, Stop
from scheduler.matching.timetable import Timetable

_KM_SCALE = 10  # objective units per km: travel is a tie-breaker below any session
_SESSION_WEIGHT = 100_000


@dataclass(slots=True)
class _Node:
    """A candidate (plan, session, day) with its start variable and presence literal."""

    plan: Plan
    session: int
    day: int
    earliest: int
    latest: int
    location: int
    present: Any  # a CP-SAT literal, or 1 for a fixed booking
    start: Any  # a CP-SAT integer variable, or the fixed start


class Variables:
    """The model's decision variables: one node per session option, grouped per session."""

    def __init__(self) -> None:
        self.model = cp_model.CpModel()
        self.nodes_of: dict[tuple[str, int], list[_Node]] = defaultdict(list)
        self.fixed_nodes: list[_Node] = []
        self.session_present: dict[tuple[str, int], Any] = {}  # CP-SAT linear expressions
        self.session_day: dict[tuple[str, int], Any] = {}


def _outside_day(
    tt: Timetable, plan: Plan, session: int, inside: set[tuple[str, int]]
) -> int | None:
    """The day of a session placed outside the model (another therapist or fixed), if any."""
    if (plan.id, session) in inside:
        return None
    at = tt.where.get(plan.id, {}).get(session)
    return None if at is None else at[1]


def repack(
    tt: Timetable, therapist_id: str, new_plans: list[Plan], *, time_limit_s: float, seed: int
) -> bool:
    """Re-place the therapist's sessions and add what fits of `new_plans` (whose other
    sessions are taken off first). Applies the change (journalled) only when it places more
    sessions of the new plans than they had; returns whether it did."""
    routes = {d: r for (tid, d), r in tt.routes.items() if tid == therapist_id}
    new_ids = {p.id for p in new_plans}
    before = sum(tt.placed_sessions(p.id) for p in new_plans)
    held: list[tuple[Plan, int]] = []
    fixed_here: list[tuple[Stop, int]] = []
    for day, route in routes.items():
        for stop in route.stops:
            if (stop.plan, stop.session) in tt.fixed:
                fixed_here.append((stop, day))
            elif stop.plan not in new_ids:
                held.append((tt.problem.plans[stop.plan], stop.session))
    wanted = [
        (p, s) for p in new_plans for s in range(1, p.sessions + 1) if (p.id, s) not in tt.fixed
    ]
    inside = {(p.id, s) for p, s in held + wanted}
    v = Variables()
    for plan, session in held + wanted:
        if not _session(
            tt,
            v,
            plan,
            session,
            therapist_id=therapist_id,
            inside=inside,
            new_ids=new_ids,
            workdays=set(routes),
        ):
            return False  # a held session cannot stay: leave the timetable as it is
    _cadence(tt, v, held + wanted, inside)
    travel = _routes(tt, v, routes, fixed_here)
    gain = sum(v.session_present[p.id, s] for p, s in wanted)
    v.model.maximize(_SESSION_WEIGHT * gain - travel)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(v.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False
    placed_new = sum(
        1 for p, s in wanted for n in v.nodes_of[p.id, s] if solver.value(n.present)
    ) + sum(
        1
        for p in new_plans
        for s in range(1, p.sessions + 1)
        if (p.id, s) in tt.fixed and s in tt.where.get(p.id, {})
    )
    if placed_new < before:
        return False
    _apply(tt, v, solver, routes, new_plans)
    return all(r.feasible() for r in routes.values())


def _session(
    tt: Timetable,
    v: Variables,
    plan: Plan,
    session: int,
    *,
    therapist_id: str,
    inside: set[tuple[str, int]],
    new_ids: set[str],
    workdays: set[int],
) -> bool:
    """Hard: rules 2 and 5 — one node per day the session could take on this therapist
    (window ∩ shift, days its placed neighbours allow, not while the patient is seen by
    someone else). Held sessions must stay placed; False when one cannot."""
    m = v.model
    therapist = tt.problem.therapists[therapist_id]
    required = plan.id not in new_ids
    prev_day = _outside_day(tt, plan, session - 1, inside) if session > 1 else None
    next_day = _outside_day(tt, plan, session + 1, inside)
    lo = plan.first_earliest + (session - 1) * plan.min_days
    hi = plan.first_latest + (session - 1) * plan.max_days
    if prev_day is not None:
        lo, hi = max(lo, prev_day + plan.min_days), min(hi, prev_day + plan.max_days)
    if next_day is not None:
        lo, hi = max(lo, next_day - plan.max_days), min(hi, next_day - plan.min_days)
    lits = []
    for o in rules.options(plan, therapist, lo, hi):
        if o.day not in workdays:
            continue
        domain = cp_model.Domain(o.earliest, o.latest)
        for b0, b1 in _others_busy(tt, plan, o.day, therapist_id, new_ids):
            domain = domain.intersection_with(
                cp_model.Domain(b0 - plan.duration + 1, b1 - 1).complement()
            )
        if domain.is_empty():
            continue
        lit = m.new_bool_var("")
        start = m.new_int_var_from_domain(domain, "")
        location = tt.plan_location[plan.id]
        v.nodes_of[plan.id, session].append(
            _Node(plan, session, o.day, o.earliest, o.latest, location, lit, start)
        )
        lits.append(lit)
    if required and not lits:
        return False
    present: Any = sum(lits) if lits else 0
    m.add(present == 1) if required else m.add(present <= 1)
    v.session_present[plan.id, session] = present
    v.session_day[plan.id, session] = sum(n.day * n.present for n in v.nodes_of[plan.id, session])
    return True


def _others_busy(
    tt: Timetable, plan: Plan, day: int, therapist_id: str, new_ids: set[str]
) -> list[tuple[int, int]]:
    """Spans the patient is seen that day by visits this model does not re-place."""
    if plan.patient not in tt.pinned_patients:
        return []
    out = []
    for other in tt.plans_of_patient[plan.patient]:
        for session, (tid, d) in tt.where.get(other, {}).items():
            if d != day or (tid == therapist_id and (other, session) not in tt.fixed):
                continue
            if other in new_ids and (other, session) not in tt.fixed:
                continue
            found = tt.stop_of(other, session)
            assert found is not None
            stop = found[1]
            out.append((stop.earliest, stop.earliest + stop.duration))
    return out


def _cadence(
    tt: Timetable, v: Variables, sessions: list[tuple[Plan, int]], inside: set[tuple[str, int]]
) -> None:
    """Hard: rule 4 — sessions 1..k without gaps, consecutive days min..max apart."""
    m = v.model
    for plan, session in sessions:
        key = (plan.id, session)
        prev = (plan.id, session - 1)
        if session > 1 and prev in inside:
            m.add(v.session_present[key] <= v.session_present[prev])
            gap = v.session_day[key] - v.session_day[prev]
            on = m.new_bool_var("")
            m.add(on == v.session_present[key])
            m.add(gap >= plan.min_days).only_enforce_if(on)
            m.add(gap <= plan.max_days).only_enforce_if(on)
        # No gap below: every earlier session must be placed, inside the model or out.
        for earlier in range(session - 1, 0, -1):
            if (plan.id, earlier) in inside:
                m.add(v.session_present[key] <= v.session_present[plan.id, earlier])
                break
            if tt.where.get(plan.id, {}).get(earlier) is None:
                m.add(v.session_present[key] == 0)
                break


def _routes(
    tt: Timetable, v: Variables, routes: dict[int, DayRoute], fixed_here: list[tuple[Stop, int]]
) -> cp_model.LinearExprT:
    """Hard: rule 3 — per day a circuit from base to base, every leg driven in time."""
    m = v.model
    geo = tt.geo
    by_day: dict[int, list[_Node]] = defaultdict(list)
    for nodes in v.nodes_of.values():
        for n in nodes:
            by_day[n.day].append(n)
    for stop, day in fixed_here:
        plan = tt.problem.plans[stop.plan]
        by_day[day].append(
            _Node(
                plan,
                stop.session,
                day,
                stop.earliest,
                stop.earliest,
                stop.location,
                1,
                stop.earliest,
            )
        )
    travel = []
    for day, nodes in by_day.items():
        route = routes[day]
        m.add(sum(n.present for n in nodes) <= route.capacity)
        arcs = []
        for i, a in enumerate(nodes, start=1):
            arcs.append((i, i, _negated(m, a.present)))
            out = m.new_bool_var("")
            back = m.new_bool_var("")
            arcs += [(0, i, out), (i, 0, back)]
            m.add(a.start >= route.start + geo.minutes(route.base, a.location)).only_enforce_if(out)
            m.add(
                a.start + a.plan.duration + geo.minutes(a.location, route.base) <= route.end
            ).only_enforce_if(back)
            travel += [
                int(_KM_SCALE * geo.km(route.base, a.location)) * out,
                int(_KM_SCALE * geo.km(a.location, route.base)) * back,
            ]
            for j, b in enumerate(nodes, start=1):
                if i == j:
                    continue
                leg = geo.minutes(a.location, b.location)
                if a.earliest + a.plan.duration + leg > b.latest:
                    continue  # b cannot follow a that day
                lit = m.new_bool_var("")
                arcs.append((i, j, lit))
                m.add(b.start >= a.start + a.plan.duration + leg).only_enforce_if(lit)
                travel.append(int(_KM_SCALE * geo.km(a.location, b.location)) * lit)
        empty = m.new_bool_var("")
        arcs.append((0, 0, empty))
        m.add_circuit(arcs)
    return sum(travel)


def _negated(m: cp_model.CpModel, present: Any) -> Any:
    if isinstance(present, int):
        lit = m.new_bool_var("")
        m.add(lit == 1 - present)
        return lit
    return present.Not()


def _apply(
    tt: Timetable,
    v: Variables,
    solver: cp_model.CpSolver,
    routes: dict[int, DayRoute],
    new_plans: list[Plan],
) -> None:
    """Write the model's answer into the timetable (through its journal)."""
    for plan in new_plans:
        tt.unplace(plan.id)
    for route in routes.values():
        for stop in list(route.stops):
            if (stop.plan, stop.session) not in tt.fixed:
                tt.unplace_stop(route, stop)
    chosen: dict[int, list[tuple[int, _Node]]] = defaultdict(list)
    for nodes in v.nodes_of.values():
        for n in nodes:
            if solver.value(n.present):
                chosen[n.day].append((solver.value(n.start), n))
    for day, picked in chosen.items():
        route = routes[day]
        for start, n in sorted(picked, key=lambda x: x[0]):
            position = sum(1 for st in route.earliest_starts() if st <= start)
            stop = Stop(n.plan.id, n.session, n.location, n.plan.duration, n.earliest, n.latest)
            if n.plan.patient in tt.pinned_patients:
                stop.earliest = stop.latest = start
                stop.pinned = True
            tt.insert(route, stop, position, start)
