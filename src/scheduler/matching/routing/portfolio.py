"""Several searches side by side, one process each (the GIL would serialise threads),
the best result kept: independent seeds cut the variance of a time-limited search."""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection

from scheduler.matching.routing.instance import VrptwInstance
from scheduler.matching.routing.sisr import Sisr

Outcome = tuple[list[list[int]], list[int]]
"""Routes and unserved clients."""

_JOIN_GRACE_S = 0.5


def improve(
    instance: VrptwInstance,
    routes: Sequence[Sequence[int]],
    unserved: Sequence[int],
    *,
    deadline: float,
    seeds: Sequence[int],
) -> list[Outcome]:
    """Run one SISR search per seed until the monotonic `deadline`; every outcome that
    came back, the start solution included (so a crashed worker loses nothing)."""
    start: Outcome = ([list(r) for r in routes], list(unserved))
    if len(seeds) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        # One search in this process; also where processes cannot be forked (Windows).
        return [start, _search(instance, start, deadline, seeds[0])]
    context = multiprocessing.get_context("fork")
    workers = []
    for seed in seeds:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_work, args=(instance, start, deadline, seed, sender), daemon=True
        )
        process.start()
        sender.close()
        workers.append((process, receiver))
    outcomes = [start]
    for process, receiver in workers:
        wait = max(0.0, deadline - time.monotonic()) + _JOIN_GRACE_S
        if receiver.poll(wait):
            # A worker that died sends nothing; the others (and the start) still count.
            with contextlib.suppress(EOFError):
                outcomes.append(receiver.recv())
        receiver.close()
        process.join(timeout=_JOIN_GRACE_S)
        if process.is_alive():
            process.kill()
    return outcomes


def _search(instance: VrptwInstance, start: Outcome, deadline: float, seed: int) -> Outcome:
    return Sisr(instance, seed=seed).run(start[0], start[1], deadline)


def _work(
    instance: VrptwInstance, start: Outcome, deadline: float, seed: int, sender: Connection
) -> None:
    sender.send(_search(instance, start, deadline, seed))
    sender.close()
