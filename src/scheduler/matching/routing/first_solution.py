"""First routes from OR-Tools: parallel cheapest insertion, then guided local search for
a short while. Every client is optional at a penalty larger than any route, so a first
solution exists even where the time windows are tight (Solomon's R101, RC101), and a
client nobody can reach is reported unserved instead of failing the whole plan."""

from __future__ import annotations

from typing import Any

from scheduler.matching.routing.instance import VrptwInstance


def ortools_routes(
    instance: VrptwInstance, *, time_limit_s: float
) -> tuple[list[list[int]], list[int]]:
    """Routes (client indices, non-empty) and the clients left unserved.

    `time_limit_s` bounds the guided local search after the first solution; it is
    stopped earlier if OR-Tools reports none.
    """
    # OR-Tools loads in a few hundred ms: only when routes are actually wanted.
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2  # noqa: PLC0415

    n = len(instance.x)
    manager = pywrapcp.RoutingIndexManager(n, instance.vehicles, 0)
    model = pywrapcp.RoutingModel(manager)
    distance = model.RegisterTransitMatrix([list(row) for row in instance.arc])
    model.SetArcCostEvaluatorOfAllVehicles(distance)
    load = model.RegisterUnaryTransitVector(list(instance.demand))
    model.AddDimension(load, 0, instance.capacity, True, "load")
    # Travel time equals arc length; the service at the node left is part of the move.
    travel = [[instance.service[i] + instance.arc[i][j] for j in range(n)] for i in range(n)]
    horizon = instance.due[0]
    model.AddDimension(model.RegisterTransitMatrix(travel), horizon, horizon, False, "time")
    time = model.GetDimensionOrDie("time")
    for client in instance.clients:
        time.CumulVar(manager.NodeToIndex(client)).SetRange(
            instance.ready[client], instance.due[client]
        )
    for vehicle in range(instance.vehicles):
        time.CumulVar(model.Start(vehicle)).SetRange(instance.ready[0], horizon)
        time.CumulVar(model.End(vehicle)).SetRange(instance.ready[0], horizon)
    penalty = 2 * sum(max(row) for row in instance.arc) + 1
    for client in instance.clients:
        model.AddDisjunction([manager.NodeToIndex(client)], penalty)

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    solution = model.SolveWithParameters(parameters)
    if solution is None:
        return [], list(instance.clients)
    routes = _routes(model, manager, solution)
    served = {c for r in routes for c in r}
    return routes, [c for c in instance.clients if c not in served]


def _routes(model: Any, manager: Any, solution: Any) -> list[list[int]]:
    routes = []
    for vehicle in range(model.vehicles()):
        route = []
        index = solution.Value(model.NextVar(model.Start(vehicle)))
        while not model.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(model.NextVar(index))
        if route:
            routes.append(route)
    return routes
