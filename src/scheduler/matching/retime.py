"""Re-timing repair for a re-plan: place displaced sessions by moving a few starts.

Patients' windows are short and cadence ties each session to its neighbours, so a
displaced session can almost only go to another qualified therapist on the same day,
and there it seldom finds a free gap. One CP-SAT model over every route that could take
one ("the region") may shift the visits already there inside their own windows, never
to another therapist or day, so nobody's continuity of care or cadence changes.
Lexicographic aim: displaced sessions placed, then fewest visits re-timed, then least
shift in minutes plus travel. Fixed bookings and the visits of patients seen under
several plans keep their start. Route order and travel reuse `repack`'s circuit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.matching import rules
from scheduler.matching.problem import Plan, Problem, Visit
from scheduler.matching.repack import Variables, _cadence, _Node, _routes
from scheduler.matching.routes import Stop
from scheduler.matching.timetable import Timetable

Route = tuple[str, int]  # (therapist, day)


@dataclass(slots=True)
class Repair:
    """The kept visits with re-timed starts, plus the displaced sessions it placed."""

    visits: list[Visit]
    placed: int = 0
    retimed: int = 0
    shifted_minutes: int = 0


@dataclass(slots=True)
class _Region:
    """Candidate nodes of the displaced sessions and the movable starts, per route."""

    v: Variables = field(default_factory=Variables)
    candidates: dict[Route, list[_Node]] = field(default_factory=lambda: defaultdict(list))
    movable: dict[tuple[str, int], tuple[Visit, Any, Any, Any]] = field(default_factory=dict)


def _days(
    tt: Timetable, plan: Plan, session: int, displaced: set[tuple[str, int]]
) -> tuple[int, int] | None:
    """Hard: rule 4 — the days a displaced session may take between its kept neighbours
    (None when an earlier session is neither kept nor displaced: it cannot be placed)."""
    held = tt.fixed_days.get(plan.id, {})
    if session == 1 or session - 1 in held:
        return rules.day_range(plan, session, held.get(session - 1), held)
    if (plan.id, session - 1) not in displaced:
        return None
    first = plan.first_earliest + (session - 1) * plan.min_days
    last = plan.first_latest + (session - 1) * plan.max_days
    for later, day in sorted(held.items()):
        if later > session:
            first = max(first, day - (later - session) * plan.max_days)
            last = min(last, day - (later - session) * plan.min_days)
            break
    return first, last


def _candidates(tt: Timetable, r: _Region, plan: Plan, session: int, days: tuple[int, int]) -> None:
    """Hard: rules 1, 2 and 5 — one optional node per eligible therapist and day, its start
    in the window and shift and clear of the patient's visits under other plans."""
    m = r.v.model
    lits = []
    for therapist in rules.eligible(tt.problem, plan):
        for o in rules.options(plan, therapist, *days):
            if (therapist.id, o.day) not in tt.routes:
                continue
            # Starts that would overlap one of the patient's pinned visits that day.
            clash = cp_model.Domain.from_intervals(
                [[b0 - plan.duration + 1, b1 - 1] for b0, b1 in tt.patient_busy(plan, o.day)]
            )
            domain = cp_model.Domain(o.earliest, o.latest).intersection_with(clash.complement())
            if domain.is_empty():
                continue
            lit = m.new_bool_var("")
            start = m.new_int_var_from_domain(domain, "")
            node = _Node(
                plan, session, o.day, o.earliest, o.latest, tt.plan_location[plan.id], lit, start
            )
            r.v.nodes_of[plan.id, session].append(node)
            r.candidates[therapist.id, o.day].append(node)
            lits.append(lit)
    present: Any = sum(lits) if lits else 0
    m.add(present <= 1)
    r.v.session_present[plan.id, session] = present
    r.v.session_day[plan.id, session] = sum(
        n.day * n.present for n in r.v.nodes_of[plan.id, session]
    )


def _patients_apart(tt: Timetable, r: _Region) -> None:
    """Hard: rule 5 — two displaced sessions of one patient never overlap on a day."""
    spans: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for nodes in r.v.nodes_of.values():
        for n in nodes:
            if n.plan.patient in tt.pinned_patients:
                spans[n.plan.patient, n.day].append(
                    r.v.model.new_optional_fixed_size_interval_var(
                        n.start, n.plan.duration, n.present, ""
                    )
                )
    for intervals in spans.values():
        if len(intervals) > 1:
            r.v.model.add_no_overlap(intervals)


def _route_nodes(
    tt: Timetable, r: _Region, key: Route, visits: dict[tuple[str, int], Visit], retime: bool
) -> tuple[list[_Node], list[tuple[Stop, int]]]:
    """The visits already in a region route: movable ones as nodes always present, the
    rest (fixed bookings, patients under several plans, or all in strict mode) as is."""
    m = r.v.model
    route = tt.routes[key]
    therapist = tt.problem.therapists[key[0]]
    nodes: list[_Node] = []
    still: list[tuple[Stop, int]] = []
    for stop in route.stops:
        plan = tt.problem.plans[stop.plan]
        visit = visits.get((stop.plan, stop.session))
        window = None
        if retime and visit is not None and plan.patient not in tt.pinned_patients:
            window = next(
                (
                    o
                    for o in rules.options(plan, therapist, key[1], key[1])
                    if o.earliest <= visit.start <= o.latest
                ),
                None,
            )
        if visit is None or window is None:
            still.append((stop, key[1]))
            continue
        start = m.new_int_var(window.earliest, window.latest, "")
        moved = m.new_bool_var("")
        shift = m.new_int_var(0, window.latest - window.earliest, "")
        m.add(start == visit.start).only_enforce_if(moved.Not())
        m.add_abs_equality(shift, start - visit.start)
        m.add_hint(start, visit.start)
        m.add_hint(moved, 0)
        r.movable[stop.plan, stop.session] = (visit, start, moved, shift)
        nodes.append(
            _Node(
                plan, stop.session, key[1], window.earliest, window.latest, stop.location, 1, start
            )
        )
    return nodes, still


def repair(
    problem: Problem,
    kept: Sequence[Visit],
    displaced: Sequence[tuple[str, int]],
    *,
    retime: bool,
    time_limit_s: float,
    seed: int,
) -> Repair:
    """Place what it can of the `displaced` sessions around the `kept` visits, re-timing
    as few of those as it can (none when `retime` is False); therapists and days stay."""
    tt = Timetable(problem, kept)
    protected = {(f.plan, f.session) for f in problem.fixed}
    visits = {(v.plan, v.session): v for v in kept if (v.plan, v.session) not in protected}
    wanted = {
        (pid, s)
        for pid, s in displaced
        if pid in problem.plans
        and 1 <= s <= problem.plans[pid].sessions
        and (pid, s) not in tt.fixed
    }
    r = _Region()
    for pid, s in sorted(wanted):
        days = _days(tt, problem.plans[pid], s, wanted)
        if days is not None:
            _candidates(tt, r, problem.plans[pid], s, days)
    if not r.candidates:
        return Repair(list(kept))
    inside = set(r.v.session_present)
    _cadence(tt, r.v, [(problem.plans[pid], s) for pid, s in sorted(inside)], inside)
    _patients_apart(tt, r)
    travel = _region_routes(tt, r, visits, retime)
    m = r.v.model
    placed = sum(r.v.session_present.values())
    retimed = sum(moved for _, _, moved, _ in r.movable.values())
    # Placing one more session outweighs re-timing every movable visit of the region.
    first = (len(r.movable) + 1) * placed - retimed
    m.maximize(first)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, 0.7 * time_limit_s)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Repair(list(kept))
    if solver.value(placed) > 0:
        # Second stage: the same placements and re-timings, least shift and travel.
        best = solver.value(first)
        hint = list(solver.response_proto.solution)
        m.add(first >= best)
        m.minimize(sum(shift for _, _, _, shift in r.movable.values()) + travel)
        m.clear_hints()  # type: ignore[no-untyped-call]  # OR-Tools leaves it unannotated
        for i, value in enumerate(hint):
            m.add_hint(m.get_int_var_from_proto_index(i), value)
        solver.parameters.max_time_in_seconds = max(0.1, 0.3 * time_limit_s)
        if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Repair(list(kept))
    return _answer(problem, kept, r, solver)


def _region_routes(
    tt: Timetable, r: _Region, visits: dict[tuple[str, int], Visit], retime: bool
) -> Any:
    """Hard: rule 3 — every region route a circuit from base to base (`repack`'s model)."""
    days_of: dict[str, list[int]] = defaultdict(list)
    for tid, day in r.candidates:
        days_of[tid].append(day)
    travel = []
    for tid, days in sorted(days_of.items()):
        view = Variables()
        view.model = r.v.model  # one model; the view only groups this therapist's nodes
        still_here: list[tuple[Stop, int]] = []
        for day in days:
            nodes, still = _route_nodes(tt, r, (tid, day), visits, retime)
            view.nodes_of[tid, day] = nodes + r.candidates[tid, day]
            still_here += still
        routes = {day: tt.routes[tid, day] for day in days}
        travel.append(_routes(tt, view, routes, still_here))
    return sum(travel)


def _answer(
    problem: Problem, kept: Sequence[Visit], r: _Region, solver: cp_model.CpSolver
) -> Repair:
    """The kept visits with their new starts, plus the displaced sessions placed."""
    out = Repair([])
    for v in kept:
        found = r.movable.get((v.plan, v.session))
        start = v.start if found is None else solver.value(found[1])
        if start != v.start:
            out.retimed += 1
            out.shifted_minutes += abs(start - v.start)
        out.visits.append(Visit(v.plan, v.session, v.therapist, v.day, start))
    for (tid, day), nodes in r.candidates.items():
        for n in nodes:
            if solver.value(n.present):
                out.visits.append(Visit(n.plan.id, n.session, tid, day, solver.value(n.start)))
                out.placed += 1
    check = Timetable(problem, out.visits)
    if not all(route.feasible() for route in check.routes.values()):
        return Repair(list(kept))  # never hand on a route the model got wrong
    return out
