"""Redis as an optional helper: every use has an in-process fallback.

Bookings must keep working when Redis is down, so no request ever fails because of it.
After a failed call the gate stays shut for `cooldown_s` (calls go straight to the
fallback instead of waiting on a dead server each time) and logs one warning per outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("scheduler.redis")
T = TypeVar("T")


class RedisGate:
    """A Redis client (or none configured) that reports failures instead of raising them."""

    def __init__(self, url: str | None, *, prefix: str, cooldown_s: float = 5.0) -> None:
        self.prefix = prefix
        self.cooldown_s = cooldown_s
        self._client: Redis | None = None
        if url is not None:
            # Short timeouts: a slow Redis must cost a request milliseconds, not seconds.
            self._client = Redis.from_url(
                url, socket_connect_timeout=0.5, socket_timeout=0.5, retry_on_timeout=False
            )
        self._shut_until = 0.0

    @property
    def configured(self) -> bool:
        """True when a Redis URL was given."""
        return self._client is not None

    def key(self, *parts: str) -> str:
        """A key under this deployment's prefix."""
        return self.prefix + ":".join(parts)

    async def call(self, operation: Callable[[Redis], Awaitable[T]]) -> T | None:
        """`operation(client)`, or None when Redis is unconfigured, down or failing."""
        if self._client is None or time.monotonic() < self._shut_until:
            return None
        try:
            result = await operation(self._client)
        except (RedisError, OSError) as error:
            self._shut_until = time.monotonic() + self.cooldown_s
            log.warning(
                "redis unavailable, using in-process fallback",
                extra={"error_type": type(error).__name__, "retry_in_s": self.cooldown_s},
            )
            return None
        return result

    async def ping(self) -> bool:
        """True when Redis answers now (ignores the cooldown: readiness must be current)."""
        if self._client is None:
            return False
        try:
            return bool(await self._client.ping())  # type: ignore[misc]
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()


class LocalExpiringDict:
    """The in-process fallback store: values that expire, at most `capacity` of them."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._items: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any:
        """The live value of `key`, or None."""
        found = self._items.get(key)
        if found is None:
            return None
        if found[0] <= time.monotonic():
            del self._items[key]
            return None
        return found[1]

    def set(self, key: str, value: Any, ttl_s: float) -> None:
        """Store `value` for `ttl_s` seconds (oldest entries go first when full)."""
        if len(self._items) >= self.capacity:
            now = time.monotonic()
            self._items = {k: v for k, v in self._items.items() if v[0] > now}
            while len(self._items) >= self.capacity:
                del self._items[next(iter(self._items))]
        self._items[key] = (time.monotonic() + ttl_s, value)

    def add(self, key: str, value: Any, ttl_s: float) -> bool:
        """Store `value` only if `key` holds nothing live; True when stored."""
        if self.get(key) is not None:
            return False
        self.set(key, value, ttl_s)
        return True

    def delete(self, key: str) -> None:
        """Forget `key`."""
        self._items.pop(key, None)
