"""Large-neighbourhood search over who takes which plan.

Destroy: free every plan held by a few related therapists (sharing the skills of an
unfinished plan, or of a random therapist), plus some unfinished plans they could take.
Repair: re-place those plans among the freed therapists, hardest first with noise.
Accept when the scores (placed, continuity, preferred, -travel) do not get worse.
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

_POLISH_SHARE = 0.1  # of the search time, kept for giving split plans back to one therapist
_POLISH_REPACK_S = 0.2  # CP-SAT time for one therapist's horizon when polishing


class Neighbourhoods:
    """Which therapists can take which plans, for choosing related therapists quickly."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
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
            tt, plan, hood.eligible[plan.id], node_limit=200 if plan.id in fixed_plans else 60
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


def _local_key(
    tt: Timetable, plans: list[Plan], therapists: set[str]
) -> tuple[int, int, int, int, float]:
    placed = continuous = preferred = broken = 0
    for plan in plans:
        a, b, c = _plan_counts(tt, plan)
        placed, continuous, preferred = placed + a, continuous + b, preferred + c
        at = tt.where.get(plan.id)
        broken += bool(at) and at is not None and max(at) != len(at)
    km = sum(
        tt.routes[t, d].km()
        for t in therapists
        for d in tt.problem.therapists[t].shifts
        if (t, d) in tt.routes
    )
    return -broken, placed, continuous, preferred, -round(km, 6)


def _insertion_move(
    tt: Timetable, hood: Neighbourhoods, rng: random.Random, unfinished: list[Plan]
) -> tuple[list[Plan], set[str], int] | None:
    """Free an unfinished (or split) plan and the plans in its way on 1-3 therapists;
    re-insert them all."""
    problem, plans = tt.problem, tt.problem.plans
    roll = rng.random()
    split = [] if roll < 0.75 or roll >= 0.9 else tt.split_plans()
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
    blocking = sorted(
        {
            s.plan
            for t in chosen
            for d in days
            if (t, d) in tt.routes
            for s in tt.routes[t, d].stops
            if (s.plan, s.session) not in tt.fixed
        }
    )
    rng.shuffle(blocking)
    ids = {p.id for p in first}
    freed = first + [plans[pid] for pid in blocking[: rng.randint(1, 8)] if pid not in ids]
    if not freed:
        return None
    involved = set(chosen)
    for plan in freed:
        involved |= tt.therapists_of(plan.id)
        involved.update(hood.eligible[plan.id])
    return freed, involved, len(first)


def _apply_insertion(
    tt: Timetable, hood: Neighbourhoods, rng: random.Random, freed: list[Plan], n_first: int
) -> None:
    for plan in freed:
        tt.unplace(plan.id)
    rest = sorted(freed[n_first:], key=lambda p: (hood.difficulty(p), rng.random()))
    for plan in freed[:n_first] + rest:
        place_plan(tt, plan, hood.eligible[plan.id], node_limit=40)


def _repack_target(
    tt: Timetable, hood: Neighbourhoods, rng: random.Random, unfinished: list[Plan]
) -> tuple[str, list[Plan]] | None:
    """A therapist and up to four unfinished (or split) plans it could take on."""
    plans = tt.problem.plans
    split = [p for p in plans.values() if len(tt.therapists_of(p.id)) > 1]
    pick = unfinished if unfinished and (not split or rng.random() < 0.8) else split
    if not pick:
        return None
    plan = rng.choice(pick)
    pool = hood.eligible[plan.id]
    if not pool:
        return None
    holders = sorted(tt.therapists_of(plan.id))
    weights = [3 if t in holders or t == plan.preferred_therapist else 1 for t in pool]
    therapist = rng.choices(pool, weights)[0]
    shifts = tt.problem.therapists[therapist].shifts
    others = [
        p
        for p in unfinished
        if p.id != plan.id
        and therapist in hood.eligible[p.id]
        and any(w.day in shifts for w in p.availability)
    ]
    rng.shuffle(others)
    return therapist, [plan, *others[: rng.randint(0, 3)]]


def search(
    tt: Timetable,
    hood: Neighbourhoods,
    *,
    deadline: float,
    seed: int,
    progress: Progress | None = None,
    started: float | None = None,
    repack_share: float = 0.1,
) -> int:
    """Improve `tt` in place until `deadline` (a `time.monotonic()` value); returns moves tried.

    Two moves: re-inserting a handful of freed plans (cheap, moves plans between
    therapists), and re-packing one therapist's horizon with CP-SAT while taking on a few
    unfinished plans (exact, packs timetables tight). A move is kept unless it makes the
    scores of what it touched worse.
    """
    rng = random.Random(seed)
    plans = tt.problem.plans
    started = time.monotonic() if started is None else started
    iterations = 0
    polish_from = deadline - _POLISH_SHARE * (deadline - time.monotonic())
    polished = False
    while time.monotonic() < deadline:
        if not polished and time.monotonic() >= polish_from:
            iterations += polish_continuity(tt, hood, deadline)
            polished = True
            continue
        iterations += 1
        unfinished = [p for p in plans.values() if tt.placed_sessions(p.id) < p.sessions]
        if rng.random() < repack_share:
            target = _repack_target(tt, hood, rng, unfinished)
            if target is None:
                continue
            therapist, freed = target
            involved = {therapist}
            for plan in freed:
                involved |= tt.therapists_of(plan.id)
            before = _local_key(tt, freed, involved)
            tt.begin()
            limit = min(1.0, max(0.05, deadline - time.monotonic()))
            if not repack(tt, therapist, freed, time_limit_s=limit, seed=rng.randrange(1 << 30)):
                tt.rollback()
                continue
        else:
            move = _insertion_move(tt, hood, rng, unfinished)
            if move is None:
                continue
            freed, involved, n_first = move
            before = _local_key(tt, freed, involved)
            tt.begin()
            _apply_insertion(tt, hood, rng, freed, n_first)
        after = _local_key(tt, freed, involved)
        if after >= before:
            tt.commit()
            if after > before and progress is not None:
                progress(time.monotonic() - started, tt.score())
        else:
            tt.rollback()
    return iterations


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
        involved = tt.therapists_of(plan.id) | set(hood.eligible[plan.id])
        before = _local_key(tt, [plan], involved)
        tt.begin()
        tt.unplace(plan.id)
        place_plan(tt, plan, hood.eligible[plan.id], node_limit=60, split=False)
        if _local_key(tt, [plan], involved) > before:
            tt.commit()
            continue
        tt.rollback()
        _repack_onto_holder(tt, plan, involved, deadline)
    return tried


def _repack_onto_holder(tt: Timetable, plan: Plan, involved: set[str], deadline: float) -> None:
    """Move a split plan wholly to one of its therapists by re-packing that therapist's
    days: the preferred one if it holds a session, else the one holding most."""
    held = [t for t, _ in tt.where.get(plan.id, {}).values()]
    therapist = min(set(held), key=lambda t: (t != plan.preferred_therapist, -held.count(t), t))
    limit = min(_POLISH_REPACK_S, deadline - time.monotonic())
    if limit < 0.05 or not tt.problem.can_treat(tt.problem.therapists[therapist], plan):
        return
    before = _local_key(tt, [plan], involved)
    tt.begin()
    if (
        repack(tt, therapist, [plan], time_limit_s=limit, seed=0)
        and _local_key(tt, [plan], involved) > before
    ):
        tt.commit()
    else:
        tt.rollback()
