"""Placing one whole plan: a chain of days (cadence) and a slot in each day's route.

A plan goes to one therapist when it can (continuity); a bounded depth-first search
over the session options finds the longest prefix of sessions 1..k that fits. Only
when no single therapist can take as many sessions does it split the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scheduler.matching import rules
from scheduler.matching.problem import Plan
from scheduler.matching.routes import Stop
from scheduler.matching.timetable import Timetable

# Sessions a split must add over the best single-therapist chain. Scores are
# lexicographic (placed first); 2 raised continuity on sample-medium (0.89 -> 0.96) but
# cost placed sessions (0.96 -> 0.94, and 0.99 -> 0.94 on the 120-therapist clinic).
_SPLIT_GAIN = 1


@dataclass(frozen=True, slots=True)
class Step:
    """One session's place in a chain."""

    session: int
    therapist: str
    day: int
    position: int
    start: int
    added_km: float


@dataclass(slots=True)
class Chain:
    """The best prefix of a plan's sessions found so far."""

    steps: list[Step]
    placed: int  # sessions counted from 1, fixed ones included
    km: float

    def better_than(self, other: Chain) -> bool:
        """More sessions, then less added travel."""
        return (self.placed, -self.km) > (other.placed, -other.km)


Candidates = Callable[[int, str | None], list[str]]


def search_chain(tt: Timetable, plan: Plan, candidates: Candidates, node_limit: int) -> Chain:
    """Longest (then cheapest) prefix of sessions placeable, each session tried on the
    therapists `candidates(session, previous_therapist)` names, in that order."""
    problem = tt.problem
    location = tt.plan_location[plan.id]
    best = Chain([], 0, 0.0)
    steps: list[Step] = []
    budget = [node_limit]

    def dfs(  # noqa: PLR0912 - one search step: fixed session, options, tentative insert, undo
        session: int, prev_day: int | None, prev_therapist: str | None, km: float
    ) -> bool:
        nonlocal best
        placed = session - 1
        if placed > best.placed or (placed == best.placed and km < best.km):
            best = Chain(list(steps), placed, km)
        if session > plan.sessions:
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        first, last = rules.day_range(plan, session, prev_day, tt.fixed_days.get(plan.id))
        fixed = tt.fixed.get((plan.id, session))
        if fixed is not None:
            if not first <= fixed.day <= last:
                return False
            return dfs(session + 1, fixed.day, fixed.therapist, km)
        tries = []
        for tid in candidates(session, prev_therapist):
            therapist = problem.therapists[tid]
            for opt in rules.options(plan, therapist, first, last):
                route = tt.routes.get((tid, opt.day))
                if route is None:
                    continue
                stop = Stop(plan.id, session, location, plan.duration, opt.earliest, opt.latest)
                at = route.best_insertion(stop, tt.patient_busy(plan, opt.day))
                if at is not None:
                    tries.append((at.added_km, opt.day, tid, stop, at))
        tries.sort(key=lambda x: (x[0], x[1]))
        pinned = plan.patient in tt.pinned_patients
        for added, day, tid, stop, at in tries:
            route = tt.routes[tid, day]
            if pinned:
                stop.earliest = stop.latest = at.start
                stop.pinned = True
                tt.busy[plan.patient, day].append((at.start, at.start + plan.duration))
            route.put(at.position, stop)
            steps.append(Step(session, tid, day, at.position, at.start, added))
            done = dfs(session + 1, day, tid, km + added)
            steps.pop()
            route.pop_at(at.position)
            if pinned:
                tt.busy[plan.patient, day].remove((at.start, at.start + plan.duration))
            if done or budget[0] < 0:
                return done
        return False

    dfs(1, None, None, 0.0)
    return best


def commit_chain(tt: Timetable, plan: Plan, chain: Chain) -> None:
    """Replay a chain found by `search_chain` on the (unchanged) timetable."""
    location = tt.plan_location[plan.id]
    for step in chain.steps:
        route = tt.routes[step.therapist, step.day]
        window = next(
            o
            for o in rules.options(plan, tt.problem.therapists[step.therapist], step.day, step.day)
            if o.earliest <= step.start <= o.latest
        )
        stop = Stop(plan.id, step.session, location, plan.duration, window.earliest, window.latest)
        tt.insert(route, stop, step.position, step.start)


def place_plan(
    tt: Timetable, plan: Plan, therapists: list[str], *, node_limit: int = 60, split: bool = True
) -> int:
    """Place as many of a plan's sessions as possible, preferring one therapist for all,
    then the preferred one, then least travel. Returns the sessions placed.

    The plan must have nothing placed but its fixed bookings."""
    if tt.placed_sessions(plan.id) > len(tt.fixed_days.get(plan.id, {})):
        raise ValueError(f"plan {plan.id} is placed already; unplace it first")
    fixed_by = {
        tt.fixed[plan.id, s].therapist
        for s in range(1, plan.sessions + 1)
        if (plan.id, s) in tt.fixed
    }
    best: Chain | None = None
    best_key: tuple[int, int, int, float] | None = None
    for tid in therapists:

        def only(_session: int, _previous: str | None, tid: str = tid) -> list[str]:
            return [tid]

        chain = search_chain(tt, plan, only, node_limit)
        who = fixed_by | {tid}
        key = (
            chain.placed,
            int(len(who) == 1),
            int(plan.preferred_therapist is not None and who == {plan.preferred_therapist}),
            -chain.km,
        )
        if best_key is None or key > best_key:
            best, best_key = chain, key
        if chain.placed == plan.sessions and key[1] and (plan.preferred_therapist in (None, tid)):
            break  # nothing can beat a full, continuous, preferred chain but km
    if split and (best is None or best.placed < plan.sessions) and len(therapists) > 1:

        def anyone(_session: int, previous: str | None) -> list[str]:
            if previous in therapists:
                return [previous, *(t for t in therapists if t != previous)]
            return therapists

        mixed = search_chain(tt, plan, anyone, node_limit * 2)
        if best is None or mixed.placed >= best.placed + _SPLIT_GAIN:
            best = mixed
    if best is None:
        return 0
    commit_chain(tt, plan, best)
    return best.placed
