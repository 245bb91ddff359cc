"""`solve`: a planning problem in, a plan out.

Decomposition: a plan goes to one therapist whenever it can (continuity), so the hard
part is who takes which plan. A hardest-first insertion builds a first timetable; a
large-neighbourhood search then frees an unfinished plan together with the plans in
its way on one to three therapists and re-places them, keeping the move when the
scores do not get worse. Two searches with different seeds run side by side, one per
core; the better timetable wins.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from typing import Any

from scheduler.matching import explain, lns, replan
from scheduler.matching.problem import Problem, Visit
from scheduler.matching.result import PlanResult
from scheduler.matching.timetable import Score, Timetable

Progress = Callable[[float, Score], None]

# Time kept back from the limit for writing the result (explanations, reasons).
_RESERVE_S = 0.3
_RESERVE_SHARE = 0.05


def _search(  # noqa: PLR0917 - private; called from two places with the same order
    problem: Problem,
    kept: Sequence[Visit],
    seed: int,
    deadline: float,
    progress: Progress | None,
    started: float,
) -> tuple[tuple[int, int, int, float], list[Visit], int]:
    tt = Timetable(problem, kept)
    hood = lns.Neighbourhoods(problem)
    lns.construct(tt, hood, deadline)
    if progress is not None:
        progress(time.monotonic() - started, tt.score())
    moves = lns.search(tt, hood, deadline=deadline, seed=seed, progress=progress, started=started)
    _cut_gaps(tt, {(f.plan, f.session) for f in problem.fixed})
    return tt.score().key(), tt.visits(), moves


def _child(args: tuple[Problem, Sequence[Visit], int, float]) -> tuple[Any, list[Visit], int]:
    problem, kept, seed, seconds = args
    now = time.monotonic()
    return _search(problem, kept, seed, now + seconds, None, now)


def _cut_gaps(tt: Timetable, protected: set[tuple[str, int]]) -> None:
    """Hard: rule 4 — drop sessions after the first unplaced one (bookings excepted)."""
    for plan_id in tt.broken_plans():
        at = tt.where[plan_id]
        first_gap = next(s for s in range(1, len(at) + 2) if s not in at)
        tt.truncate(plan_id, first_gap - 1, protected)


def solve(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int,
    previous: Sequence[Visit] | None = None,
    progress: Progress | None = None,
    workers: int = 2,
) -> PlanResult:
    """Plan every session it can within `time_limit_s` seconds of wall time.

    `previous` (the visits of an earlier plan) turns this into a minimal-disruption
    re-plan: every previous visit still feasible stays exactly where it was. `progress`
    is called with (seconds, scores) whenever the best timetable improves.
    """
    started = time.monotonic()
    kept = replan.kept_visits(problem, previous) if previous is not None else []
    reserve = _RESERVE_S + _RESERVE_SHARE * time_limit_s
    deadline = started + max(0.0, time_limit_s - reserve - (time.monotonic() - started))
    pending = None
    pool = None
    if workers > 1 and deadline - time.monotonic() > 1.0:
        pool = multiprocessing.get_context("fork").Pool(1)
        seconds = deadline - time.monotonic() - 0.2  # the child also has to send its answer
        pending = pool.apply_async(_child, ((problem, kept, seed + 1, seconds),))
    key, visits, moves = _search(problem, kept, seed, deadline, progress, started)
    if pending is not None and pool is not None:
        other_key, other_visits, other_moves = pending.get()
        pool.close()
        pool.join()
        moves += other_moves
        if other_key > key:
            key, visits = other_key, other_visits
    searched = time.monotonic()
    tt = Timetable(problem, visits)  # the winner, every visit in place as it was found
    tt.fixed = {(f.plan, f.session): f for f in problem.fixed}
    result = PlanResult(
        visits=tt.visits(),
        unscheduled=explain.unscheduled(tt),
        scores=explain.scores(tt),
        status="infeasible_fixed" if tt.broken_plans() else "feasible",
        explanations=explain.explanations(tt),
    )
    if previous is not None:
        result.changes = replan.changes(previous, result.visits)
    result.timings = {
        "search_s": round(searched - started, 3),
        "total_s": round(time.monotonic() - started, 3),
        "moves": float(moves),
    }
    return result
