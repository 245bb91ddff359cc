"""`Idempotency-Key` on POST: a retried request gets the first response, never a 2nd booking.

Two layers, so that a retry is answered right even after a crash or without Redis:

- **The first response**, kept in Redis for `settings.idempotency_ttl_s`: the first
  request with a key reserves it (`SET NX`, an "in progress" lease of `LEASE_S` that the
  process renews while it runs, so a killed process frees it within seconds), runs, and
  stores its response (status, a few headers, body). A retry with the same key and body
  gets that response back with `Idempotent-Replayed: true`; with another body, 422.
  While the first is still running, a retry waits up to `WAIT_S` (longer than a lease)
  for its answer, takes the key over if the lease ran out, and only then answers 409
  `request_in_progress` with `Retry-After`. Responses of 5xx and 429 are not kept:
  retrying those must run the request again.
- **Receipts in the event store**: the request runs under its key (`request_key`), so
  every command it saves records a receipt in the SAME transaction as its events
  (`domain/commands/store.py`). A request run again (its process was killed between the
  commit and the answer; Redis is down and the retry reached another process) finds the
  receipt and answers with what the first run saved: the same session, 201, never a
  refusal of its own booking. Two copies racing on two processes save once.

Keys are scoped per account, method and path. With Redis down, first responses live in
this process only, and receipts deduplicate across processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from contextlib import suppress
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.asyncio import Redis

from scheduler.api.errors import ApiError, BodyTooLarge, IdempotencyKeyReused, RequestInProgress
from scheduler.api.redis_gate import LocalExpiringDict, RedisGate
from scheduler.domain.commands.store import request_key

log = logging.getLogger("scheduler.api")

HEADER = b"idempotency-key"
MAX_BODY = 1 << 20
"""Largest body kept for fingerprinting; the API's bodies are a few hundred bytes."""
LEASE_S = 3
"""How long a reservation outlives its process in Redis (renewed every `RENEW_S`)."""
RENEW_S = 1.0
LOCAL_RESERVATION_S = 600
"""A reservation in this process's memory dies with the process; this only bounds it."""
WAIT_S = 5.0
"""How long a retry waits for the first request's answer: longer than a lease, so a
retry of a request whose process was killed runs (and finds its receipt) at once."""
POLL_S = 0.05
# x-position: a replayed booking still tells the client which position to read after.
_KEPT_HEADERS = {b"content-type", b"location", b"retry-after", b"x-position"}
# Renew or release a reservation only while it is still this process's own.
_IF_OURS = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call({}) end return 0"
_RENEW = _IF_OURS.format("'pexpire', KEYS[1], ARGV[2]")
_RELEASE = _IF_OURS.format("'del', KEYS[1]")


class Recorded(msgspec.Struct):
    """A reservation (status 0, still running, by `owner`) or the first response."""

    fingerprint: str
    status: int = 0
    headers: list[tuple[bytes, bytes]] = []
    body: bytes = b""
    owner: str = ""


class IdempotencyStore:
    """Where keys and first responses live: Redis when up, this process otherwise."""

    def __init__(self, gate: RedisGate, ttl_s: int) -> None:
        self.gate = gate
        self.ttl_s = ttl_s
        self._local = LocalExpiringDict()

    async def reserve(self, key: str, marker: bytes) -> Recorded | None:
        """Reserve `key` with `marker` (None) or return what it already holds."""

        async def set_or_get(client: Redis) -> tuple[bytes | None]:
            if await client.set(key, marker, nx=True, ex=LEASE_S):
                return (None,)
            found: bytes | None = await client.get(key)
            # Expired between SET and GET: the key is free again, so reserve it now.
            return (found,) if found is not None else await set_or_get(client)

        outcome = await self.gate.call(set_or_get)
        if outcome is not None:
            held = outcome[0]
            return None if held is None else msgspec.msgpack.decode(held, type=Recorded)
        # Redis unconfigured or down: this process decides (receipts, across processes).
        if self._local.add(key, marker, LOCAL_RESERVATION_S):
            return None
        return msgspec.msgpack.decode(self._local.get(key), type=Recorded)

    async def renew(self, key: str, marker: bytes) -> None:
        """Extend this process's reservation by a lease (while its request runs)."""

        async def renew(client: Redis) -> int:
            return int(await client.eval(_RENEW, 1, key, marker, LEASE_S * 1000))  # type: ignore[misc]

        await self.gate.call(renew)

    async def keep(self, key: str, response: Recorded) -> None:
        """Store the first response for the key's lifetime."""
        data = msgspec.msgpack.encode(response)

        async def put(client: Redis) -> bool:
            return bool(await client.set(key, data, ex=self.ttl_s))

        if not await self.gate.call(put):
            self._local.set(key, data, self.ttl_s)

    async def release(self, key: str, marker: bytes) -> None:
        """Forget this process's reservation of a request that failed, so a retry runs it
        again."""

        async def delete(client: Redis) -> int:
            return int(await client.eval(_RELEASE, 1, key, marker))  # type: ignore[misc]

        await self.gate.call(delete)
        if self._local.get(key) == marker:
            self._local.delete(key)


class IdempotencyMiddleware:
    """Applies the store to every POST that carries an `Idempotency-Key` header."""

    def __init__(
        self, app: ASGIApp, store: IdempotencyStore, pause_after_commit_s: float | None = None
    ) -> None:
        self.app = app
        self.store = store
        # Test-only (settings refuse it on a reachable server): hold a successful answer
        # back so a test can kill the process between the commit and the answer.
        self.pause_after_commit_s = pause_after_commit_s

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
        marker = msgspec.msgpack.encode(Recorded(fingerprint, owner=uuid.uuid4().hex))
        held = await self._reserve(key, marker, fingerprint)
        if held is not None:
            await _replay(held, send)
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
                if self.pause_after_commit_s and 200 <= response.status < 300:
                    log.warning("test hook: pausing after commit, before answering")
                    await asyncio.sleep(self.pause_after_commit_s)
            elif message["type"] == "http.response.body":
                response.body += message.get("body", b"")
            await send(message)

        renewing = asyncio.create_task(self._renew(key, marker))
        try:
            with request_key(f"{account}/{scoped}"):
                await self.app(scope, receive_again, send_recording)
        finally:
            renewing.cancel()
            with suppress(asyncio.CancelledError):
                await renewing
            if 0 < response.status < 500 and response.status != 429:
                await self.store.keep(key, response)
            else:
                await self.store.release(key, marker)

    async def _reserve(self, key: str, marker: bytes, fingerprint: str) -> Recorded | None:
        """None once the key is this request's to run; else the first response to replay.

        A reservation that stays in progress past its lease (its process was killed) is
        taken over: running again is safe, the store's receipts answer what it saved.
        """
        deadline = time.monotonic() + WAIT_S
        while True:
            held = await self.store.reserve(key, marker)
            if held is None:
                return None
            if held.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    "this Idempotency-Key was already used with a different request body; "
                    "use a new key for a new request"
                )
            if held.status != 0:
                return held
            if time.monotonic() >= deadline:
                raise RequestInProgress(
                    "a request with this Idempotency-Key is still running; retry in a few seconds",
                    headers={"Retry-After": "2"},
                )
            await asyncio.sleep(POLL_S)

    async def _renew(self, key: str, marker: bytes) -> None:
        while True:
            await asyncio.sleep(RENEW_S)
            await self.store.renew(key, marker)


async def _replay(held: Recorded, send: Send) -> None:
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


def idempotency(
    store: IdempotencyStore, *, pause_after_commit_s: float | None = None
) -> DefineMiddleware:
    """The middleware, bound to the app's store."""
    return DefineMiddleware(
        IdempotencyMiddleware, store=store, pause_after_commit_s=pause_after_commit_s
    )
