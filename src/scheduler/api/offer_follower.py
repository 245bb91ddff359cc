"""Runs the waitlist's offer policy in the background, so offers follow cancellations.

The policy (`scheduler.domain.commands.offers`) is safe to run in every API process at
once: each freed slot is considered exactly once whichever process reads it first.
Requests that show offers also run it first, so a patient never waits for the timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback

from scheduler.api.gateway import Gateway

log = logging.getLogger("scheduler.api")

INTERVAL_S = 5.0


class OfferFollower:
    """A task of the app that runs `offer_freed_time` every few seconds."""

    def __init__(self, gateway: Gateway, interval_s: float = INTERVAL_S) -> None:
        self.gateway = gateway
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start following (after the gateway has opened the store)."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop following (before the gateway closes the store)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def catch_up(self) -> int:
        """Offer whatever time was freed since the last run, and pass on offers left
        unanswered past their expiry; how many offers were made."""
        app = self.gateway.scheduling
        await self.gateway.run(app.expire_offers, now=self.gateway.now())
        return await self.gateway.run(app.offer_freed_time, now=self.gateway.now())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.catch_up()
            except Exception as error:  # retried at the next tick
                # Type and stack only: a message could name a patient (as in errors.py).
                stack = "".join(traceback.format_tb(error.__traceback__))
                log.error(
                    "offer policy run failed",
                    extra={"error_type": type(error).__name__, "stack": stack},
                )
