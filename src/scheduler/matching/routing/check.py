"""Route-level validator that does not use the solver: the router's results are only
believed after this has walked every route with the instance's own numbers."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.matching.routing.instance import SCALE, VrptwInstance

Route = Sequence[int]


@dataclass(frozen=True)
class RouteCheck:
    """What `check_routes` found: total distance (in units, tenths exact) and problems."""

    distance_tenths: int
    problems: tuple[str, ...]
    unserved: tuple[int, ...]

    @property
    def feasible(self) -> bool:
        """True when every client is served once and every route keeps every rule."""
        return not self.problems and not self.unserved

    @property
    def distance(self) -> float:
        """Total distance in the instance's units, one decimal."""
        return self.distance_tenths / SCALE


def route_distance_tenths(instance: VrptwInstance, route: Route) -> int:
    """Length in tenths of depot → clients in order → depot."""
    path = [0, *route, 0]
    return sum(instance.arc[a][b] for a, b in itertools.pairwise(path))


def check_routes(instance: VrptwInstance, routes: Sequence[Route]) -> RouteCheck:
    """Check routes against every rule of the DIMACS VRPTW convention.

    Hard: each client served exactly once; a client index is 1..n; at most VEHICLES
    routes; load ≤ CAPACITY; service starts inside the client's window (waiting allowed);
    the vehicle is back at the depot by the depot's due time. Empty routes are ignored.
    """
    problems: list[str] = []
    routes = [list(r) for r in routes if len(r) > 0]
    if len(routes) > instance.vehicles:
        problems.append(f"{len(routes)} routes, but only {instance.vehicles} vehicles")
    seen = Counter(c for r in routes for c in r)
    for client, count in sorted(seen.items()):
        if client not in instance.clients:
            problems.append(f"client {client} does not exist")
        elif count > 1:
            problems.append(f"client {client} is served {count} times")
    unserved = tuple(c for c in instance.clients if c not in seen)
    distance = 0
    for number, route in enumerate(routes):
        if any(c not in instance.clients for c in route):
            continue
        distance += route_distance_tenths(instance, route)
        problems.extend(f"route {number}: {p}" for p in _route_problems(instance, route))
    return RouteCheck(distance, tuple(problems), unserved)


def _route_problems(instance: VrptwInstance, route: Route) -> list[str]:
    problems = []
    load = sum(instance.demand[c] for c in route)
    if load > instance.capacity:
        problems.append(f"load {load} exceeds capacity {instance.capacity}")
    time, here = instance.ready[0], 0
    for client in route:
        arrival = time + instance.service[here] + instance.arc[here][client]
        if arrival > instance.due[client]:
            problems.append(
                f"arrives at client {client} at {arrival / SCALE}, after its window closes"
                f" at {instance.due[client] / SCALE}"
            )
        time, here = max(arrival, instance.ready[client]), client
    back = time + instance.service[here] + instance.arc[here][0]
    if back > instance.due[0]:
        problems.append(
            f"back at the depot at {back / SCALE}, after it closes at {instance.due[0] / SCALE}"
        )
    return problems
