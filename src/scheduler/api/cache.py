"""Hot reads (the day board, a therapist's week) cached in Redis.

Keys carry the clinic's read-model position (the notification id of the last event that
changed anything its boards show), so nothing is ever invalidated by hand: a new booking
moves the position and the next read misses the old key. Entries expire after `ttl_s`
only to free memory. When Redis is down or not configured, `get` misses and `put` does
nothing (through `RedisGate`): reads go to PostgreSQL, slower but correct.
"""

from __future__ import annotations

from redis.asyncio import Redis

from scheduler.api.redis_gate import RedisGate


class HotReads:
    """Serialized responses under `<prefix>cache:<kind>:<id>:<date>:<position>`."""

    def __init__(self, gate: RedisGate, *, ttl_s: int = 600) -> None:
        self.gate = gate
        self.ttl_s = ttl_s

    def key(self, kind: str, record_id: object, day: object, position: int) -> str:
        """The key of one cached read at one read-model position."""
        return self.gate.key("cache", kind, str(record_id), str(day), str(position))

    async def get(self, key: str) -> bytes | None:
        """The cached body, or None (missing, expired, or Redis unavailable)."""

        async def get(client: Redis) -> bytes | None:
            found: bytes | None = await client.get(key)
            return found

        return await self.gate.call(get)

    async def put(self, key: str, body: bytes) -> None:
        """Cache `body` (best effort)."""

        async def put(client: Redis) -> bool | None:
            done: bool | None = await client.set(key, body, ex=self.ttl_s)
            return done

        await self.gate.call(put)
