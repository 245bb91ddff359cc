"""One optimization, start to end: read the calendar, solve, store the proposal.

The same steps run in a SAQ worker and in the API process on the embedded default;
only how they reach the store (`run_store`) and the solver (`run_solver`) differs. The
solve is CPU-bound pure Python, so it runs in another process: the event loop (and
the API's requests) are never blocked by it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeVar
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.matching.problem import Problem, Visit
from scheduler.matching.result import PlanResult
from scheduler.planning.horizon import read_horizon
from scheduler.planning.problem import Planning, build_problem
from scheduler.planning.proposal import record_proposal

T = TypeVar("T")
RunStore = Callable[..., Awaitable[Any]]
RunSolver = Callable[..., Awaitable[PlanResult]]
Report = Callable[[float], Awaitable[None]]

PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class OptimizationRequest:
    """What a dispatcher asked for; plain values, so a queue can carry it as JSON."""

    clinic_id: str
    first: str  # local dates, ISO
    last: str
    time_limit_s: float
    purpose: Literal["optimize", "replan"]
    keep_booked: bool
    actor: str
    now: str  # the instant of the request (the API's clock), ISO with offset
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The request as JSON-ready keyword arguments."""
        return {
            "clinic_id": self.clinic_id,
            "first": self.first,
            "last": self.last,
            "time_limit_s": self.time_limit_s,
            "purpose": self.purpose,
            "keep_booked": self.keep_booked,
            "actor": self.actor,
            "now": self.now,
            "seed": self.seed,
        }


def prepare(app: Scheduling, request: OptimizationRequest) -> Planning:
    """Read the clinic's calendar and build the planning problem (in a store thread)."""
    horizon = read_horizon(
        app,
        request.clinic_id,
        date.fromisoformat(request.first),
        date.fromisoformat(request.last),
        now=datetime.fromisoformat(request.now),
    )
    return build_problem(horizon, request.purpose, keep_booked=request.keep_booked)


def solve_in_child(
    problem: Problem, previous: list[Visit] | None, time_limit_s: float, seed: int
) -> PlanResult:
    """The engine's `solve`, as a top-level function a process pool can call."""
    from scheduler.matching.solver import solve  # noqa: PLC0415 - keeps workers' import light

    return solve(problem, time_limit_s=time_limit_s, seed=seed, previous=previous)


async def run_optimization(
    request: OptimizationRequest,
    app: Scheduling,
    *,
    run_store: RunStore,
    run_solver: RunSolver,
    report: Report,
) -> UUID:
    """Read, solve (reporting progress from 0 to 1 by elapsed time), store; the proposal id."""
    planning: Planning = await run_store(prepare, app, request)
    await report(0.05)
    solving = asyncio.ensure_future(
        run_solver(
            solve_in_child,
            planning.problem,
            planning.previous,
            request.time_limit_s,
            request.seed,
        )
    )
    started = time.monotonic()
    while not solving.done():
        await asyncio.wait({solving}, timeout=PROGRESS_EVERY_S)
        elapsed = time.monotonic() - started
        await report(min(0.95, 0.05 + 0.9 * elapsed / max(request.time_limit_s, 0.1)))
    result = solving.result()
    proposal_id: UUID = await run_store(
        record_proposal,
        app,
        planning,
        result,
        actor=request.actor,
        now=datetime.fromisoformat(request.now),
    )
    return proposal_id
