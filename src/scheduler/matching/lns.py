"""Large-neighbourhood search over who takes which plan.

Destroy: free an unfinished plan and a few plans in its way (visits overlapping its
availability windows) on one to three therapists that could take it, or now and then a
few random plans. Repair: re-place them, the unfinished plan first, the rest hardest
first with noise. Accept when the freed plans' scores (placed, continuity, preferred)
do not get worse, then when the routes the move changed drive no more km.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from scheduler.matching import rules
from scheduler.matching.placement import place_plan
from scheduler.matching.problem import Plan, Problem
from scheduler.matching.repack import repack
from scheduler.matching.timetable import Score, Timetable

Progress = Callable[[float, Score], None]

# Minutes around a target's availability window within which another visit is in its way
# (travel to and from it).
_SLACK_MIN = 30
# Share of moves that also free the therapist already holding the target plan's sessions
# (room made where its chain already fits): 0.5 placed more than 0 on sample-medium.
_HOLDER_SHARE = 0.5
# Search nodes per therapist for the plan a move is for (40 for the plans it freed):
# sample-medium, 60 s, seeds 1/2 placed 0.9629/0.9606 at 40, 0.9683/0.9629 at 100,
# 0.9680/0.9655 at 250 and the same at 600 (the chains are exhausted before).
_FIRST_NODES = 250
_TIGHTEN_SHARE = 0.2  # of the search time: when every therapist's horizon is re-packed
_TIGHTEN_REPACK_S = 0.5  # CP-SAT time for one therapist's horizon when tightening
_POLISH_SHARE = 0.1  # of the search time, kept for giving split plans back to one therapist
_POLISH_REPACK_S = 0.2  # CP-SAT time for one therapist's horizon when polishing


class Neighbourhoods:
    """Which therapists can take which plans, for choosing related therapists quickly."""

    def __init__(self, problem: Problem, *, split: bool = False) -> None:
        self.problem = problem
        # Whether a plan may be shared by several therapists when that places more of its
        # sessions (continuity of care is lost for it).
        self.split = split
        self.eligible = {
            p.id: [t.id for t in rules.eligible(problem, p)] for p in problem.plans.values()
        }
        self.plans_of: dict[str, list[str]] = {t: [] for t in problem.therapists}
        for pid, ts in self.eligible.items():
            for t in ts:
                self.plans_of[t].append(pid)

    def difficulty(self, plan: Plan) -> tuple[int, int, int]:
        """Hardest first: booked sessions, fewest therapists, least slack in windows."""
        return (
            int(plan.id not in self._fixed_plans()),
            len(self.eligible[plan.id]),
            len(plan.availability) - plan.sessions,
        )

    def _fixed_plans(self) -> set[str]:
        return {f.plan for f in self.problem.fixed}


def construct(
    tt: Timetable, hood: Neighbourhoods, deadline: float, first: frozenset[str] = frozenset()
) -> None:
    """First solution: every plan, hardest first, on its best therapist (until `deadline`).

    Plans in `first` (a re-plan's displaced ones) go before all others."""
    fixed_plans = {f.plan for f in tt.problem.fixed}
    for plan in sorted(
        tt.problem.plans.values(),
        key=lambda p: (
            p.id not in first,
            p.id not in fixed_plans,
            len(hood.eligible[p.id]),
            len(p.availability) - p.sessions,
        ),
    ):
        if time.monotonic() > deadline:
            return
        if tt.placed_sessions(plan.id) > len(tt.fixed_days.get(plan.id, {})):
            continue  # placed already (by the assignment start)
        place_plan(
            tt,
            plan,
            hood.eligible[plan.id],
            node_limit=200 if plan.id in fixed_plans else 60,
            split=hood.split,
        )


def _plan_counts(tt: Timetable, plan: Plan) -> tuple[int, int, int]:
    at = tt.where.get(plan.id)
    if not at:
        return 0, 0, 0
    who = {t for t, _ in at.values()}
    return (
        len(at),
        int(len(at) >= 2 and len(who) == 1),
        int(plan.preferred_therapist is not None and who == {plan.preferred_therapist}),
    )


def _local_key(tt: Timetable, plans: list[Plan]) -> tuple[int, int, int, int]:
    """The scores a move can change, counted over the plans it freed."""
    placed = continuous = preferred = broken = 0
    for plan in plans:
        a, b, c = _plan_counts(tt, plan)
        placed, continuous, preferred = placed + a, continuous + b, preferred + c
        at = tt.where.get(plan.id)
        broken += bool(at) and at is not None and max(at) != len(at)
    return -broken, placed, continuous, preferred


def _better(tt: Timetable, before: tuple[int, ...], plans: list[Plan], *, strict: bool) -> bool:
    """Whether the move journalled since `tt.begin()` keeps (or, when `strict`, improves)
    the scores: the freed plans' counts first, then the km the changed routes drive."""
    after = (*_local_key(tt, plans), -round(tt.km_change(), 6))
    return after > (*before, 0.0) if strict else after >= (*before, 0.0)


def _insertion_move(
    tt: Timetable, hood: Neighbourhoods, rng: random.Random, unfinished: list[Plan]
) -> tuple[list[Plan], int] | None:
    """Free an unfinished (or split) plan and the plans in its way on 1-3 therapists;
    re-insert them all."""
    problem, plans = tt.problem, tt.problem.plans
    roll = rng.random()
    split = [] if roll < 0.75 or roll >= 0.9 or not hood.split else tt.split_plans()
    if split or (unfinished and roll < 0.9):
        # An unfinished plan, or (now and then) one seen by several therapists.
        first = [rng.choice(split or unfinished)]
        pool = hood.eligible[first[0].id]
        days = {w.day for w in first[0].availability}
    else:
        first = []
        pool = sorted(problem.therapists)
        days = set(range(problem.days))
    if not pool:
        return None
    chosen = set(rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 3)))))
    if first and rng.random() < _HOLDER_SHARE:
        chosen |= tt.therapists_of(first[0].id)
    in_way, elsewhere = _blocking(tt, chosen, days, first[0] if first else None)
    rng.shuffle(in_way)
    rng.shuffle(elsewhere)
    ids = {p.id for p in first}
    blocking = [pid for pid in in_way + elsewhere if pid not in ids]
    freed = first + [plans[pid] for pid in blocking[: rng.randint(1, 8)]]
    if not freed:
        return None
    return freed, len(first)


def _blocking(
    tt: Timetable, chosen: set[str], days: set[int], target: Plan | None
) -> tuple[list[str], list[str]]:
    """Plans on the chosen therapists' days: those whose visits overlap the target plan's
    availability windows (what is in its way), and the others."""
    windows: dict[int, list[tuple[int, int]]] = {}
    if target is not None:
        for w in target.availability:
            windows.setdefault(w.day, []).append((w.start - _SLACK_MIN, w.end + _SLACK_MIN))
    in_way: set[str] = set()
    others: set[str] = set()
    for t in sorted(chosen):
        for d in sorted(days):
            route = tt.routes.get((t, d))
            if route is None:
                continue
            spans = windows.get(d, [])
            for stop, start in zip(route.stops, route.earliest_starts(), strict=True):
                if (stop.plan, stop.session) in tt.fixed:
                    continue
                end = start + stop.duration
                hit = any(start < b and a < end for a, b in spans)
                (in_way if hit else others).add(stop.plan)
    return sorted(in_way), sorted(others - in_way)


def _apply_insertion(
    tt: Timetable, hood: Neighbourhoods, rng: random.Random, freed: list[Plan], n_first: int
) -> None:
    for plan in freed:
        tt.unplace(plan.id)
    rest = sorted(freed[n_first:], key=lambda p: (hood.difficulty(p), rng.random()))
    for i, plan in enumerate(freed[:n_first] + rest):
        limit = _FIRST_NODES if i < n_first else 40
        place_plan(tt, plan, hood.eligible[plan.id], node_limit=limit, split=hood.split)


def search(
    tt: Timetable,
    hood: Neighbourhoods,
    *,
    deadline: float,
    seed: int,
    progress: Progress | None = None,
    started: float | None = None,
) -> int:
    """Improve `tt` in place until `deadline` (a `time.monotonic()` value); returns moves tried.

    The move frees an unfinished plan and the plans in its way on a few therapists and
    re-inserts them all; it is kept unless it makes the scores of what it touched worse.
    A CP-SAT re-pack of one therapist's horizon used to be a second move: at 0.1 s each
    it took 85 % of the search time for 10 % of the moves, and sample-medium placed
    0.928 with it against 0.946 without (60 s, seed 1), so it only serves the polish.
    """
    rng = random.Random(seed)
    plans = tt.problem.plans
    started = time.monotonic() if started is None else started
    iterations = 0
    # Once each, late in the search: re-pack every therapist's horizon, then (when plans
    # may be split) give split plans back to one therapist.
    span = deadline - time.monotonic()
    finishing = [
        (deadline - _TIGHTEN_SHARE * span, tighten),
        (deadline - _POLISH_SHARE * span, polish_continuity),
    ]
    # Plans with sessions left to place; only the plans a move frees can change.
    open_plans = {p.id: p for p in plans.values() if tt.placed_sessions(p.id) < p.sessions}
    while time.monotonic() < deadline:
        if finishing and time.monotonic() >= finishing[0][0]:
            iterations += finishing.pop(0)[1](tt, hood, deadline)
            open_plans = {p.id: p for p in plans.values() if tt.placed_sessions(p.id) < p.sessions}
            if progress is not None:
                progress(time.monotonic() - started, tt.score())
            continue
        iterations += 1
        tried = _try_move(tt, hood, rng, list(open_plans.values()))
        if tried is None:
            continue
        freed, before = tried
        if _better(tt, before, freed, strict=False):
            improved = progress is not None and _better(tt, before, freed, strict=True)
            tt.commit()
            if improved and progress is not None:
                progress(time.monotonic() - started, tt.score())
        else:
            tt.rollback()
        for plan in freed:
            if tt.placed_sessions(plan.id) < plan.sessions:
                open_plans[plan.id] = plan
            else:
                open_plans.pop(plan.id, None)
    return iterations


def _try_move(
    tt: Timetable, hood: Neighbourhoods, rng: random.Random, unfinished: list[Plan]
) -> tuple[list[Plan], tuple[int, int, int, int]] | None:
    """Make one move inside a journal (`tt.begin()`); returns the freed plans and their
    scores before the move, or None when no move was made (nothing to roll back)."""
    move = _insertion_move(tt, hood, rng, unfinished)
    if move is None:
        return None
    freed, n_first = move
    before = _local_key(tt, freed)
    tt.begin()
    _apply_insertion(tt, hood, rng, freed, n_first)
    return freed, before


def tighten(tt: Timetable, hood: Neighbourhoods, deadline: float) -> int:
    """Re-pack each therapist's horizon with CP-SAT (days, starts and route order of every
    session it holds) to fit more sessions of the unfinished plans it holds alone.

    Insertion fixes days and order early; the exact model re-packs a therapist's weeks,
    which placed 20 more sessions on a 60 s sample-medium result in 3.6 s."""
    holding: dict[str, list[Plan]] = {}
    for plan in tt.problem.plans.values():
        held = tt.therapists_of(plan.id)
        if len(held) == 1 and 0 < tt.placed_sessions(plan.id) < plan.sessions:
            holding.setdefault(next(iter(held)), []).append(plan)
    tried = 0
    for therapist, unfinished in sorted(holding.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        limit = min(_TIGHTEN_REPACK_S, deadline - time.monotonic())
        if limit < 0.05:
            break
        tried += 1
        before = _local_key(tt, unfinished)
        tt.begin()
        if repack(tt, therapist, unfinished, time_limit_s=limit, seed=0) and _better(
            tt, before, unfinished, strict=True
        ):
            tt.commit()
        else:
            tt.rollback()
    return tried


def polish_continuity(tt: Timetable, hood: Neighbourhoods, deadline: float) -> int:
    """Soft: continuity — give each split plan to one therapist where that loses nothing.

    First the plan alone is re-placed on one therapist around everyone's routes; when
    that fails, CP-SAT re-packs the horizon of the therapist holding most of its sessions
    to make room for all of them (`repack` keeps every session that therapist holds).
    """
    tried = 0
    for plan in tt.split_plans():
        if time.monotonic() >= deadline:
            break
        tried += 1
        before = _local_key(tt, [plan])
        tt.begin()
        tt.unplace(plan.id)
        place_plan(tt, plan, hood.eligible[plan.id], node_limit=60, split=False)
        if _better(tt, before, [plan], strict=True):
            tt.commit()
            continue
        tt.rollback()
        _repack_onto_holder(tt, plan, deadline)
    return tried


def _repack_onto_holder(tt: Timetable, plan: Plan, deadline: float) -> None:
    """Move a split plan wholly to one of its therapists by re-packing that therapist's
    days: the preferred one if it holds a session, else the one holding most."""
    held = [t for t, _ in tt.where.get(plan.id, {}).values()]
    therapist = min(set(held), key=lambda t: (t != plan.preferred_therapist, -held.count(t), t))
    limit = min(_POLISH_REPACK_S, deadline - time.monotonic())
    if limit < 0.05 or not tt.problem.can_treat(tt.problem.therapists[therapist], plan):
        return
    before = _local_key(tt, [plan])
    tt.begin()
    if repack(tt, therapist, [plan], time_limit_s=limit, seed=0) and _better(
        tt, before, [plan], strict=True
    ):
        tt.commit()
    else:
        tt.rollback()
