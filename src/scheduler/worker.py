"""Optimization jobs: a SAQ queue on Redis, or an in-process runner on the embedded default.

Both offer one interface (`submit`, `state`): the API enqueues a request and answers
202 with the job id; the job reads the calendar, solves in a separate process and
stores a proposal (in the event store, so any API process can read it after any
restart). With `REDIS_URL`, `scheduler worker` processes run the jobs; without it, the
API process runs them itself and their status lives only as long as the process (the
proposals they stored do not depend on it).

A worker also runs the waitlist's offer policy every few seconds, as the API does, so
offers follow cancellations while no API process is up. Running it in several processes
at once is safe: the policy saves its offers together with its read position in one
transaction, so each freed slot is offered exactly once (`domain/offer_policy.py`).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from redis.exceptions import RedisError
from saq import Queue, Worker
from saq.job import Job, Status
from saq.queue.redis import RedisQueue

from scheduler.domain import Scheduling
from scheduler.domain.commands.store import request_key
from scheduler.notify.notifier import running_notifier
from scheduler.planning.jobs import OptimizationRequest, run_optimization
from scheduler.settings import Settings
from scheduler.usecases.runner import utc_now
from scheduler.waitlist_follower import OfferFollower

log = logging.getLogger("scheduler.worker")

JOB_FUNCTION = "solve_proposal"
KEEP_JOBS_S = 7 * 24 * 3600
"""How long a finished job's status stays readable (its proposal stays for good)."""
JOB_OVERHEAD_S = 300
"""Time a job may take beyond its solver limit (reading and storing) before it is failed."""


class QueueUnavailable(RuntimeError):
    """Raised when the optimization queue (Redis) cannot be reached; nothing was queued."""


def queue_name(settings: Settings) -> str:
    """The deployment's queue: under its Redis prefix, so deployments sharing Redis differ."""
    return f"{settings.redis_prefix}optimizations"


@dataclass(frozen=True)
class JobState:
    """Where one optimization job stands."""

    id: str
    clinic_id: str
    purpose: str
    status: str  # queued, active, complete, failed
    progress: float
    proposal_id: str | None = None
    error: str | None = None


@runtime_checkable
class Optimizations(Protocol):
    """Where optimization jobs run."""

    async def start(self) -> None:
        """Open connections and executors."""

    async def stop(self) -> None:
        """Close them; running in-process jobs are cancelled."""

    async def submit(self, request: OptimizationRequest) -> str:
        """Queue a job; returns its id."""

    async def state(self, job_id: str) -> JobState | None:
        """The job's status, or None if no such job is known."""


def solver_pool() -> ProcessPoolExecutor:
    """One process for solves; 'spawn' because the parent holds threads and connections."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class LocalOptimizations:
    """Jobs as asyncio tasks of the API process, solving in a child process."""

    def __init__(self, scheduling: Any, run_store: Any) -> None:
        self._scheduling = scheduling  # callable returning the Scheduling app
        self._run_store = run_store
        self._jobs: dict[str, JobState] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        """Nothing to open until the first job: most API processes never solve."""

    async def stop(self) -> None:
        """Cancel running jobs and close the solver process."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def submit(self, request: OptimizationRequest) -> str:
        """Start the job now, in the background."""
        job_id = str(uuid.uuid4())
        self._jobs[job_id] = JobState(job_id, request.clinic_id, request.purpose, "queued", 0.0)
        # The job outlives the request: its commands are not the request's, so they save
        # no receipt under its Idempotency-Key (the task copies the context it starts in).
        with request_key(None):
            task = asyncio.create_task(self._run(job_id, request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job_id

    async def state(self, job_id: str) -> JobState | None:
        """The job's status while this process lives."""
        return self._jobs.get(job_id)

    async def _run_solver(self, fn: Any, *args: Any) -> Any:
        if self._pool is None:
            self._pool = solver_pool()
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _run(self, job_id: str, request: OptimizationRequest) -> None:
        async def report(progress: float) -> None:
            self._jobs[job_id] = replace(self._jobs[job_id], status="active", progress=progress)

        try:
            proposal = await run_optimization(
                request,
                self._scheduling(),
                run_store=self._run_store,
                run_solver=self._run_solver,
                report=report,
            )
        except Exception as error:  # the job's status carries it; the API stays up
            self._jobs[job_id] = replace(self._jobs[job_id], status="failed", error=_short(error))
            return
        self._jobs[job_id] = replace(
            self._jobs[job_id], status="complete", progress=1.0, proposal_id=str(proposal)
        )


class QueuedOptimizations:
    """Jobs on a SAQ queue in Redis, run by `scheduler worker` processes."""

    def __init__(self, redis_url: str, name: str) -> None:
        self.queue = Queue.from_url(redis_url, name=name)

    async def start(self) -> None:
        """Connect to Redis."""
        await self.queue.connect()

    async def stop(self) -> None:
        """Disconnect (a Redis that went away is no reason to fail the shutdown)."""
        try:
            await self.queue.disconnect()
        except (RedisError, OSError) as error:
            log.warning("optimization queue: disconnect failed", extra={"error": _short(error)})

    async def submit(self, request: OptimizationRequest) -> str:
        """Enqueue the job; one attempt (a failed solve is re-requested, not retried).

        Raises QueueUnavailable when Redis does not answer.
        """
        job = Job(
            function=JOB_FUNCTION,
            kwargs=request.as_dict(),
            key=str(uuid.uuid4()),
            timeout=int(request.time_limit_s) + JOB_OVERHEAD_S,
            ttl=KEEP_JOBS_S,
            retries=1,
        )
        try:
            await self.queue.enqueue(job)
        except (RedisError, OSError) as error:
            raise QueueUnavailable(_short(error)) from error
        return job.key

    async def state(self, job_id: str) -> JobState | None:
        """The job as Redis holds it (for KEEP_JOBS_S after it finished).

        Raises QueueUnavailable when Redis does not answer.
        """
        try:
            job = await self.queue.job(job_id)
        except (RedisError, OSError) as error:
            raise QueueUnavailable(_short(error)) from error
        if job is None:
            return None
        kwargs = job.kwargs or {}
        failed = job.status in {Status.FAILED, Status.ABORTED}
        # SAQ keeps the traceback; its last line names the error and says what was wrong.
        last_line = (job.error or "").strip().splitlines()[-1:] if failed else []
        return JobState(
            id=job.key,
            clinic_id=str(kwargs.get("clinic_id", "")),
            purpose=str(kwargs.get("purpose", "")),
            status="failed" if failed else str(job.status.value),
            progress=float(job.progress),
            proposal_id=str(job.result) if job.status == Status.COMPLETE else None,
            error=last_line[0] if last_line else None,
        )


async def solve_proposal(ctx: dict[str, Any], **kwargs: Any) -> str:
    """The SAQ job: run one optimization and return the stored proposal's id."""
    job: Job = ctx["job"]
    store: ThreadPoolExecutor = ctx["store_threads"]
    loop = asyncio.get_running_loop()

    async def run_store(fn: Any, *args: Any, **fn_kwargs: Any) -> Any:
        return await loop.run_in_executor(store, lambda: fn(*args, **fn_kwargs))

    async def run_solver(fn: Any, *args: Any) -> Any:
        return await loop.run_in_executor(ctx["solver"], fn, *args)

    async def report(progress: float) -> None:
        await job.update(progress=progress)

    proposal = await run_optimization(
        OptimizationRequest(**kwargs),
        ctx["scheduling"],
        run_store=run_store,
        run_solver=run_solver,
        report=report,
    )
    return str(proposal)


class PatientSweeps(RedisQueue):
    """SAQ's Redis queue, whose sweep leaves alone a job that is in the active list but
    still says `queued` until it says so a round later.

    SAQ moves a job to the active list, then marks it active; a sweep between the two
    aborts it as "swept" (saq#124, saq#277). Here it happened to a job queued before the
    worker started, at the worker's first sweep, under load. A job a dead worker left in
    that state is still swept, one round (`timers["sweep"]`, 60 s) later.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._suspects: set[bytes] = set()

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        """SAQ's sweep, skipped while a job newly found half-dequeued is in the list."""
        fresh = set()
        active: list[bytes] = await self.redis.lrange(self._active, 0, -1)  # type: ignore[misc]
        for job_id in active:
            job = self.deserialize(await self.redis.get(job_id))
            if job is not None and job.status == Status.QUEUED and job_id not in self._suspects:
                fresh.add(job_id)
        self._suspects = fresh
        if fresh:
            return []
        return await super().sweep(lock, abort)


def saq_worker(
    settings: Settings, *, concurrency: int = 1, clock: Callable[[], datetime] = utc_now
) -> Worker[Any]:
    """A SAQ worker for the deployment's queue; its store and solver open on startup.

    `concurrency` jobs at a time, each solving in its own process (one per core is
    the sensible most). It also runs the waitlist's offer policy
    (`scheduler.waitlist_follower`, the same loop as the API's) and, on PostgreSQL,
    delivers notifications (`scheduler.notify`).
    """
    if settings.redis_url is None:
        raise ValueError("a worker needs REDIS_URL (the embedded default solves in the API)")
    queue = PatientSweeps.from_url(settings.redis_url, name=queue_name(settings))

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["store_threads"] = store = ThreadPoolExecutor(max_workers=2, thread_name_prefix="store")
        env = settings.store_env(create_table=settings.embedded)
        ctx["scheduling"] = scheduling = Scheduling(env)
        ctx["solver"] = ProcessPoolExecutor(
            max_workers=concurrency, mp_context=multiprocessing.get_context("spawn")
        )

        async def run_store(fn: Any, *args: Any, **kwargs: Any) -> Any:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(store, lambda: fn(*args, **kwargs))

        ctx["offers"] = OfferFollower(run_store, lambda: scheduling, clock)
        await ctx["offers"].start()
        # Notifications: on PostgreSQL the workers deliver them (the API does on SQLite).
        ctx["notifier"] = None
        if not settings.embedded:
            ctx["notifier"] = running_notifier(settings, clock=clock)
            await ctx["notifier"].__aenter__()

    async def shutdown(ctx: dict[str, Any]) -> None:
        if ctx.get("notifier") is not None:
            await ctx["notifier"].__aexit__(None, None, None)
        await ctx["offers"].stop()
        ctx["solver"].shutdown(wait=False, cancel_futures=True)
        # Threads first: a policy run still reading must not find its store closed.
        ctx["store_threads"].shutdown(wait=True)
        ctx["scheduling"].close()

    return Worker(
        queue,
        functions=[(JOB_FUNCTION, solve_proposal)],
        concurrency=concurrency,
        startup=startup,
        shutdown=shutdown,
        # On SIGTERM SAQ cancels its idle loops and any running job at once; a cancelled
        # job goes back to the queue (SAQ retries it), so another worker solves it again.
        shutdown_grace_period_s=0,
    )


def optimizations_for(settings: Settings, gateway: Any) -> Optimizations:
    """SAQ on Redis when `REDIS_URL` is set; else jobs inside this process (`gateway`'s store)."""
    if settings.redis_url is not None:
        return QueuedOptimizations(settings.redis_url, queue_name(settings))
    return LocalOptimizations(lambda: gateway.scheduling, gateway.run)
