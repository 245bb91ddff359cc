"""Minimal-disruption re-planning: keep what still holds, count what changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from scheduler.matching import rules
from scheduler.matching.problem import Problem, Visit
from scheduler.matching.result import Changes
from scheduler.matching.routes import Stop
from scheduler.matching.timetable import Timetable


def kept_visits(problem: Problem, previous: Sequence[Visit]) -> list[Visit]:
    """The previous visits that are still feasible in the (changed) problem, unchanged.

    Each is checked against rules 1, 2, 3 and 5 on top of the fixed bookings and the
    visits kept before it, and against rule 4 with the plan's previous session when that
    one is kept too. A gap left by a dropped session is for the solver to fill again.
    """
    tt = Timetable(problem)
    kept: list[Visit] = []
    last_day: dict[str, tuple[int, int]] = {}
    for v in sorted(previous, key=lambda v: (v.plan, v.session)):
        plan = problem.plans.get(v.plan)
        therapist = problem.therapists.get(v.therapist)
        if (v.plan, v.session) in tt.fixed:
            last_day[v.plan] = (v.session, tt.fixed[v.plan, v.session].day)
            continue
        if (v.plan, v.session) in problem.displaced:
            continue  # it lost its booking (v1.1): the re-plan finds it a new place
        if plan is None or therapist is None or not 1 <= v.session <= plan.sessions:
            continue
        if not problem.can_treat(therapist, plan):
            continue
        before = last_day.get(v.plan)
        prev_day = before[1] if before and before[0] == v.session - 1 else None
        if v.session == 1 or prev_day is not None:
            first, last = rules.day_range(plan, v.session, prev_day)
            if not first <= v.day <= last:
                continue
        fits = [
            o
            for o in rules.options(plan, therapist, v.day, v.day)
            if o.earliest <= v.start <= o.latest
        ]
        route = tt.routes.get((v.therapist, v.day))
        if not fits or route is None:
            continue
        stop = Stop(v.plan, v.session, tt.plan_location[v.plan], plan.duration, v.start, v.start)
        at = route.best_insertion(stop, tt.patient_busy(plan, v.day))
        if at is None or at.start != v.start:
            continue
        stop.pinned = True
        tt.insert(route, stop, at.position, at.start)
        kept.append(v)
        last_day[v.plan] = (v.session, v.day)
    return kept


def lost_sessions(problem: Problem, previous: Sequence[Visit]) -> frozenset[tuple[str, int]]:
    """The previous visits the change took away (no longer feasible where they were):
    the sessions a re-plan lists as `displaced` (v1.1), bookings excepted."""
    kept = set(kept_visits(problem, previous))
    booked = {(f.plan, f.session) for f in problem.fixed}
    return frozenset(
        (v.plan, v.session)
        for v in previous
        if v not in kept
        and (v.plan, v.session) not in booked
        and v.plan in problem.plans
        and 1 <= v.session <= problem.plans[v.plan].sessions
    )


def with_displaced(problem: Problem, previous: Sequence[Visit]) -> Problem:
    """The problem with what the change took from `previous` added to its `displaced`."""
    return dataclasses.replace(
        problem, displaced=problem.displaced | lost_sessions(problem, previous)
    )


def changes(previous: Sequence[Visit], visits: Sequence[Visit]) -> Changes:
    """How many previous visits were kept as they were, moved (of which re-timed: same
    therapist and day, another start), or dropped; how many are new."""
    before = {(v.plan, v.session): v for v in previous}
    after = {(v.plan, v.session): v for v in visits}
    kept = sum(1 for key, v in before.items() if after.get(key) == v)
    moved = [(v, after[key]) for key, v in before.items() if key in after and after[key] != v]
    return Changes(
        kept=kept,
        moved=len(moved),
        added=sum(1 for key in after if key not in before),
        dropped=sum(1 for key in before if key not in after),
        retimed=sum(1 for a, b in moved if (a.therapist, a.day) == (b.therapist, b.day)),
    )
