"""The mobile-visit router: vehicle routing with time windows (VRPTW), one depot.

Measured on Solomon's instances under the DIMACS convention (`spec/vrptw-bench.md`).
OR-Tools builds the first routes (parallel cheapest insertion, optional visits so tight
windows never leave us without a plan); a slack-induction-by-string-removals search
(SISR) then shortens them, one seed per process; a validator that does not share code
with either search checks the result before anyone sees it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from scheduler.matching.routing.check import RouteCheck, check_routes
from scheduler.matching.routing.first_solution import ortools_routes
from scheduler.matching.routing.instance import InstanceError, VrptwInstance, read_vrplib
from scheduler.matching.routing.portfolio import improve

__all__ = [
    "InstanceError",
    "RouteCheck",
    "VrptwInstance",
    "VrptwSolution",
    "check_routes",
    "read_vrplib",
    "solve_vrptw",
]

FIRST_SOLUTION_SHARE = 0.05
"""Share of the time limit OR-Tools may spend on first routes (SISR improves faster)."""


@dataclass(frozen=True)
class VrptwSolution:
    """Routes (client indices, depot left out) and how good they are.

    `status` is "feasible" (every client served, every rule kept), "incomplete" (the
    routes keep every rule but `unserved` clients could not be placed) or "invalid"
    (the validator found a broken rule, listed in `problems`: a bug, never expected).
    """

    routes: tuple[tuple[int, ...], ...]
    distance: float
    feasible: bool
    status: str
    unserved: tuple[int, ...]
    problems: tuple[str, ...]

    @property
    def vehicles(self) -> int:
        """Vehicles used (non-empty routes)."""
        return len(self.routes)


def solve_vrptw(
    instance: VrptwInstance, *, time_limit_s: float, seed: int = 0, workers: int = 2
) -> VrptwSolution:
    """Shortest routes found within `time_limit_s` seconds of wall time.

    `workers` searches run in parallel processes with seeds `seed`, `seed + 1`, …;
    the shortest result that serves the most clients wins. Raises ValueError for a
    non-positive time limit or worker count.
    """
    if time_limit_s <= 0 or workers < 1:
        raise ValueError("time_limit_s and workers must be positive")
    deadline = time.monotonic() + time_limit_s
    routes, unserved = ortools_routes(instance, time_limit_s=FIRST_SOLUTION_SHARE * time_limit_s)
    outcomes = improve(
        instance, routes, unserved, deadline=deadline, seeds=[seed + k for k in range(workers)]
    )
    checks = [(check_routes(instance, r), r) for r, _ in outcomes]
    check, best = min(
        checks,
        key=lambda pair: (bool(pair[0].problems), len(pair[0].unserved), pair[0].distance_tenths),
    )
    if check.problems:
        status = "invalid"
    elif check.unserved:
        status = "incomplete"
    else:
        status = "feasible"
    return VrptwSolution(
        routes=tuple(tuple(r) for r in best if r),
        distance=check.distance,
        feasible=check.feasible,
        status=status,
        unserved=check.unserved,
        problems=check.problems,
    )
