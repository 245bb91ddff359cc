"""The VRPTW as an OR-Tools routing model: distance arcs, load and time dimensions, and
optional visits so a first solution always exists on tight windows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp

from scheduler.matching.routing.instance import VrptwInstance


@dataclass
class RoutingModel:
    """The OR-Tools objects that must live as long as the model is searched."""

    instance: VrptwInstance
    manager: Any
    model: Any
    time: Any
    drop_penalty: int

    def routes_of(self, assignment: Any) -> list[list[int]]:
        """Client routes (non-empty, node indices) of an OR-Tools assignment."""
        routes = []
        for vehicle in range(self.model.vehicles()):
            index = self.model.Start(vehicle)
            route = []
            index = assignment.Value(self.model.NextVar(index))
            while not self.model.IsEnd(index):
                route.append(self.manager.IndexToNode(index))
                index = assignment.Value(self.model.NextVar(index))
            if route:
                routes.append(route)
        return routes


def build_model(instance: VrptwInstance, *, vehicle_cost: int = 0, vehicles: int | None = None) -> RoutingModel:
    """Build the routing model; every client may be dropped at a penalty larger than
    any route, so the search prefers serving everyone and only drops the impossible."""
    n = len(instance.x)
    fleet = vehicles or instance.vehicles
    manager = pywrapcp.RoutingIndexManager(n, fleet, 0)
    model = pywrapcp.RoutingModel(manager)
    arcs = [list(row) for row in instance.arc]
    distance = model.RegisterTransitMatrix(arcs)
    model.SetArcCostEvaluatorOfAllVehicles(distance)
    if vehicle_cost:
        model.SetFixedCostOfAllVehicles(vehicle_cost)
    load = model.RegisterUnaryTransitVector(list(instance.demand))
    model.AddDimension(load, 0, instance.capacity, True, "load")
    # Travel time equals arc length; the service at the departure node is part of the move.
    travel = [
        [instance.service[i] + instance.arc[i][j] for j in range(n)] for i in range(n)
    ]
    transit = model.RegisterTransitMatrix(travel)
    horizon = instance.due[0]
    model.AddDimension(transit, horizon, horizon, False, "time")
    time = model.GetDimensionOrDie("time")
    for client in instance.clients:
        time.CumulVar(manager.NodeToIndex(client)).SetRange(instance.ready[client], instance.due[client])
    for vehicle in range(fleet):
        time.CumulVar(model.Start(vehicle)).SetRange(instance.ready[0], instance.due[0])
        time.CumulVar(model.End(vehicle)).SetRange(instance.ready[0], instance.due[0])
    drop_penalty = 10 * (sum(max(row) for row in instance.arc) + 1) + vehicle_cost
    for client in instance.clients:
        model.AddDisjunction([manager.NodeToIndex(client)], drop_penalty)
    return RoutingModel(instance, manager, model, time, drop_penalty)
