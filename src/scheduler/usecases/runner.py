"""`UseCases`: what every action runs in, and `@action`, which gives each its steps.

An action is an async function `action(uc, who, ...) -> answer`. `@action(limit=...)`
counts the caller against the named rate limit first; the action's body then does
access and the command in ONE store call (`uc.write`), in a thread of the store's pool,
and reads its answer there too. `write` notes the position of the last event the call
saved (or the log's end, if it saved nothing) for the `X-Position` header.

The API builds `UseCases` over its gateway, rate limiter, optimization queue and read
side; the CLI and the worker over a plain thread runner (`UseCases.local`).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar
from uuid import UUID

from scheduler.accounts import Accounts
from scheduler.domain import Scheduling
from scheduler.geocoding import Geocoder
from scheduler.usecases.actor import Actor

P = ParamSpec("P")
T = TypeVar("T")

WRITTEN: ContextVar[list[int] | None] = ContextVar("written_positions", default=None)
"""Positions written while serving the current request (the API's `X-Position`)."""


class StoreRunner(Protocol):
    """Runs a synchronous store call without blocking the event loop."""

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a store thread."""


class Limits(Protocol):
    """The rate limits of callers (the API's, backed by Redis)."""

    async def hit(self, rule: str, who: Actor) -> None:
        """Count one use of `rule` by `who`; raise when past the limit."""

    async def hit_key(self, rule: str, key: str) -> None:
        """Count one use of `rule` by an anonymous caller (an address, an e-mail)."""


class SignOuts(Protocol):
    """Where sign-ins are refused (the API's deny-list)."""

    async def sign_out_everywhere(self, account: UUID, now: datetime) -> None:
        """Refuse every token of `account` issued before `now`."""


class ThreadRunner:
    """The simplest runner: each call in a thread of asyncio's default pool."""

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a thread."""
        return await asyncio.to_thread(fn, *args, **kwargs)


def utc_now() -> datetime:
    """The real clock (the domain never reads one)."""
    return datetime.now(UTC)


class UseCases:
    """The context actions run in: the store, the clock, limits, jobs and the read side."""

    def __init__(
        self,
        store: StoreRunner,
        scheduling: Callable[[], Scheduling],
        *,
        clock: Callable[[], datetime] = utc_now,
        limits: Limits | None = None,
        jobs: Any = None,
        reads: Any = None,
        accounts: Callable[[], Accounts] | None = None,
        accounts_store: StoreRunner | None = None,
        geocoder: Geocoder | None = None,
        outbox: Any = None,
        sign_outs: SignOuts | None = None,
    ) -> None:
        self.store = store
        self.sign_outs = sign_outs
        self.outbox = outbox  # `scheduler.notify.outbox.Outbox`: messages recorded and sent
        self._scheduling = scheduling
        self._accounts = accounts
        # Sign-ins hash passwords (slow on purpose): they get threads of their own.
        self.accounts_store = accounts_store or store
        self.geocoder = geocoder
        self.clock = clock
        self.limits = limits
        self.jobs = jobs  # `scheduler.worker.Optimizations`
        self.reads = reads  # the API's read side (board, week), if any

    @classmethod
    def local(
        cls,
        app: Scheduling,
        *,
        clock: Callable[[], datetime] = utc_now,
        jobs: Any = None,
        accounts: Accounts | None = None,
    ) -> UseCases:
        """Use cases over `app` in this process (CLI, worker, tests): no rate limits."""
        return cls(
            ThreadRunner(),
            lambda: app,
            clock=clock,
            jobs=jobs,
            accounts=(lambda: accounts) if accounts is not None else None,
        )

    @property
    def app(self) -> Scheduling:
        """The application (to be called only through `read` and `write`)."""
        return self._scheduling()

    @property
    def accounts(self) -> Accounts:
        """The sign-in accounts (to be called only through `accounts_store`)."""
        assert self._accounts is not None, "these use cases were built without accounts"
        return self._accounts()

    async def read(self, fn: Callable[[Scheduling, datetime], T]) -> T:
        """`fn(app, now)` in a store thread."""
        app, now = self.app, self.clock()
        return await self.store.run(fn, app, now)

    async def write(self, fn: Callable[[Scheduling, datetime], T]) -> T:
        """`fn(app, now)` in a store thread; its last event's position is noted."""
        app, now = self.app, self.clock()

        def call() -> tuple[T, int]:
            app.forget_position()
            result = fn(app, now)
            position = app.last_saved_position()
            return result, position or app.recorder.max_notification_id() or 0

        result, position = await self.store.run(call)
        written = WRITTEN.get()
        if written is not None:
            written.append(position)
        return result


Action = Callable[Concatenate[UseCases, Actor, P], Awaitable[T]]


def action(*, limit: str | None = None) -> Callable[[Action[P, T]], Action[P, T]]:
    """Mark an async function as an action; with `limit`, the caller is counted against
    that rate limit before anything else (the API's limits; none on the CLI)."""

    def wrap(body: Action[P, T]) -> Action[P, T]:
        @functools.wraps(body)
        async def run(uc: UseCases, who: Actor, /, *args: P.args, **kwargs: P.kwargs) -> T:
            if limit is not None and uc.limits is not None:
                await uc.limits.hit(limit, who)
            return await body(uc, who, *args, **kwargs)

        run.limit = limit  # type: ignore[attr-defined]
        return run

    return wrap


@contextmanager
def positions() -> Iterator[list[int]]:
    """Collect the positions written inside (for callers other than the API)."""
    written: list[int] = []
    token = WRITTEN.set(written)
    try:
        yield written
    finally:
        WRITTEN.reset(token)
