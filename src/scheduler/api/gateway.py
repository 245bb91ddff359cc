"""The one adapter between async request handlers and the synchronous event store.

`eventsourcing` blocks on its database, so every call runs in a thread of a pool that
belongs to this app (sized by `settings.store_threads`, matching the psycopg pool). It is
a dedicated pool rather than `litestar.concurrency.sync_to_thread`'s process-wide one so
that two apps in one process (tests, a worker beside the API) neither share nor replace
each other's threads. Context variables (the request id) travel into the thread, as they
do with `sync_to_thread`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import psycopg

from scheduler.accounts import Accounts
from scheduler.api.store_breaker import StoreBreaker
from scheduler.domain import Scheduling
from scheduler.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")

Clock = Callable[[], datetime]
READY_TIMEOUT_S = 3.0
PROBE_TIMEOUT_S = 2
"""Seconds a probe of a database that is down may take to connect."""
SIGN_IN_THREADS = 2
"""Threads for account calls: argon2 takes ~0.1-0.5 s of CPU per password on purpose, so
sign-ins get their own threads and a burst of them never delays a booking."""


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


class Gateway:
    """The clinic's records and accounts, reached from async code without blocking it."""

    def __init__(self, settings: Settings, *, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.clock = clock
        self._executor: ThreadPoolExecutor | None = None
        self._sign_in_executor: ThreadPoolExecutor | None = None
        self._scheduling: Scheduling | None = None
        self._accounts: Accounts | None = None
        # While PostgreSQL is down, requests answer 503 at once instead of queueing.
        self._breaker = StoreBreaker(probe=self._probe if settings.database_url else None)

    @property
    def scheduling(self) -> Scheduling:
        """The `Scheduling` application (only to be called through `run`)."""
        assert self._scheduling is not None, "the gateway is used before the app started"
        return self._scheduling

    @property
    def accounts(self) -> Accounts:
        """The `Accounts` application (only to be called through `run`)."""
        assert self._accounts is not None, "the gateway is used before the app started"
        return self._accounts

    def now(self) -> datetime:
        """The clock's current instant; commands are stamped with it."""
        return self.clock()

    async def start(self) -> None:
        """Open the store (creating tables on the embedded SQLite store only)."""
        self._executor = ThreadPoolExecutor(
            max_workers=self.settings.store_threads, thread_name_prefix="store"
        )
        env = self.settings.store_env(create_table=self.settings.embedded)
        self._scheduling = await self.run(Scheduling, env)
        self._sign_in_executor = ThreadPoolExecutor(
            max_workers=SIGN_IN_THREADS, thread_name_prefix="sign-in"
        )
        # One connection per sign-in thread: accounts are read per sign-in, not per request.
        accounts_env = {**env, "POSTGRES_POOL_SIZE": str(SIGN_IN_THREADS)}
        self._accounts = await self.run_accounts(Accounts, accounts_env)

    async def stop(self) -> None:
        """Close the threads once every call in them has returned, then the store.

        A caller cancelled at shutdown (the live board's follower) leaves its call running
        in its thread: closing the store under that call crashed the process.
        """
        for executor in (self._executor, self._sign_in_executor):
            if executor is not None:
                await asyncio.to_thread(executor.shutdown, wait=True)
        for app in (self._scheduling, self._accounts):
            if app is not None:
                await asyncio.to_thread(app.close)
        self._scheduling = self._accounts = None
        self._executor = self._sign_in_executor = None

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` in a store thread, with this request's context.

        Raises StoreUnavailable (503) when the store cannot be reached, at once while it
        is known to be down (see `store_breaker`).
        """
        assert self._executor is not None, "the gateway is used before the app started"
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        with self._breaker.call():
            return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def run_accounts(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` in a sign-in thread (account calls hash passwords)."""
        assert self._sign_in_executor is not None, "the gateway is used before the app started"
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        with self._breaker.call():
            return await asyncio.get_running_loop().run_in_executor(self._sign_in_executor, call)

    def _probe(self) -> None:
        """Connect to PostgreSQL and ask it something (raises while it cannot answer)."""
        assert self.settings.database_url is not None
        with psycopg.connect(self.settings.database_url, connect_timeout=PROBE_TIMEOUT_S) as db:
            db.execute("SELECT 1")

    async def reachable(self) -> bool:
        """True when the event store answers a query."""
        try:
            await asyncio.wait_for(
                self.run(self.scheduling.recorder.max_notification_id), timeout=READY_TIMEOUT_S
            )
        except Exception:  # any failure means "not ready", never a 500
            return False
        return True


class SignInThreads:
    """The gateway's sign-in threads as a store runner of the use-case layer."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` in a sign-in thread."""
        return await self.gateway.run_accounts(fn, *args, **kwargs)
