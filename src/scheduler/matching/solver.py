"""`solve`: a planning problem in, a plan out.

Decomposition: a plan goes to one therapist whenever it can (continuity), so the hard
part is who takes which plan. The assignment LP (`assign.py`) steers plans to
therapists, per-therapist CP-SAT models (`repack.py`) pack them, a hardest-first
insertion places the rest; then two large-neighbourhood searches (`lns.py`) with
different seeds run from that start, one per core, and the better timetable wins.
"""

from __future__ import annotations

import functools
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection

from scheduler.matching import assign, explain, lns, replan
from scheduler.matching.eject import eject
from scheduler.matching.gate import gate
from scheduler.matching.placement import place_plan
from scheduler.matching.problem import Plan, Problem, Visit
from scheduler.matching.repack import repack
from scheduler.matching.reroute_model import reroute_all
from scheduler.matching.result import PlanResult
from scheduler.matching.retime import repair
from scheduler.matching.timetable import Score, Timetable

Progress = Callable[[float, Score], None]

# Time kept back from the limit for writing the result (explanations, reasons).
_RESERVE_S = 0.3
_RESERVE_SHARE = 0.05
# Sick calls with at most this many displaced sessions also try the wide repair alone.
_WIDE_FIRST = 16


def _search(
    problem: Problem,
    kept: Sequence[Visit],
    *,
    seed: int,
    deadline: float,
    progress: Progress | None,
    started: float,
    workers: int,
    displaced: frozenset[str] = frozenset(),
    split: bool = False,
) -> tuple[list[Visit], int]:
    """The best timetable found by `workers` searches from one shared start."""
    tt = Timetable(problem, kept)
    hood = lns.Neighbourhoods(problem, split=split)
    if not kept:  # a re-plan keeps almost everything: insertion alone starts it well
        # The LP gets a third of the time and the packing stops at 60 %, so that the
        # construction always completes and the search has time left, even on a busy host.
        budget = deadline - started
        _assignment_start(tt, hood, started + 0.35 * budget, started + 0.6 * budget, seed)
    lns.construct(tt, hood, deadline, displaced)
    if progress is not None:
        progress(time.monotonic() - started, tt.score())
    child = None
    if workers > 1 and deadline - time.monotonic() > 1.0:
        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        # The child inherits the start by fork and searches with another seed.
        child = context.Process(
            target=_child, args=(tt, hood, seed + 1, deadline - 0.2, writer), daemon=True
        )
        child.start()
        writer.close()
    moves = lns.search(tt, hood, deadline=deadline, seed=seed, progress=progress, started=started)
    _cut_gaps(tt, {(f.plan, f.session) for f in problem.fixed})
    key, visits = tt.score().key(), tt.visits()
    if child is not None:
        answer = reader.recv() if reader.poll(max(1.0, deadline - time.monotonic() + 1.0)) else None
        child.join(timeout=1.0)
        if child.is_alive():
            child.kill()
        if answer is not None:
            other_key, other_visits, other_moves = answer
            moves += other_moves
            if other_key > key:
                visits = other_visits
    return visits, moves


def _child(
    tt: Timetable, hood: lns.Neighbourhoods, seed: int, deadline: float, out: Connection
) -> None:
    moves = lns.search(tt, hood, deadline=deadline, seed=seed)
    _cut_gaps(tt, {(f.plan, f.session) for f in tt.problem.fixed})
    out.send((tt.score().key(), tt.visits(), moves))
    out.close()


def _assignment_start(
    tt: Timetable, hood: lns.Neighbourhoods, lp_deadline: float, deadline: float, seed: int
) -> None:
    """Plans on the therapists the assignment LP favours, packed by per-therapist CP-SAT.

    Also re-orders each plan's candidate therapists by the LP's preference, which the
    later construction and search follow.
    """
    ranked = assign.assign(tt, hood.eligible, time_limit_s=max(0.1, lp_deadline - time.monotonic()))
    if not ranked:
        return
    for pid, options in ranked.items():
        first = [tid for tid, _ in options]
        hood.eligible[pid] = first + [t for t in hood.eligible[pid] if t not in first]
    chosen = {pid: opts[0][0] for pid, opts in ranked.items() if opts and opts[0][1] > 0.5}
    fixed_plans = tt.fixed_days
    for plan in sorted(tt.problem.plans.values(), key=hood.difficulty):
        if plan.id in chosen and tt.placed_sessions(plan.id) == len(fixed_plans.get(plan.id, {})):
            place_plan(tt, plan, [chosen[plan.id]], node_limit=100, split=False)
    unfinished: dict[str, list[Plan]] = defaultdict(list)
    for plan in tt.problem.plans.values():
        if plan.id in chosen and tt.placed_sessions(plan.id) < plan.sessions:
            unfinished[chosen[plan.id]].append(plan)
    for therapist in sorted(unfinished):
        left = deadline - time.monotonic()
        if left < 0.1:
            break
        tt.begin()
        if repack(tt, therapist, unfinished[therapist], time_limit_s=min(2.0, left / 4), seed=seed):
            tt.commit()
        else:
            tt.rollback()


def _replan(
    problem: Problem,
    previous: Sequence[Visit],
    kept: list[Visit],
    search: Callable[..., tuple[list[Visit], int]],
    deadline: float,
    *,
    retime: bool,
    seed: int,
    budget: int | None,
) -> tuple[list[Visit], int]:
    """Re-plan without a cascade. Every still-feasible visit stays pinned; the repair
    (`retime.py`) re-homes what it can of the displaced sessions, and a displaced session
    it cannot place is postponed (v1.1), so the plan's later sessions keep their places.

    A session the change took away that the problem does not list as `displaced` cannot
    be postponed: where it finds no place, the plan's later sessions would be dropped
    (rule 4), so a second round frees those sessions to move with it instead."""
    kept = _repaired(problem, previous, kept, deadline, retime=retime, seed=seed, budget=budget)
    middle = time.monotonic() + 0.5 * (deadline - time.monotonic())
    visits, moves = search(kept, deadline=middle)
    placed = {(v.plan, v.session) for v in visits} | set(problem.displaced)
    cut: dict[str, int] = {}
    for v in sorted(previous, key=lambda v: (v.plan, v.session)):
        if (v.plan, v.session) not in placed and v.plan not in cut:
            cut[v.plan] = v.session
    looser = [v for v in kept if v.session < cut.get(v.plan, v.session + 1)]
    if len(looser) == len(kept):
        return visits, moves
    looser = _repaired(problem, previous, looser, deadline, retime=retime, seed=seed, budget=budget)
    again, more = search(looser, deadline=deadline)
    if Timetable(problem, again).score().key() > Timetable(problem, visits).score().key():
        return again, moves + more
    return visits, moves + more


def _repaired(
    problem: Problem,
    previous: Sequence[Visit],
    kept: list[Visit],
    deadline: float,
    *,
    retime: bool,
    seed: int,
    budget: int | None,
) -> list[Visit]:
    """`kept` plus the displaced sessions the repair places (with its re-timings), given
    a quarter of the time left before `deadline`; the repair stops early at its optimum."""
    held = {(v.plan, v.session) for v in kept} | {(f.plan, f.session) for f in problem.fixed}
    lost = {(v.plan, v.session) for v in previous} | set(problem.displaced)
    displaced = sorted(lost - held)
    share = 0.5 * (deadline - time.monotonic())
    if not displaced or share < 0.05:
        return kept
    done = repair(
        problem, kept, displaced, retime=retime, time_limit_s=share, seed=seed, budget=budget
    )
    left = None if budget is None else budget * len(displaced) - done.retimed
    visits = done.visits
    if not retime or (left is not None and left <= 0):
        return visits
    # One other visit moved per displaced session, greedily; then the wide repair, where
    # other visits may change therapist or day in chains (within what is left).
    placed = {(v.plan, v.session) for v in visits}
    pending = [key for key in displaced if key not in placed]
    until = time.monotonic() + 0.2 * (deadline - time.monotonic())
    room = len(displaced) if left is None else left
    visits, used = eject(problem, visits, pending, changes_left=room, deadline=until)
    left = None if left is None else left - used
    if left is not None and left <= 0:
        return visits
    placed = {(v.plan, v.session) for v in visits}
    pending = [key for key in displaced if key not in placed]
    until = time.monotonic() + 0.5 * (deadline - time.monotonic())
    visits = reroute_all(problem, visits, pending, budget=left, deadline=until, seed=seed)[0]
    if len(displaced) <= _WIDE_FIRST and deadline - time.monotonic() > 1.0:
        # A small sick call: the wide repair alone may spend the budget better than the
        # re-timing did first; the better of the two wins.
        until = time.monotonic() + 0.5 * (deadline - time.monotonic())
        total = len(displaced) if budget is None else budget * len(displaced)
        wide = reroute_all(problem, kept, displaced, budget=total, deadline=until, seed=seed)[0]
        if _repair_key(wide, kept, displaced) > _repair_key(visits, kept, displaced):
            return wide
    return visits


def _repair_key(
    visits: Sequence[Visit], kept: Sequence[Visit], displaced: Sequence[tuple[str, int]]
) -> tuple[int, int]:
    """Displaced sessions placed, then fewest other visits changed."""
    now = {(v.plan, v.session): v for v in visits}
    placed = sum(1 for key in displaced if key in now)
    return placed, -sum(1 for v in kept if now.get((v.plan, v.session)) != v)


def _cut_gaps(tt: Timetable, protected: set[tuple[str, int]]) -> None:
    """Hard: rule 4 — drop sessions after the first unplaced one that is not displaced
    (a displaced one is postponed instead; bookings excepted)."""
    displaced = tt.problem.displaced
    for plan_id in tt.broken_plans():
        at = tt.where[plan_id]
        first_gap = next(
            s for s in range(1, len(at) + 2) if s not in at and (plan_id, s) not in displaced
        )
        tt.truncate(plan_id, first_gap - 1, protected)


def solve(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int,
    previous: Sequence[Visit] | None = None,
    progress: Progress | None = None,
    workers: int = 2,
    retime: bool = True,
    split_plans: bool = False,
    budget: int | None = 1,
) -> PlanResult:
    """Plan every session it can within `time_limit_s` seconds of wall time.

    `previous` (the visits of an earlier plan) turns this into a minimal-disruption
    re-plan: every previous visit still feasible stays with its therapist and day, and
    keeps its start unless shifting it (within its window) lets a displaced session in;
    as few are shifted as can be, at most `budget` per displaced session (None: no
    limit), and none when `retime` is False. A displaced session (`problem.displaced`,
    v1.1) goes to a therapist its plan already has when it can; one with no place is
    postponed, so the plan's later sessions keep theirs. `progress` is called with
    (seconds, scores) whenever the best timetable improves.

    A plan keeps one therapist for all its sessions (continuity of care) unless
    `split_plans`, which lets the search share a plan between therapists whenever that
    places more sessions (the spec's score order: placed first, then continuity).
    """
    started = time.monotonic()
    kept = replan.kept_visits(problem, previous) if previous is not None else []
    unchanged = set(kept)
    displaced = frozenset(v.plan for v in previous or () if v not in unchanged) | {
        pid for pid, _ in problem.displaced
    }
    reserve = _RESERVE_S + _RESERVE_SHARE * time_limit_s
    deadline = started + max(0.0, time_limit_s - reserve - (time.monotonic() - started))
    search = functools.partial(
        _search,
        problem,
        seed=seed,
        progress=progress,
        started=started,
        workers=workers,
        displaced=displaced,
        split=split_plans,
    )
    if previous is None or not displaced:
        visits, moves = search(kept, deadline=deadline)
    else:
        visits, moves = _replan(
            problem, previous or (), kept, search, deadline, retime=retime, seed=seed, budget=budget
        )
    searched = time.monotonic()
    gated = gate(problem, visits, time_limit_s=max(0.5, _RESERVE_SHARE * time_limit_s))
    tt = Timetable(problem, gated.visits)  # the winner, every visit in place as it was found
    tt.fixed = {(f.plan, f.session): f for f in problem.fixed}
    result = PlanResult(
        visits=tt.visits(),
        unscheduled=explain.unscheduled(tt, postponed=set(gated.postponed)),
        scores=explain.scores(tt),
        status="infeasible_fixed" if gated.broken else "feasible",
        explanations=explain.explanations(tt),
        postponed=gated.postponed,
        broken=[f"[{b.rule}] {b.plan} s{b.session}: {b.message}" for b in gated.broken],
    )
    if previous is not None:
        result.changes = replan.changes(previous, result.visits)
    result.timings = {
        "search_s": round(searched - started, 3),
        "total_s": round(time.monotonic() - started, 3),
        "moves": float(moves),
        "gate_mended": float(gated.mended),
        "gate_removed": float(gated.removed),
    }
    return result
