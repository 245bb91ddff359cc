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
from scheduler.matching.timetable import Score, Timetable

Progress = Callable[[float, Score], None]


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


def construct(tt: Timetable, hood: Neighbourhoods, deadline: float) -> None:
    """First solution: every plan, hardest first, on its best therapist (until `deadline`)."""
    fixed_plans = {f.plan for f in tt.problem.fixed}
    for plan in sorted(
        tt.problem.plans.values(),
        key=lambda p: (
            p.id not in fixed_plans,
            len(hood.eligible[p.id]),
            len(p.availability) - p.sessions,
        ),
    ):
        if time.monotonic() > deadline:
            return
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


def search(
    tt: Timetable,
    hood: Neighbourhoods,
    *,
    deadline: float,
    seed: int,
    progress: Progress | None = None,
    started: float | None = None,
) -> int:
    """Improve `tt` in place until `deadline` (a `time.monotonic()` value); returns moves tried."""
    rng = random.Random(seed)
    problem = tt.problem
    plans = problem.plans
    therapist_ids = sorted(problem.therapists)
    started = time.monotonic() if started is None else started
    best = tt.score()
    iterations = 0
    while time.monotonic() < deadline:
        iterations += 1
        unfinished = [p for p in plans.values() if tt.placed_sessions(p.id) < p.sessions]
        if unfinished and rng.random() < 0.85:
            first = [rng.choice(unfinished)]
            pool = hood.eligible[first[0].id]
            days = {w.day for w in first[0].availability}
        else:
            first = []
            pool = therapist_ids
            days = set(range(problem.days))
        if not pool:
            continue
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
        involved = set(chosen)
        for plan in freed:
            involved |= tt.therapists_of(plan.id)
        before = _local_key(tt, freed, involved)
        tt.begin()
        for plan in freed:
            tt.unplace(plan.id)
        rest = sorted(freed[len(first) :], key=lambda p: (hood.difficulty(p), rng.random()))
        for plan in first + rest:
            allowed = hood.eligible[plan.id]
            involved.update(allowed)
            place_plan(tt, plan, allowed, node_limit=40)
        after = _local_key(tt, freed, involved)
        if after >= before:
            tt.commit()
            if after > before:
                best = tt.score()
                if progress is not None:
                    progress(time.monotonic() - started, best)
        else:
            tt.rollback()
    return iterations
