"""Slack Induction by String Removals (SISR; Christiaens & Vanden Berghe, Transportation
Science 2020): ruin a few neighbouring strings of visits, reinsert the removed clients
greedily with blinks, accept by simulated annealing. Simple, and strong on Solomon's
instances; written for CPython's speed (flat lists, locals in the hot loops)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from scheduler.matching.routing.insertion import INFEASIBLE, Insertion, Route
from scheduler.matching.routing.instance import VrptwInstance


class Sisr(Insertion):
    """One SISR search over an instance; `run` improves a start solution until a deadline.

    Temperatures are in tenths (the instance's unit), cooling exponentially from 10 to
    0.1 units over the run; defaults follow the paper's average of ten removed clients
    per ruin, strings of up to ten, 1 % blinks and split depth.
    """

    def __init__(self, instance: VrptwInstance, seed: int) -> None:
        super().__init__(instance, seed)
        self.neighbours = [sorted(instance.clients, key=row.__getitem__) for row in self.arc]
        self.average_removed = 10
        self.max_string = 10
        self.split_depth = 0.01
        self.hot, self.cold = 100.0, 1.0
        # Any unserved client costs more than every arc together: serving wins first.
        self.unserved_penalty = 2 * sum(max(row) for row in self.arc) + 1
        self.alone_feasible = [self.route([c]).length < INFEASIBLE for c in range(self.n)]
        self.iterations = 0
        self._where_of: list[Route] | None = None
        self._where: dict[int, int] = {}
        self._served: list[int] = []

    def cost(self, routes: list[Route], unserved: list[int]) -> int:
        """Total length plus the penalty of every unserved client."""
        return sum(r.length for r in routes) + self.unserved_penalty * len(unserved)

    def run(
        self,
        routes: Sequence[Sequence[int]],
        unserved: Sequence[int],
        deadline: float,
        max_iterations: int | None = None,
    ) -> tuple[list[list[int]], list[int]]:
        """Improve a start solution until the monotonic `deadline`; the best routes found
        and the clients they leave unserved.

        Every iteration also tries to place the unserved clients, so the search serves
        everyone it can before it looks at distance. With `max_iterations` the search
        also stops (and cools) by iteration count, which makes it reproducible.
        """
        current = [self.route(r) for r in routes if r]
        current_left = list(unserved)
        best, best_left = current, current_left
        current_cost = best_cost = self.cost(current, current_left)
        began = time.monotonic()
        span = max(deadline - began, 1e-3)
        temperature = self.hot
        first = self.iterations
        while True:
            if self.iterations % 16 == 0:
                now = time.monotonic()
                progress = (now - began) / span
                if max_iterations is not None:
                    progress = max(progress, (self.iterations - first) / max_iterations)
                if progress >= 1.0:
                    break
                temperature = self.hot * (self.cold / self.hot) ** progress
            self.iterations += 1
            kept, removed = self.ruin(current)
            candidate, left = self.recreate(kept, removed + current_left)
            cost = self.cost(candidate, left)
            if cost < current_cost - temperature * math.log(1.0 - self.rng.random()):
                current, current_left, current_cost = candidate, left, cost
                if cost < best_cost:
                    best, best_left, best_cost = candidate, left, cost
        return [r.path[1:-1] for r in best], best_left

    def ruin(self, solution: list[Route]) -> tuple[list[Route], list[int]]:
        """Remove strings of visits from a few routes near a random served client; the
        routes left (untouched ones shared, not copied) and the clients removed."""
        rng = self.rng
        if solution is not self._where_of:  # a solution is never changed in place
            self._where = {c: r for r, route in enumerate(solution) for c in route.path[1:-1]}
            self._served = list(self._where)
            self._where_of = solution
        where = self._where
        if not where:
            return list(solution), []
        string_max = min(self.max_string, len(where) / len(solution))
        routes_max = 4 * self.average_removed / (1 + string_max) - 1
        routes_to_ruin = int(rng.uniform(1, routes_max + 1))
        removed: list[int] = []
        cut: dict[int, list[int]] = {}
        for client in self.neighbours[rng.choice(self._served)]:
            if len(cut) >= routes_to_ruin:
                break
            r = where.get(client, -1)
            if r < 0 or r in cut:
                continue
            route = solution[r].path[1:-1]
            length = int(rng.uniform(1, min(len(route), string_max) + 1))
            cut[r] = self._cut(route, route.index(client), length, removed)
        kept = [route if r not in cut else self.route(cut[r]) for r, route in enumerate(solution)]
        return [route for route in kept if len(route.path) > 2], removed

    def _cut(self, route: list[int], position: int, length: int, removed: list[int]) -> list[int]:
        """Remove `length` visits around `position`: one string, or (half the time) a
        longer string of which a random middle part stays (the split string)."""
        rng = self.rng
        kept = 0
        if length < len(route) and rng.random() < 0.5:
            kept = 1
            while length + kept < len(route) and rng.random() > self.split_depth:
                kept += 1
        window = length + kept
        first = rng.randint(max(0, position - window + 1), min(position, len(route) - window))
        stay_from = first + rng.randint(0, length)
        stay = range(stay_from, stay_from + kept)
        removed.extend(route[i] for i in range(first, first + window) if i not in stay)
        return route[:first] + route[stay_from : stay_from + kept] + route[first + window :]

    def recreate(self, records: list[Route], removed: list[int]) -> tuple[list[Route], list[int]]:
        """Reinsert removed clients one by one at their cheapest feasible place; a client
        with no place left (all vehicles busy) is returned unserved."""
        order = self.rng.random()
        if order < 0.4:
            self.rng.shuffle(removed)
        elif order < 0.8:
            removed.sort(key=self.demand.__getitem__, reverse=True)
        elif order < 0.9:
            removed.sort(key=self.arc[0].__getitem__, reverse=True)
        else:
            removed.sort(key=self.arc[0].__getitem__)
        left: list[int] = []
        for client in removed:
            delta, r, i = self.cheapest_place(client, records)
            # A route of its own is one more candidate place: on long horizons the
            # shortest plans use more vehicles than the fewest that can serve everyone.
            if len(records) < self.vehicles and self.alone_feasible[client]:
                alone = self.arc[0][client] + self.arc[client][0]
                if alone < delta:
                    records.append(self.route([client]))
                    continue
            if r < 0:
                left.append(client)
            else:
                records[r] = self.inserted(records[r], i, client, delta)
        return records, left
