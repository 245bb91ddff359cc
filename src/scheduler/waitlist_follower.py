"""The waitlist's offer policy in the background: one loop for the API and the worker.

Every few seconds it passes on offers left unanswered past their expiry, then offers
the time freed since the last run (`scheduler.domain.commands.offers`). Running it in
every API process and every worker at once is safe: each freed slot is considered
exactly once, whichever process reads it first. Requests that show offers run the
policy first too, so a patient never waits for the timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from scheduler.domain import Scheduling

log = logging.getLogger("scheduler.waitlist")

INTERVAL_S = 5.0

RunStore = Callable[..., Awaitable[Any]]


def run_offer_policy(scheduling: Scheduling, *, now: datetime) -> int:
    """Pass on offers left unanswered past their expiry, then offer the time freed since
    the policy last ran; returns how many offers were made."""
    scheduling.expire_offers(now=now)
    return scheduling.offer_freed_time(now=now)


class OfferFollower:
    """A task that runs the offer policy every `interval_s` until stopped."""

    def __init__(
        self,
        run_store: RunStore,
        scheduling: Callable[[], Scheduling],
        clock: Callable[[], datetime],
        *,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self.run_store = run_store
        self.scheduling = scheduling
        self.clock = clock
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start following (after the store has opened)."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop following (before the store closes)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def catch_up(self) -> int:
        """One run of the policy now; how many offers it made."""
        made: int = await self.run_store(run_offer_policy, self.scheduling(), now=self.clock())
        return made

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.catch_up()
            except Exception as error:  # retried at the next tick
                # Type and stack only: a message could name a patient (as in api/errors.py).
                stack = "".join(traceback.format_tb(error.__traceback__))
                log.error(
                    "offer policy run failed",
                    extra={"error_type": type(error).__name__, "stack": stack},
                )
