"""The sick call's wide repair: displaced sessions placed by moving other visits anywhere
the routes they could take allow, within the disruption budget (one CP-SAT model).

The routes are those a pending displaced session could take (its cadence days, the
patient's windows, qualified therapists). Every other visit on them that may move (not
a booking, not a patient seen under several plans) gets an option per route it could
take: its own (another start), another therapist that day, or another day its plan's
cadence allows (only when no other session of its plan is in the model); the visits
already on those other routes stay as they are.
Lexicographic: displaced sessions placed, then with a therapist their plan already has,
then fewest changes weighted time shift 1 < therapist 2 < day 3. Visits that stay on
their route keep their order (a proposal applies move by move).
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from scheduler.matching import rules
from scheduler.matching.problem import Plan, Problem, Visit
from scheduler.matching.timetable import Timetable

Key = tuple[str, int]
Route = tuple[str, int]
_COST = {"time": 1, "therapist": 2, "day": 3}
_MAX_ROUTES = 15  # routes displaced sessions may take in one model (the caller batches)
_DEPTH = 3  # levels of visits that may move: anywhere, anywhere, in time only
_ALTERNATIVES = 6  # places a moving visit may take besides its own route
_MAX_MOVERS = 80  # visits that may move in one model; beyond it the next level stays put


@dataclass(slots=True)
class _Option:
    route: Route
    present: cp_model.IntVar
    start: cp_model.IntVar


def reroute(
    tt: Timetable,
    pending: list[Key],
    *,
    budget: int | None,
    time_limit_s: float,
    seed: int,
) -> list[Visit] | None:
    """The timetable's visits with as many `pending` displaced sessions placed as the
    model finds (one per plan; the lowest pending of each), or None when it found nothing
    better than placing none or the neighbourhood is too large."""
    deadline = time.monotonic() + time_limit_s
    problem = tt.problem
    lowest: dict[str, int] = {}
    for pid, s in pending:
        lowest[pid] = min(lowest.get(pid, s), s)
    m = cp_model.CpModel()
    options: dict[Key, list[_Option]] = {}
    continuity = []
    for pid, s in sorted(lowest.items()):
        places = _displaced_options(tt, m, problem.plans[pid], s)
        if places:
            options[pid, s] = places
            own = tt.therapists_of(pid)
            continuity += [o.present for o in places if o.route[0] in own]
    routes = {o.route for found in options.values() for o in found}
    if not options:
        return None
    placed = [sum(o.present for o in found) for found in options.values()]
    for count in placed:
        m.add(count <= 1)
    was, costs, day_moves = _add_movers(tt, m, options, routes, deadline)
    if time.monotonic() > deadline:
        return None
    for key in was:
        m.add(sum(o.present for o in options[key]) == 1)
    # Hard: rule 4 — each day was checked against the plan's other sessions where they
    # are: so at most one session of a plan changes day, none beside a displaced one.
    for pid, moves in day_moves.items():
        m.add(sum(moves) <= (0 if pid in lowest else 1))
    changes: Any = sum(costs)
    if budget is not None:
        m.add(sum(_changed(m, c) for c in costs) <= budget)
    _routes(tt, m, options, was)
    _patients(tt, m, options, was)
    if time.monotonic() > deadline - 0.05:
        return None  # building took the time: no half-searched answer
    top = _COST["day"] * len(was) + 1
    m.maximize(top * (len(continuity) + 1) * sum(placed) + top * sum(continuity) - changes)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    if not any(solver.value(p) for p in placed):
        return None
    return _answer(tt, solver, options, was)


def _add_movers(
    tt: Timetable,
    m: cp_model.CpModel,
    options: dict[Key, list[_Option]],
    routes: set[Route],
    deadline: float,
) -> tuple[dict[Key, Visit], list[Any], dict[str, list[Any]]]:
    """The visits that may move, level by level (see `_DEPTH`), with their options added
    to `options`; their change costs, and per plan their day-change literals."""
    was: dict[Key, Visit] = {}
    costs: list[Any] = []
    # Visits on the displaced sessions' routes may move; so may the visits on the routes
    # they may go to (room for them), and, in time only, the visits where those may go.
    seen, frontier = set(routes), set(routes)
    day_moves: dict[str, list[Any]] = defaultdict(list)
    for depth in range(_DEPTH):
        found = {k: v for k, v in _movers(tt, frontier).items() if k not in was}
        for key, visit in found.items():
            options[key], cost, day_move = _mover_options(
                tt, m, visit, time_only=depth == _DEPTH - 1
            )
            was[key] = visit
            costs.append(cost)
            day_moves[key[0]].append(day_move)
        frontier = {o.route for key in found for o in options[key]} - seen
        seen |= frontier
        if len(was) > _MAX_MOVERS or time.monotonic() > deadline:
            break
    return was, costs, day_moves


def _changed(m: cp_model.CpModel, cost: cp_model.LinearExprT) -> cp_model.IntVar:
    lit = m.new_bool_var("")
    m.add(cost == 0).only_enforce_if(lit.Not())
    return lit


def _displaced_options(
    tt: Timetable, m: cp_model.CpModel, plan: Plan, session: int
) -> list[_Option]:
    """Hard: rules 1, 2, 4 and 5 — every route the displaced session may take."""
    held = {s: day for s, (_, day) in tt.where.get(plan.id, {}).items()}
    postponable = {n for p, n in tt.problem.displaced if p == plan.id}
    days = rules.days_between(plan, session, held, postponable, tt.problem.days)
    if days is None:
        return []
    out = []
    for therapist in rules.eligible(tt.problem, plan):
        for o in rules.options(plan, therapist, *days):
            if (therapist.id, o.day) not in tt.routes:
                continue
            clash = cp_model.Domain.from_intervals(
                [[b0 - plan.duration + 1, b1 - 1] for b0, b1 in tt.patient_busy(plan, o.day)]
            )
            grid = cp_model.Domain.from_values(rules.on_grid(o.earliest, o.latest, tt.problem.grid))
            starts = grid.intersection_with(clash.complement())
            if starts.is_empty():
                continue
            present = m.new_bool_var("")
            out.append(
                _Option((therapist.id, o.day), present, m.new_int_var_from_domain(starts, ""))
            )
    return out


def _movers(tt: Timetable, routes: set[Route]) -> dict[Key, Visit]:
    """The visits on the model's routes that may move: not bookings, not displaced, not a
    patient seen under several plans (their times are pinned against each other)."""
    booked = {(f.plan, f.session) for f in tt.problem.fixed}
    out = {}
    for route in sorted(routes):
        day_route = tt.routes[route]
        for stop, start in zip(day_route.stops, day_route.earliest_starts(), strict=True):
            key = (stop.plan, stop.session)
            patient = tt.problem.plans[stop.plan].patient
            if key in booked or key in tt.problem.displaced or patient in tt.pinned_patients:
                continue
            out[key] = Visit(stop.plan, stop.session, route[0], route[1], start)
    return out


def _mover_options(
    tt: Timetable,
    m: cp_model.CpModel,
    visit: Visit,
    *,
    time_only: bool = False,
) -> tuple[list[_Option], cp_model.LinearExprT, cp_model.LinearExprT]:
    """Hard: rules 1, 2 and 4 — where a movable visit may go (only another start on its
    route when `time_only`); with its change cost (time 1, therapist 2, day 3) and
    whether it changes day."""
    problem = tt.problem
    plan = problem.plans[visit.plan]
    held = {s: d for s, (_, d) in tt.where.get(plan.id, {}).items() if s != visit.session}
    postponable = {n for p, n in problem.displaced if p == plan.id}
    days = rules.days_between(plan, visit.session, held, postponable, problem.days)
    first, last = days if days is not None and not time_only else (visit.day, visit.day)
    out: list[_Option] = []
    cost: list[cp_model.LinearExprT] = []
    day_move: list[cp_model.LinearExprT] = []
    places = [
        (therapist.id, o)
        for therapist in rules.eligible(problem, plan)
        for o in rules.options(plan, therapist, first, last)
        if (therapist.id, o.day) in tt.routes
        and (not time_only or (therapist.id, o.day) == (visit.therapist, visit.day))
    ]
    # Cheapest first: its own route, other therapists that day, its therapist another
    # day, the rest; at most `_ALTERNATIVES` besides its own, to keep the model small.
    places.sort(key=lambda p: (p[1].day != visit.day, p[0] != visit.therapist, p[1].day))
    places = places[: _ALTERNATIVES + 1]
    for tid, o in places:
        therapist, route = problem.therapists[tid], (tid, o.day)
        if route == (visit.therapist, visit.day) and not o.earliest <= visit.start <= o.latest:
            continue
        present = m.new_bool_var("")
        grid = set(rules.on_grid(o.earliest, o.latest, problem.grid))
        if route == (visit.therapist, visit.day):
            grid.add(visit.start)  # staying where it is is always on offer
        if not grid:
            continue
        start = m.new_int_var_from_domain(cp_model.Domain.from_values(sorted(grid)), "")
        out.append(_Option(route, present, start))
        if o.day != visit.day:
            cost.append(_COST["day"] * present)
            day_move.append(present)
        elif therapist.id != visit.therapist:
            cost.append(_COST["therapist"] * present)
        else:
            moved = m.new_bool_var("")
            m.add(start == visit.start).only_enforce_if([present, moved.Not()])
            cost.append(moved)
    if not any(o.route == (visit.therapist, visit.day) for o in out):
        # Its own place always stays open (a window the problem changed keeps it too).
        present = m.new_bool_var("")
        out.append(
            _Option(
                (visit.therapist, visit.day), present, m.new_int_var(visit.start, visit.start, "")
            )
        )
    return out, sum(cost), sum(day_move)


def _routes(
    tt: Timetable,
    m: cp_model.CpModel,
    options: dict[Key, list[_Option]],
    was: dict[Key, Visit],
) -> None:
    """Hard: rule 3 — on every route of the model, base legs, travel between any two
    visits, the shift and the day's cap; visits that stay keep their order."""
    problem, geo = tt.problem, tt.geo
    on: dict[Route, list[tuple[Key, _Option]]] = defaultdict(list)
    for key, found in options.items():
        for o in found:
            on[o.route].append((key, o))
    for route, here in on.items():
        day_route = tt.routes[route]
        still = [
            (stop, start)
            for stop, start in zip(day_route.stops, day_route.earliest_starts(), strict=True)
            if (stop.plan, stop.session) not in was
        ]
        m.add(sum(o.present for _, o in here) + len(still) <= day_route.capacity)
        base = day_route.base
        for key, o in here:
            plan = problem.plans[key[0]]
            loc = tt.plan_location[key[0]]
            m.add(o.start >= day_route.start + geo.minutes(base, loc)).only_enforce_if(o.present)
            back = plan.duration + geo.minutes(loc, base)
            m.add(o.start + back <= day_route.end).only_enforce_if(o.present)
            for stop, start in still:
                after = m.new_bool_var("")
                m.add(
                    o.start >= start + stop.duration + geo.minutes(stop.location, loc)
                ).only_enforce_if([after, o.present])
                m.add(
                    o.start + plan.duration + geo.minutes(loc, stop.location) <= start
                ).only_enforce_if([after.Not(), o.present])
        for (ka, a), (kb, b) in itertools.combinations(here, 2):
            pa, pb = problem.plans[ka[0]], problem.plans[kb[0]]
            la, lb = tt.plan_location[ka[0]], tt.plan_location[kb[0]]
            first = m.new_bool_var("")
            va, vb = was.get(ka), was.get(kb)
            if va and vb and (va.therapist, va.day) == (vb.therapist, vb.day) == route:
                m.add(first == int(va.start < vb.start))
            both = [a.present, b.present]
            m.add(a.start + pa.duration + geo.minutes(la, lb) <= b.start).only_enforce_if(
                [first, *both]
            )
            m.add(b.start + pb.duration + geo.minutes(lb, la) <= a.start).only_enforce_if(
                [first.Not(), *both]
            )


def _patients(
    tt: Timetable, m: cp_model.CpModel, options: dict[Key, list[_Option]], was: dict[Key, Visit]
) -> None:
    """Hard: rule 5 — displaced sessions of one patient never overlap on a day (movers are
    never patients seen twice a day)."""
    spans: dict[tuple[str, int], list[cp_model.IntervalVar]] = defaultdict(list)
    for key, found in options.items():
        plan = tt.problem.plans[key[0]]
        if key in was or plan.patient not in tt.pinned_patients:
            continue
        for o in found:
            spans[plan.patient, o.route[1]].append(
                m.new_optional_fixed_size_interval_var(o.start, plan.duration, o.present, "")
            )
    for intervals in spans.values():
        if len(intervals) > 1:
            m.add_no_overlap(intervals)


def _answer(
    tt: Timetable,
    solver: cp_model.CpSolver,
    options: dict[Key, list[_Option]],
    was: dict[Key, Visit],
) -> list[Visit]:
    moved: dict[Key, Visit] = {}
    for key, found in options.items():
        for o in found:
            if solver.value(o.present):
                moved[key] = Visit(key[0], key[1], o.route[0], o.route[1], solver.value(o.start))
    out = []
    for (tid, day), route in sorted(tt.routes.items()):
        for stop, start in zip(route.stops, route.earliest_starts(), strict=True):
            key = (stop.plan, stop.session)
            out.append(moved.pop(key, Visit(stop.plan, stop.session, tid, day, start)))
    return out + list(moved.values())


def reroute_all(
    problem: Problem,
    visits: Sequence[Visit],
    pending: Sequence[Key],
    *,
    budget: int | None,
    deadline: float,
    seed: int,
) -> tuple[list[Visit], int]:
    """`visits` with what the wide repair places of `pending`, in batches of displaced
    sessions whose routes stay within the model's size, round after round (one session
    per plan each); returns the visits and the other visits it changed."""
    start = {(v.plan, v.session): v for v in visits}
    out = list(visits)
    left = set(pending)
    while left and deadline - time.monotonic() > 0.5:
        tt = Timetable(problem, out)
        left -= {(v.plan, v.session) for v in out}
        batch = _batch(tt, sorted(left))
        if not batch:
            break
        changed = sum(1 for v in out if v != start.get((v.plan, v.session), v))
        room = None if budget is None else budget - changed
        share = (deadline - time.monotonic()) * max(0.3, len(batch) / len(left))
        found = reroute(tt, batch, budget=room, time_limit_s=share, seed=seed)
        left -= set(batch)
        if found is not None:
            out = found
    changed = sum(1 for v in out if (v.plan, v.session) in start and v != start[v.plan, v.session])
    return out, changed


def _batch(tt: Timetable, left: list[Key]) -> list[Key]:
    """The lowest pending session of each plan, as many as keep the model's routes within
    `_MAX_ROUTES` (at least one)."""
    lowest: dict[str, int] = {}
    for pid, s in left:
        lowest[pid] = min(lowest.get(pid, s), s)
    routes: set[Route] = set()
    out: list[Key] = []
    for pid, s in sorted(lowest.items()):
        mine = _candidate_routes(tt, tt.problem.plans[pid], s)
        if out and len(routes | mine) > _MAX_ROUTES:
            continue
        routes |= mine
        out.append((pid, s))
    return out


def _candidate_routes(tt: Timetable, plan: Plan, session: int) -> set[Route]:
    held = {s: day for s, (_, day) in tt.where.get(plan.id, {}).items()}
    postponable = {n for p, n in tt.problem.displaced if p == plan.id}
    days = rules.days_between(plan, session, held, postponable, tt.problem.days)
    if days is None:
        return set()
    return {
        (t.id, o.day)
        for t in rules.eligible(tt.problem, plan)
        for o in rules.options(plan, t, *days)
        if (t.id, o.day) in tt.routes
    }
