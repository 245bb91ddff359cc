"""Re-timing repair for a re-plan: place displaced sessions by moving a few starts.

Patients' windows are short and cadence ties each session to its neighbours, so a
displaced session can almost only go to another qualified therapist on the same day,
and there it seldom finds a free gap. The repair may shift the visits already on the
routes that could take one, inside their own windows, never to another therapist or
day, so nobody's continuity of care or cadence changes. Lexicographic aim: displaced
sessions placed, then fewest visits re-timed, then least shift in minutes plus travel.
Fixed bookings and the visits of patients seen under several plans keep their start.

It works in rounds (first the displaced sessions whose previous session stands, then
the next ones), and within a round, sessions that share no route and no patient-day
form independent regions, each one CP-SAT model (`retime_model.py`) with a share of the
time in proportion to its size (what one leaves unused goes to the next), so a long
absence stays as tractable as a short one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.matching import rules
from scheduler.matching.problem import Plan, Problem, Visit
from scheduler.matching.retime_model import Candidate, Key, solve_region
from scheduler.matching.timetable import Timetable


@dataclass(slots=True)
class Repair:
    """The kept visits with re-timed starts, plus the displaced sessions it placed."""

    visits: list[Visit]
    placed: int = 0
    retimed: int = 0
    shifted_minutes: int = 0


def repair(
    problem: Problem,
    kept: Sequence[Visit],
    displaced: Sequence[Key],
    *,
    retime: bool,
    time_limit_s: float,
    seed: int,
    budget: int | None = None,
) -> Repair:
    """Place what it can of the `displaced` sessions around the `kept` visits, re-timing
    as few of those as it can (none when `retime` is False), at most `budget` per
    displaced session in all (None: no limit); therapists and days stay.

    Works in rounds: each round takes the lowest pending session of every plan, on the
    days its placed neighbours allow (those postponed between them widen the cadence,
    v1.1); a session a round cannot place stays out (postponed) and the next ones of its
    plan are tried around it."""
    deadline = time.monotonic() + time_limit_s
    protected = {(f.plan, f.session) for f in problem.fixed}
    pending = {
        (pid, s)
        for pid, s in displaced
        if pid in problem.plans and 1 <= s <= problem.plans[pid].sessions
    } - protected
    visits = list(kept)
    left = None if budget is None else budget * len(pending)
    while pending and deadline - time.monotonic() > 0.05:
        tt = Timetable(problem, visits)
        pending -= set(tt.fixed)
        lowest: dict[str, int] = {}
        for pid, s in pending:
            lowest[pid] = min(lowest.get(pid, s), s)
        ready = set(lowest.items())
        # Later rounds hold the plans' next displaced sessions: at most half the time is
        # kept back for them.
        share = (deadline - time.monotonic()) * max(0.5, len(ready) / len(pending))
        last_round = visits
        visits = _round(
            tt, visits, ready, retime=retime, time_limit_s=share, seed=seed, budget=left
        )
        if left is not None:
            was = {(v.plan, v.session): v.start for v in last_round}
            left -= sum(1 for v in visits if was.get((v.plan, v.session), v.start) != v.start)
        pending -= ready
    out = Repair([], placed=len(visits) - len(kept))
    before = {(v.plan, v.session): v.start for v in kept}
    for v in visits:
        start = before.get((v.plan, v.session))
        if start is not None and start != v.start:
            out.retimed += 1
            out.shifted_minutes += abs(start - v.start)
    out.visits = visits
    return out


def _round(
    tt: Timetable,
    kept: list[Visit],
    ready: set[Key],
    *,
    retime: bool,
    time_limit_s: float,
    seed: int,
    budget: int | None,
) -> list[Visit]:
    """`kept` re-timed and with what each region places of the `ready` sessions."""
    deadline = time.monotonic() + time_limit_s
    protected = {(f.plan, f.session) for f in tt.problem.fixed}
    movable = {(v.plan, v.session): v for v in kept if (v.plan, v.session) not in protected}
    options: dict[Key, list[Candidate]] = {}
    for pid, s in sorted(ready):
        plan = tt.problem.plans[pid]
        held = tt.fixed_days.get(pid, {})
        postponable = {n for p, n in tt.problem.displaced if p == pid}
        days = rules.days_between(plan, s, held, postponable, tt.problem.days)
        if days is None:
            continue
        found = _candidates(tt, plan, days)
        if found:
            options[pid, s] = found
    regions = _regions(tt, options)
    left = sum(size for size, _ in regions)
    starts: dict[Key, int] = {}
    placed: list[Visit] = []
    used = 0
    for size, keys in regions:
        share = (deadline - time.monotonic()) * size / left
        left -= size
        answer = solve_region(
            tt,
            {k: options[k] for k in keys},
            movable,
            retime=retime,
            time_limit_s=share,
            seed=seed,
            budget=None if budget is None else budget - used,
        )
        if answer is not None:
            starts.update(answer.starts)
            placed += answer.placed
            used += sum(1 for key, start in answer.starts.items() if movable[key].start != start)
    out = [
        Visit(v.plan, v.session, v.therapist, v.day, starts.get((v.plan, v.session), v.start))
        for v in kept
    ]
    out += placed
    if not all(route.feasible() for route in Timetable(tt.problem, out).routes.values()):
        return kept  # never hand on a route the model got wrong
    return out


def _candidates(tt: Timetable, plan: Plan, days: tuple[int, int]) -> list[Candidate]:
    """Hard: rules 1, 2 and 5 — every eligible therapist's working day in range, the start
    in the window and shift and clear of the patient's visits under other plans."""
    out = []
    for therapist in rules.eligible(tt.problem, plan):
        for o in rules.options(plan, therapist, *days):
            if (therapist.id, o.day) not in tt.routes:
                continue
            # Starts that would overlap one of the patient's pinned visits that day.
            clash = cp_model.Domain.from_intervals(
                [[b0 - plan.duration + 1, b1 - 1] for b0, b1 in tt.patient_busy(plan, o.day)]
            )
            grid = cp_model.Domain.from_values(rules.on_grid(o.earliest, o.latest, tt.problem.grid))
            starts = grid.intersection_with(clash.complement())
            if not starts.is_empty():
                out.append(Candidate(therapist.id, o.day, o.earliest, o.latest, starts))
    return out


def _regions(tt: Timetable, options: dict[Key, list[Candidate]]) -> list[tuple[int, list[Key]]]:
    """Displaced sessions grouped so that no two groups share a route or a patient's day;
    each with its size (candidates plus visits on its routes), smallest first."""
    parent = {key: key for key in options}

    def root(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    first_at: dict[object, Key] = {}
    for key, found in options.items():
        plan = tt.problem.plans[key[0]]
        links: list[object] = [(c.therapist, c.day) for c in found]
        links += [("patient", plan.patient, c.day) for c in found]
        for link in links:
            other = first_at.setdefault(link, key)
            parent[root(key)] = root(other)
    groups: dict[Key, list[Key]] = {}
    for key in sorted(options):
        groups.setdefault(root(key), []).append(key)
    sized = []
    for keys in groups.values():
        routes = {(c.therapist, c.day) for k in keys for c in options[k]}
        size = sum(len(options[k]) for k in keys) + sum(len(tt.routes[r].stops) for r in routes)
        sized.append((size, keys))
    return sorted(sized)
