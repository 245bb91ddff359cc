"""Fixed-window rate limits for sign-in and booking, shared through Redis when it is up.

A window is `window_s` long and allows `limit` hits per caller; the 429 says in
`Retry-After` how many seconds remain of it. When Redis is down each process counts
on its own, which at worst lets a caller through a few more times: better than refusing
every sign-in. Windows follow the app's clock (the one that stamps commands), so a
test's fixed clock never sees a window roll over halfway through its requests.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime

from redis.asyncio import Redis

from scheduler.api.errors import TooManyRequests
from scheduler.api.redis_gate import LocalExpiringDict, RedisGate
from scheduler.settings import Settings
from scheduler.usecases.actor import Actor


def anonymous(value: str) -> str:
    """A stable digest of `value` (an e-mail, an address) so keys hold no personal data."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


class RateLimiter:
    """Counts hits per (rule, caller) and raises TooManyRequests past the limit.

    It is the use-case layer's `Limits`: actions declare the rule they count against
    (`@action(limit="booking")`: book, move, take up an offer, queue a solve).
    """

    def __init__(self, gate: RedisGate, clock: Callable[[], datetime], settings: Settings) -> None:
        self.gate = gate
        self.clock = clock
        self._local = LocalExpiringDict()
        self._rules = {
            "booking": (settings.booking_limit, settings.booking_window_s),
            "login": (settings.login_limit, settings.login_window_s),
            "signup": (settings.login_limit, settings.login_window_s),
            "reset": (settings.login_limit, settings.login_window_s),
            "verification": (settings.login_limit, settings.login_window_s),
        }

    async def hit(self, rule: str, who: Actor) -> None:
        """Count one use of `rule` by the caller's account (the use-case layer's limits)."""
        limit, window_s = self._rules[rule]
        await self.count(rule, str(who.account_id), limit=limit, window_s=window_s)

    async def hit_key(self, rule: str, key: str) -> None:
        """Count one use of `rule` by an anonymous caller; `key` is stored only digested."""
        limit, window_s = self._rules[rule]
        await self.count(rule, anonymous(key), limit=limit, window_s=window_s)

    async def count(self, rule: str, caller: str, *, limit: int, window_s: int) -> None:
        """Count one hit of `caller` under `rule`; raise TooManyRequests beyond `limit`."""
        now = self.clock().timestamp()
        window = int(now // window_s)
        retry_after = max(1, math.ceil((window + 1) * window_s - now))
        key = self.gate.key("rate", rule, caller, str(window))

        async def count(client: Redis) -> int:
            async with client.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, window_s + 1)
                hits, _ = await pipe.execute()
            return int(hits)

        hits = await self.gate.call(count)
        if hits is None:
            hits = (self._local.get(key) or 0) + 1
            self._local.set(key, hits, window_s + 1)
        if hits > limit:
            raise TooManyRequests(
                f"too many {rule} requests: at most {limit} per {window_s} s; "
                f"try again in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )
