"""The offer loop (the worker's and the API's, one and the same) runs the waitlist's
offer policy: offers follow a cancellation with no API process up, once each, and
unanswered offers expire (on every store)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from domain.world import MONDAY, NOW, World, later
from scheduler.waitlist_follower import OfferFollower, run_offer_policy


def _cancel_a_slot_quinn_waits_for(world: World) -> None:
    taken = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    world.app.join_waitlist(
        world.quinn_home_plan,
        earliest=world.local(MONDAY, "09:00"),
        latest=world.local(MONDAY, "17:00"),
        actor="quinn",
        now=NOW,
    )
    world.app.cancel_session(taken, actor="pat", reason="flu", now=later(1))


def test_the_workers_periodic_run_offers_the_freed_slot_once(world: World) -> None:
    _cancel_a_slot_quinn_waits_for(world)

    async def until_offered() -> None:
        with ThreadPoolExecutor(max_workers=1) as store_threads:

            async def run_store(fn: Any, *args: Any, **kwargs: Any) -> Any:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(store_threads, lambda: fn(*args, **kwargs))

            follower = OfferFollower(
                run_store, lambda: world.app, lambda: later(2), interval_s=0.01
            )
            await follower.start()
            try:
                for _ in range(1000):  # bounded: the loop runs every 10 ms
                    if world.app.waitlist_offers(world.clinic, now=later(3)):
                        break
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.05)  # a few more runs: none may offer the slot again
            finally:
                await follower.stop()

    asyncio.run(until_offered())

    (offer,) = world.app.waitlist_offers(world.clinic, now=later(3))
    assert (offer.therapist_id, offer.start, offer.status) == (
        world.ana,
        world.local(MONDAY, "10:00"),
        "open",
    )
    assert run_offer_policy(world.app, now=later(4)) == 0  # e.g. an API process, later


def test_the_workers_run_expires_offers_left_unanswered(world: World) -> None:
    _cancel_a_slot_quinn_waits_for(world)
    assert run_offer_policy(world.app, now=later(2)) == 1
    (offer,) = world.app.waitlist_offers(world.clinic, now=later(3))

    run_offer_policy(world.app, now=offer.expires_at + timedelta(minutes=1))

    # Read as of before the expiry: only the stored (closed) offer says "expired" there.
    (expired,) = world.app.waitlist_offers(world.clinic, now=later(3))
    assert expired.status == "expired"
