"""Routes as the search keeps them, and the cheapest feasible place for a client.

Each route carries its earliest and latest service start at every stop, so whether a
client fits between two stops is a constant-time test (Savelsbergh's forward and
backward time slack), and an insertion updates the times only where they change.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from scheduler.matching.routing.instance import VrptwInstance

INFEASIBLE = 1 << 62
"""Length of a route that breaks a rule (bigger than any real distance)."""


class Route:
    """A route as the search sees it: the path with the depot at both ends, the earliest
    and latest service starts at each stop (waiting allowed), its load and its length
    (INFEASIBLE when a window or the capacity is broken)."""

    __slots__ = ("latest", "length", "load", "path", "start")

    def __init__(
        self, path: list[int], start: list[int], latest: list[int], load: int, length: int
    ) -> None:
        self.path = path
        self.start = start
        self.latest = latest
        self.load = load
        self.length = length


class Insertion:
    """Builds route records for one instance and inserts clients into them; a place is
    skipped with the blink probability (SISR's randomisation of the greedy choice)."""

    def __init__(self, instance: VrptwInstance, seed: int) -> None:
        self.n = len(instance.x)
        self.arc = [list(row) for row in instance.arc]
        self.ready = list(instance.ready)
        self.due = list(instance.due)
        self.service = list(instance.service)
        self.demand = list(instance.demand)
        self.capacity = instance.capacity
        self.vehicles = instance.vehicles
        self.rng = random.Random(seed)
        self.blink = 0.01

    def route(self, clients: Sequence[int]) -> Route:
        """The search record of depot → clients → depot."""
        arc, ready, due, service = self.arc, self.ready, self.due, self.service
        path = [0, *clients, 0]
        t = ready[0]
        start = [t]
        length = 0
        feasible = True
        for a, b in itertools.pairwise(path):
            length += arc[a][b]
            t += service[a] + arc[a][b]
            if t < ready[b]:  # noqa: PLR1730 -- branches beat max() in the hot loops
                t = ready[b]
            if t > due[b]:
                feasible = False
            start.append(t)
        load = sum(self.demand[c] for c in clients)
        if load > self.capacity:
            feasible = False
        latest = self._latest(path, len(path) - 1, due[0], [])
        return Route(path, start, latest, load, length if feasible else INFEASIBLE)

    def _latest(self, path: list[int], last: int, latest_last: int, tail: list[int]) -> list[int]:
        """Latest service starts at path[0..last] given the one at path[last], then `tail`."""
        arc, due, service = self.arc, self.due, self.service
        head = [0] * (last + 1)
        head[last] = nxt = latest_last
        b = path[last]
        for k in range(last - 1, -1, -1):
            a = path[k]
            nxt = nxt - arc[a][b] - service[a]
            if nxt > due[a]:  # noqa: PLR1730
                nxt = due[a]
            head[k] = nxt
            b = a
        head.extend(tail)
        return head

    def inserted(self, record: Route, i: int, c: int, delta: int) -> Route:
        """`record` with client `c` after position `i`, known feasible: start times are
        recomputed forward only until they stop changing, latest starts backward only
        up to the insertion."""
        arc, ready, service = self.arc, self.ready, self.service
        old_path, old_start = record.path, record.start
        path = [*old_path[: i + 1], c, *old_path[i + 1 :]]
        start = old_start[: i + 1]
        t = start[i]
        for k in range(i + 1, len(path)):
            a, b = path[k - 1], path[k]
            t += service[a] + arc[a][b]
            if t < ready[b]:  # noqa: PLR1730
                t = ready[b]
            if k > i + 1 and t == old_start[k - 1]:
                start.extend(old_start[k - 1 :])
                break
            start.append(t)
        latest = self._latest(path, i + 2, record.latest[i + 1], record.latest[i + 2 :])
        return Route(path, start, latest, record.load + self.demand[c], record.length + delta)

    def cheapest_place(self, c: int, records: list[Route]) -> tuple[int, int, int]:
        """(added length, route, position after which to insert) of the cheapest
        feasible place for client `c`, each place skipped with the blink probability;
        route -1 when there is none. Arcs are symmetric, so `arc[c][a]` serves as a → c."""
        service, blink, blinked = self.service, self.blink, self.rng.random
        dc, rc, due_c, sc = self.arc[c], self.ready[c], self.due[c], self.service[c]
        room = self.capacity - self.demand[c]
        best, best_r, best_i = INFEASIBLE, -1, -1
        earliest_leave = rc + sc
        for r, record in enumerate(records):
            if record.load > room:
                continue
            path, start, latest = record.path, record.start, record.latest
            # Starts and latest starts never decrease along a route, so the places
            # where c can fit at all form one run of positions: find it in C.
            first = bisect_left(latest, earliest_leave, 1) - 1
            stop = bisect_right(start, due_c, first, len(path) - 1)
            if first >= stop:
                continue
            i = first - 1
            for a, b, st, lt in zip(
                path[first:stop],
                path[first + 1 :],
                start[first:stop],
                latest[first + 1 :],
                strict=False,
            ):
                i += 1
                t = st + service[a] + dc[a]
                if t > due_c:
                    continue
                if t < rc:  # noqa: PLR1730 -- a branch beats max() in this hot loop
                    t = rc
                if t + sc + dc[b] > lt:
                    continue
                delta = dc[a] + dc[b] - self.arc[a][b]
                if delta < best and blinked() > blink:
                    best, best_r, best_i = delta, r, i
        return best, best_r, best_i
