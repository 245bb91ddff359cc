"""The CP-SAT model of one re-timing region: routes that could take displaced sessions.

In each route the visits already there are nodes always present; a movable one (see
`Region.movable`) has its start free inside its own window and a literal saying it was
re-timed, the rest keep their start. Each displaced session has an optional node per
candidate (therapist, day). Route order and travel are `repack`'s circuit, unchanged.
Two stages: most sessions placed then fewest re-timed; then least shift plus travel.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.matching import rules
from scheduler.matching.problem import Visit
from scheduler.matching.repack import Variables, _Node, _routes
from scheduler.matching.routes import Stop
from scheduler.matching.timetable import Timetable

Route = tuple[str, int]  # (therapist, day)
Key = tuple[str, int]  # (plan, session)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A route a displaced session could take, with the starts it may have there."""

    therapist: str
    day: int
    earliest: int
    latest: int
    starts: cp_model.Domain  # inside [earliest, latest], clear of the patient's other visits


@dataclass(slots=True)
class Answer:
    """A region's new starts for re-timed visits, and the displaced sessions placed."""

    starts: dict[Key, int] = field(default_factory=dict)
    placed: list[Visit] = field(default_factory=list)


@dataclass(slots=True)
class _Region:
    v: Variables = field(default_factory=Variables)
    candidates: dict[Route, list[tuple[_Node, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    movable: dict[Key, tuple[Visit, Any, Any, Any]] = field(default_factory=dict)
    # Literals of candidates with a therapist the plan already has (continuity of care).
    continuous: list[Any] = field(default_factory=list)


def solve_region(
    tt: Timetable,
    options: dict[Key, list[Candidate]],
    visits: dict[Key, Visit],
    *,
    retime: bool,
    time_limit_s: float,
    seed: int,
    budget: int | None = None,
) -> Answer | None:
    """The best answer found for these displaced sessions (`options`), shifting only the
    movable `visits` (none when `retime` is False), at most `budget` of them (None: any
    number); None when the solver found nothing.

    Lexicographic: sessions placed, then placed with a therapist the plan already has,
    then fewest visits re-timed; then least shift in minutes plus travel."""
    deadline = time.monotonic() + time_limit_s
    r = _Region()
    for (pid, session), found in sorted(options.items()):
        _displaced(tt, r, pid, session, found)
    # Rule 4 holds by construction: one session per plan, on days its neighbours allow.
    _patients_apart(tt, r)
    travel = _circuits(tt, r, visits, retime)
    m = r.v.model
    placed = sum(r.v.session_present.values())
    moved = sum(x[2] for x in r.movable.values())
    if budget is not None and r.movable:
        m.add(moved <= budget)
    # One more session placed outweighs every continuity, which outweighs every re-timing.
    step = len(r.movable) + 1
    first = step * (len(options) + 1) * placed + step * sum(r.continuous) - moved
    m.maximize(first)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, 0.6 * (deadline - time.monotonic()))
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    best = _answer(r, solver)
    if best.placed and deadline - time.monotonic() > 0.05:
        # Second stage: as many placed and re-timed, least shift and travel.
        hint = list(solver.response_proto.solution)
        m.add(first >= solver.value(first))
        m.minimize(sum(x[3] for x in r.movable.values()) + travel)
        m.clear_hints()  # type: ignore[no-untyped-call]  # OR-Tools leaves it unannotated
        for i, value in enumerate(hint):
            m.add_hint(m.get_int_var_from_proto_index(i), value)
        solver.parameters.max_time_in_seconds = deadline - time.monotonic()
        if solver.solve(m) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = _answer(r, solver)
    return best


def _answer(r: _Region, solver: cp_model.CpSolver) -> Answer:
    out = Answer({key: solver.value(x[1]) for key, x in r.movable.items()})
    for (tid, day), nodes in r.candidates.items():
        for n, _ in nodes:
            if solver.value(n.present):
                out.placed.append(Visit(n.plan.id, n.session, tid, day, solver.value(n.start)))
    return out


def _displaced(tt: Timetable, r: _Region, pid: str, session: int, found: list[Candidate]) -> None:
    """Hard: rules 1, 2 and 5 — an optional node per candidate; placed at most once."""
    m = r.v.model
    plan = tt.problem.plans[pid]
    own = tt.therapists_of(pid)
    for c in found:
        lit = m.new_bool_var("")
        m.add_hint(lit, 0)
        if c.therapist in own:
            r.continuous.append(lit)
        start = m.new_int_var_from_domain(c.starts, "")
        n = _Node(plan, session, c.day, c.earliest, c.latest, tt.plan_location[pid], lit, start)
        r.v.nodes_of[pid, session].append(n)
        r.candidates[c.therapist, c.day].append((n, plan.patient))
    nodes = r.v.nodes_of[pid, session]
    present = sum(n.present for n in nodes)
    m.add(present <= 1)
    r.v.session_present[pid, session] = present
    r.v.session_day[pid, session] = sum(n.day * n.present for n in nodes)


def _patients_apart(tt: Timetable, r: _Region) -> None:
    """Hard: rule 5 — two displaced sessions of one patient never overlap on a day."""
    spans: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for nodes in r.candidates.values():
        for n, patient in nodes:
            if patient in tt.pinned_patients:
                spans[patient, n.day].append(
                    r.v.model.new_optional_fixed_size_interval_var(
                        n.start, n.plan.duration, n.present, ""
                    )
                )
    for intervals in spans.values():
        if len(intervals) > 1:
            r.v.model.add_no_overlap(intervals)


def _circuits(tt: Timetable, r: _Region, visits: dict[Key, Visit], retime: bool) -> Any:
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
            nodes, still = _present(tt, r, (tid, day), visits, retime)
            view.nodes_of[tid, day] = nodes + [n for n, _ in r.candidates[tid, day]]
            still_here += still
        routes = {day: tt.routes[tid, day] for day in days}
        travel.append(_routes(tt, view, routes, still_here))
    return sum(travel)


def _present(
    tt: Timetable, r: _Region, key: Route, visits: dict[Key, Visit], retime: bool
) -> tuple[list[_Node], list[tuple[Stop, int]]]:
    """The visits already in a route: movable ones as nodes with a free start inside
    their window; the rest (fixed bookings, patients under several plans, every visit in
    strict mode) as stops that keep their start. They keep their order too, so that no two
    swap places and the calendar can apply the moves one by one (each into time that is
    free or that a visit moving the same way leaves)."""
    m = r.v.model
    therapist = tt.problem.therapists[key[0]]
    nodes: list[_Node] = []
    still: list[tuple[Stop, int]] = []
    ends: Any = None  # when the visit before ends
    for stop in tt.routes[key].stops:
        plan = tt.problem.plans[stop.plan]
        visit = visits.get((stop.plan, stop.session))
        window = None
        if retime and visit is not None and plan.patient not in tt.pinned_patients:
            within = rules.options(plan, therapist, key[1], key[1])
            window = next((o for o in within if o.earliest <= visit.start <= o.latest), None)
        if visit is None or window is None:
            still.append((stop, key[1]))
            if ends is not None and not isinstance(ends, int):
                m.add(ends <= stop.earliest)
            ends = stop.earliest + stop.duration
            continue
        grid = rules.on_grid(window.earliest, window.latest, tt.problem.grid)
        start = m.new_int_var_from_domain(
            cp_model.Domain.from_values(sorted({visit.start, *grid})), ""
        )
        if ends is not None:
            m.add(start >= ends)
        ends = start + stop.duration
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
