"""Every therapist's routes for the horizon, with an undo journal for neighbourhood search.

The timetable is the mutable working state of the heuristics: which route holds each
session, and which patients' visits are pinned in time. Every change goes through
`_put` / `_take`, which journal their inverse, so a rejected move is rolled back exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scheduler.matching.problem import Plan, Problem, Visit
from scheduler.matching.routes import DayRoute, Geometry, Stop


@dataclass(frozen=True, slots=True)
class Score:
    """The checker's scores as counts, comparable lexicographically (higher is better)."""

    placed: int
    continuous: int
    preferred: int
    travel_km: float
    requested: int = 0  # the denominators, for shares
    several: int = 0  # plans with >= 2 sessions placed
    with_preference: int = 0

    def shares(self) -> tuple[float, float, float]:
        """(scheduled, continuity, preferred) as the checker defines them."""
        return (
            self.placed / self.requested if self.requested else 1.0,
            self.continuous / self.several if self.several else 1.0,
            self.preferred / self.with_preference if self.with_preference else 1.0,
        )

    def key(self) -> tuple[int, int, int, float]:
        """Sort key: more placed, then continuity, then preference, then less travel."""
        return (self.placed, self.continuous, self.preferred, -round(self.travel_km, 6))


class Timetable:
    """Routes per (therapist, day) plus where each session sits."""

    def __init__(self, problem: Problem, kept: Sequence[Visit] = ()) -> None:
        """Routes for every shift, with the problem's fixed bookings (and `kept` visits of
        a previous plan, treated the same way) already in place."""
        self.problem = problem
        self.geo = Geometry(problem.speed_kmh)
        self.plan_location = {p.id: self.geo.id_of(p.location) for p in problem.plans.values()}
        self.routes: dict[tuple[str, int], DayRoute] = {}
        for t in problem.therapists.values():
            base = self.geo.id_of(t.base)
            for day, shift in t.shifts.items():
                if 0 <= day < problem.days:
                    self.routes[t.id, day] = DayRoute(
                        self.geo, t.id, day, base, shift.start, shift.end, t.max_visits_per_day
                    )
        self.where: dict[str, dict[int, tuple[str, int]]] = defaultdict(dict)
        self.busy: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        self.fixed = {(f.plan, f.session): f for f in (*problem.fixed, *kept)}
        self.fixed_days: dict[str, dict[int, int]] = defaultdict(dict)
        for f in self.fixed.values():
            self.fixed_days[f.plan][f.session] = f.day
        per_patient: dict[str, int] = defaultdict(int)
        self.plans_of_patient: dict[str, list[str]] = defaultdict(list)
        for p in problem.plans.values():
            per_patient[p.patient] += p.sessions if p.min_days == 0 else 1
            self.plans_of_patient[p.patient].append(p.id)
        # A patient seen at most once a day can never overlap; only the others are pinned.
        self.pinned_patients = {patient for patient, n in per_patient.items() if n > 1}
        self.journal: list[Callable[[], None]] | None = None
        self._km_before: dict[DayRoute, float] = {}  # each changed route's km at `begin`
        for f in self.fixed.values():
            self._place_fixed(f)

    # -- changes (journalled) --------------------------------------------------------------
    def _put(self, route: DayRoute, position: int, stop: Stop) -> None:
        if self.journal is not None and route not in self._km_before:
            self._km_before[route] = route.km()
        route.put(position, stop)
        plan = self.problem.plans[stop.plan]
        self.where[stop.plan][stop.session] = (route.therapist, route.day)
        span = None
        if stop.pinned and plan.patient in self.pinned_patients:
            span = (stop.earliest, stop.earliest + stop.duration)
            self.busy[plan.patient, route.day].append(span)
        if self.journal is not None:
            self.journal.append(lambda: self._take(route, stop, span, journal=False))

    def _take(
        self, route: DayRoute, stop: Stop, span: tuple[int, int] | None, *, journal: bool = True
    ) -> None:
        if self.journal is not None and route not in self._km_before:
            self._km_before[route] = route.km()
        position = route.stops.index(stop)
        route.pop_at(position)
        del self.where[stop.plan][stop.session]
        if span is not None:
            self.busy[self.problem.plans[stop.plan].patient, route.day].remove(span)
        if journal and self.journal is not None:
            self.journal.append(lambda: self._put(route, position, stop))

    def begin(self) -> None:
        """Start journalling changes so that `rollback` can undo them."""
        self.journal = []
        self._km_before = {}

    def rollback(self) -> None:
        """Undo every change since `begin`."""
        assert self.journal is not None
        undo, self.journal = self.journal, None
        for step in reversed(undo):
            step()

    def commit(self) -> None:
        """Keep the changes since `begin`."""
        self.journal = None

    def km_change(self) -> float:
        """Route km added (negative: saved) by the changes since `begin`."""
        return sum(route.km() - km for route, km in self._km_before.items())

    # -- queries ---------------------------------------------------------------------------
    def route_of(self, plan: str, session: int) -> DayRoute | None:
        """The route holding a session, if placed."""
        at = self.where.get(plan, {}).get(session)
        return None if at is None else self.routes[at]

    def stop_of(self, plan: str, session: int) -> tuple[DayRoute, Stop] | None:
        """The route and stop of a placed session."""
        route = self.route_of(plan, session)
        if route is None:
            return None
        return route, next(s for s in route.stops if s.plan == plan and s.session == session)

    def patient_busy(self, plan: Plan, day: int) -> list[tuple[int, int]]:
        """Spans the patient is already seen on `day` (only tracked for pinned patients)."""
        if plan.patient not in self.pinned_patients:
            return []
        return self.busy.get((plan.patient, day), [])

    def split_plans(self) -> list[Plan]:
        """Plans whose placed sessions have more than one therapist (continuity lost)."""
        return [
            self.problem.plans[pid]
            for pid, at in self.where.items()
            if len({t for t, _ in at.values()}) > 1
        ]

    def placed_sessions(self, plan: str) -> int:
        """How many sessions of a plan are placed."""
        return len(self.where.get(plan, {}))

    def therapists_of(self, plan: str) -> set[str]:
        """The therapists holding a plan's placed sessions."""
        return {t for t, _ in self.where.get(plan, {}).values()}

    # -- placing and removing --------------------------------------------------------------
    def _place_fixed(self, f: Visit) -> None:
        plan = self.problem.plans[f.plan]
        route = self.routes.get((f.therapist, f.day))
        if route is None:  # a booking outside any shift still has to appear unchanged
            t = self.problem.therapists[f.therapist]
            route = self.routes[f.therapist, f.day] = DayRoute(
                self.geo, t.id, f.day, self.geo.id_of(t.base), 0, 0, t.max_visits_per_day
            )
        stop = Stop(f.plan, f.session, self.plan_location[f.plan], plan.duration, f.start, f.start)
        stop.pinned = True
        position = sum(1 for s in route.stops if s.earliest <= f.start)
        self._put(route, position, stop)

    def insert(self, route: DayRoute, stop: Stop, position: int, start: int) -> None:
        """Place a stop found by `DayRoute.best_insertion`, pinning it if its patient needs."""
        if self.problem.plans[stop.plan].patient in self.pinned_patients:
            stop.earliest = stop.latest = start
            stop.pinned = True
        self._put(route, position, stop)

    def unplace(self, plan: str, *, keep_fixed: bool = True) -> None:
        """Take every (non-fixed) session of a plan out of the timetable."""
        for session in sorted(self.where.get(plan, {}), reverse=True):
            if keep_fixed and (plan, session) in self.fixed:
                continue
            found = self.stop_of(plan, session)
            assert found is not None
            route, stop = found
            span = None
            if stop.pinned and self.problem.plans[plan].patient in self.pinned_patients:
                span = (stop.earliest, stop.earliest + stop.duration)
            self._take(route, stop, span)

    def unplace_stop(self, route: DayRoute, stop: Stop) -> None:
        """Take one stop out of its route (journalled)."""
        span = None
        if stop.pinned and self.problem.plans[stop.plan].patient in self.pinned_patients:
            span = (stop.earliest, stop.earliest + stop.duration)
        self._take(route, stop, span)

    def truncate(self, plan: str, keep: int, protected: set[tuple[str, int]]) -> None:
        """Drop sessions after `keep` (rule 4: a gap would make later sessions invalid),
        except the `protected` ones (the problem's own fixed bookings)."""
        for session in sorted(self.where.get(plan, {})):
            if session > keep and (plan, session) not in protected:
                found = self.stop_of(plan, session)
                assert found is not None
                route, stop = found
                span = None
                if stop.pinned and self.problem.plans[plan].patient in self.pinned_patients:
                    span = (stop.earliest, stop.earliest + stop.duration)
                self._take(route, stop, span)

    # -- output ----------------------------------------------------------------------------
    def visits(self) -> list[Visit]:
        """Every placed session with its earliest feasible start, in a stable order."""
        out = []
        for (tid, day), route in sorted(self.routes.items()):
            for stop, start in zip(route.stops, route.earliest_starts(), strict=True):
                out.append(Visit(stop.plan, stop.session, tid, day, start))
        return sorted(out, key=lambda v: (v.plan, v.session))

    def broken_plans(self) -> list[str]:
        """Plans whose placed sessions are not 1..k (a booked session cut off from session
        1); a displaced session (v1.1) may be postponed and fills its place."""
        out = []
        for pid, at in self.where.items():
            if at and max(at) != len(at):
                gaps = (s for s in range(1, max(at)) if s not in at)
                if any((pid, s) not in self.problem.displaced for s in gaps):
                    out.append(pid)
        return out

    def postponed(self) -> list[tuple[str, int]]:
        """The displaced sessions below a placed one of their plan: the result postpones
        them so that the plan's later sessions keep their places (no cascade)."""
        out = []
        for pid, session in sorted(self.problem.displaced):
            at = self.where.get(pid, {})
            if at and session not in at and session < max(at):
                out.append((pid, session))
        return out

    def score(self) -> Score:
        """The checker's scores, as counts."""
        placed = continuous = preferred = several = 0
        for plan in self.problem.plans.values():
            at = self.where.get(plan.id)
            n = len(at) if at else 0
            placed += n
            several += n >= 2
            if not at:
                continue
            who = {t for t, _ in at.values()}
            continuous += n >= 2 and len(who) == 1
            preferred += plan.preferred_therapist is not None and who == {plan.preferred_therapist}
        km = sum(r.km() for r in self.routes.values())
        plans = self.problem.plans.values()
        return Score(
            placed,
            continuous,
            preferred,
            km,
            requested=sum(p.sessions for p in plans),
            several=several,
            with_preference=sum(1 for p in plans if p.preferred_therapist),
        )
