"""`Idempotency-Key` on POST: a retried request gets the first response, never a 2nd booking.

The first request with a key reserves it (Redis `SET NX`, an "in progress" marker that
expires after `IN_PROGRESS_S` in case the process dies), runs, and stores its response
(status, a few headers, body) for `settings.idempotency_ttl_s`. A retry with the same key
and body gets that response back with `Idempotent-Replayed: true`; with another body, 422;
while the first is still running, it waits up to `WAIT_S` and then gets 409. Keys are
scoped per account, method and path. Responses of 5xx and 429 are not kept: retrying
those must run the request again. With Redis down, keys live in this process only.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.asyncio import Redis

from scheduler.api.errors import ApiError, BodyTooLarge, IdempotencyKeyReused, RequestInProgress
from scheduler.api.redis_gate import LocalExpiringDict, RedisGate

HEADER = b"idempotency-key"
MAX_BODY = 1 << 20
"""Largest body kept for fingerprinting; the API's bodies are a few hundred bytes."""
IN_PROGRESS_S = 60
WAIT_S = 2.0
# x-position: a replayed booking still tells the client which position to read after.
_KEPT_HEADERS = {b"content-type", b"location", b"retry-after", b"x-position"}


class Recorded(msgspec.Struct):
    """A reservation (status 0, still running) or the first response to replay."""

    fingerprint: str
    status: int = 0
    headers: list[tuple[bytes, bytes]] = []
    body: bytes = b""


class IdempotencyStore:
    """Where keys and first responses live: Redis when up, this process otherwise."""

    def __init__(self, gate: RedisGate, ttl_s: int) -> None:
        self.gate = gate
        self.ttl_s = ttl_s
        self._local = LocalExpiringDict()

    async def reserve(self, key: str, fingerprint: str) -> Recorded | None:
        """Reserve `key` (None) or return what it already holds."""
        marker = msgspec.msgpack.encode(Recorded(fingerprint))

        async def set_or_get(client: Redis) -> tuple[bytes | None]:
            if await client.set(key, marker, nx=True, ex=IN_PROGRESS_S):
                return (None,)
            found: bytes | None = await client.get(key)
            # Expired between SET and GET: the key is free again, so reserve it now.
            return (found,) if found is not None else await set_or_get(client)

        outcome = await self.gate.call(set_or_get)
        if outcome is not None:
            held = outcome[0]
            return None if held is None else msgspec.msgpack.decode(held, type=Recorded)
        # Redis unconfigured or down: this process decides.
        if self._local.add(key, marker, IN_PROGRESS_S):
            return None
        return msgspec.msgpack.decode(self._local.get(key), type=Recorded)

    async def peek(self, key: str) -> Recorded | None:
        """What `key` holds now, if anything."""

        async def get(client: Redis) -> bytes | None:
            found: bytes | None = await client.get(key)
            return found

        held = await self.gate.call(get) or self._local.get(key)
        return None if held is None else msgspec.msgpack.decode(held, type=Recorded)

    async def keep(self, key: str, response: Recorded) -> None:
        """Store the first response for the key's lifetime."""
        data = msgspec.msgpack.encode(response)

        async def put(client: Redis) -> bool:
            return bool(await client.set(key, data, ex=self.ttl_s))

        if not await self.gate.call(put):
            self._local.set(key, data, self.ttl_s)

    async def release(self, key: str) -> None:
        """Forget a reservation whose request failed, so a retry runs it again."""

        async def delete(client: Redis) -> int:
            return int(await client.delete(key))

        await self.gate.call(delete)
        self._local.delete(key)


class IdempotencyMiddleware:
    """Applies the store to every POST that carries an `Idempotency-Key` header."""

    def __init__(self, app: ASGIApp, store: IdempotencyStore) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Replay, refuse or run-and-record the request."""
        given = dict(scope.get("headers", [])).get(HEADER)
        handler = scope.get("route_handler")
        opted_out = handler is not None and handler.opt.get("idempotent") is False
        if (
            scope["type"] != ScopeType.HTTP
            or scope.get("method") != "POST"
            or given is None
            or opted_out
        ):
            await self.app(scope, receive, send)
            return
        if not 0 < len(given) <= 200:
            raise ApiError("Idempotency-Key must be 1 to 200 characters; use a fresh UUID")
        body, messages = await _read_body(receive)
        if len(body) > MAX_BODY:
            raise BodyTooLarge(f"the request body exceeds {MAX_BODY} bytes")
        user = scope.get("user")
        account = str(getattr(user, "account_id", "anonymous"))
        scoped = hashlib.sha256(b"\n".join([scope["path"].encode(), given])).hexdigest()
        key = self.store.gate.key("idem", account, scoped)
        fingerprint = hashlib.sha256(body).hexdigest()
        held = await self.store.reserve(key, fingerprint)
        if held is not None:
            await self._answer_retry(key, fingerprint, held, send)
            return
        replay = iter(messages)

        async def receive_again() -> Any:
            return next(replay, None) or await receive()

        response = Recorded(fingerprint)

        async def send_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                response.status = message["status"]
                response.headers = [
                    (k.lower(), v) for k, v in message.get("headers", []) if k in _KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body":
                response.body += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive_again, send_recording)
        finally:
            if 0 < response.status < 500 and response.status != 429:
                await self.store.keep(key, response)
            else:
                await self.store.release(key)

    async def _answer_retry(self, key: str, fingerprint: str, held: Recorded, send: Send) -> None:
        if held.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                "this Idempotency-Key was already used with a different request body; "
                "use a new key for a new request"
            )
        waited = 0.0
        while held.status == 0 and waited < WAIT_S:
            await asyncio.sleep(0.05)
            waited += 0.05
            held = await self.store.peek(key) or held
        if held.status == 0:
            raise RequestInProgress(
                "a request with this Idempotency-Key is still running; retry in a few seconds"
            )
        headers = [*held.headers, (b"idempotent-replayed", b"true")]
        await send({"type": "http.response.start", "status": held.status, "headers": headers})
        await send({"type": "http.response.body", "body": held.body, "more_body": False})


async def _read_body(receive: Receive) -> tuple[bytes, list[Any]]:
    messages: list[Any] = []
    body = b""
    while len(body) <= MAX_BODY:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return body, messages


def idempotency(store: IdempotencyStore) -> DefineMiddleware:
    """The middleware, bound to the app's store."""
    return DefineMiddleware(IdempotencyMiddleware, store=store)
