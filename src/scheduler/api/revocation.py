"""Signing out revokes the token: a deny-list of token ids, each until its token expires.

`POST /auth/logout` puts the id (`jti`) of the token it was sent with on the list. The
list lives in Redis when `REDIS_URL` is set (one key per token, expiring with it), else
beside the accounts in the event store (`Accounts.revoke_token`); either way every API
process sees it. `SignedOutTokens`, an ASGI layer before authentication, takes a
revoked token out of the request (the `Authorization` header or the pages' cookie), so
an API route answers 401 and a page asks to sign in again.

While Redis is configured but unreachable, signing out answers 503 (the token could not
be revoked: try again) and tokens are checked against nothing: refusing every token
then would sign everyone out whenever Redis blinks (bookings keep working without
Redis, by design). The outage is logged by the Redis gate.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import math
from datetime import datetime
from uuid import UUID

from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send
from redis.asyncio import Redis

from scheduler.api.auth import COOKIE, REVOKED, Principal, read_token
from scheduler.api.errors import ApiError, Unauthenticated
from scheduler.api.gateway import Clock, Gateway
from scheduler.api.redis_gate import RedisGate

UNCHECKED = ("/static/",)
"""Paths whose requests carry the cookie but need no sign-in: not worth a look-up."""


class RevocationUnavailable(ApiError):
    """Raised when signing out cannot record the revocation (Redis is down): retry."""

    status, code = 503, "revocation_unavailable"


class DenyList:
    """Revoked token ids: in Redis when configured, else in the accounts' store."""

    def __init__(self, redis: RedisGate, gateway: Gateway) -> None:
        self.redis = redis
        self.gateway = gateway

    async def revoke(self, principal: Principal, now: datetime) -> None:
        """Refuse the principal's token from now until it expires."""
        until = principal.expires_at
        if until is None or until <= now or not principal.token_id:
            return  # expired already: nothing left to refuse
        if self.redis.configured:
            ttl = max(1, math.ceil((until - now).total_seconds()))
            key = self.redis.key("revoked", principal.token_id)

            async def put(client: Redis) -> bool:
                return bool(await client.set(key, b"1", ex=ttl))

            if not await self.redis.call(put):
                raise RevocationUnavailable(
                    "signing out could not be recorded right now; the token still works: "
                    "try again in a few seconds",
                    headers={"Retry-After": "5"},
                )
            return
        accounts = self.gateway.accounts
        await self.gateway.run(
            accounts.revoke_token,
            token_id=principal.token_id,
            until=until,
            actor=principal.actor,
            now=now,
        )

    async def sign_out_everywhere(self, account: UUID, now: datetime) -> None:
        """Refuse every token of `account` issued before `now` (a password reset). The
        account records it too (`SignedOutEverywhere`); with Redis the check reads this
        key instead, so it is written first: 503 while Redis cannot record it."""
        if not self.redis.configured:
            return
        key = self.redis.key("signed-out", str(account))
        ttl = self.gateway.settings.jwt_ttl_s

        async def put(client: Redis) -> bool:
            return bool(await client.set(key, str(int(now.timestamp())).encode(), ex=ttl))

        if not await self.redis.call(put):
            raise RevocationUnavailable(
                "the sign-ins could not be ended right now; nothing changed: "
                "try again in a few seconds",
                headers={"Retry-After": "5"},
            )

    async def sign_out(self, token: str | None, secret: str, now: datetime) -> None:
        """Revoke `token` (the JSON API's and the pages' sign-out alike); a missing or
        invalid token has nothing to revoke."""
        if token is None:
            return
        try:
            principal = read_token(token, secret=secret, now=now)
        except Unauthenticated:
            return
        await self.revoke(principal, now)

    async def revoked(self, principal: Principal, now: datetime) -> bool:
        """True when the principal's token was revoked (False while Redis is down)."""
        issued = principal.issued_at or now
        if self.redis.configured:
            keys = (
                self.redis.key("revoked", principal.token_id),
                self.redis.key("signed-out", str(principal.account_id)),
            )

            async def read(client: Redis) -> list[bytes | None]:
                return list(await client.mget(keys))

            found = await self.redis.call(read)
            if not found:
                return False
            token, cutoff = found
            return token is not None or (cutoff is not None and issued.timestamp() < float(cutoff))
        accounts = self.gateway.accounts
        return await self.gateway.run(
            accounts.token_refused, principal.token_id, principal.account_id, issued, now
        )


class SignedOutTokens:
    """Takes revoked tokens out of requests (see the module docstring)."""

    def __init__(self, app: ASGIApp, deny_list: DenyList, secret: str, clock: Clock) -> None:
        self.app = app
        self.deny_list = deny_list
        self.secret = secret
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the bearer token and the cookie; drop whichever is revoked."""
        if scope["type"] == ScopeType.HTTP and not scope["path"].startswith(UNCHECKED):
            await self._drop_revoked(scope)
        await self.app(scope, receive, send)

    async def _drop_revoked(self, scope: Scope) -> None:
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        kept = []
        dropped = False
        for name, value in headers:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and await self._is_revoked(token.strip()):
                    dropped = True
                    continue
            elif name == b"cookie":
                pairs = [p.strip() for p in value.decode("latin-1").split(";") if p.strip()]
                mine = [p for p in pairs if p.partition("=")[0].strip() == COOKIE]
                if mine and await self._is_revoked(mine[-1].partition("=")[2].strip()):
                    dropped = True
                    others = [p for p in pairs if p not in mine]
                    if others:
                        kept.append((name, "; ".join(others).encode("latin-1")))
                    continue
            kept.append((name, value))
        if dropped:
            scope["headers"] = kept
            scope.setdefault("state", {})[REVOKED] = True

    async def _is_revoked(self, token: str) -> bool:
        if not token:
            return False
        now = self.clock()
        try:
            principal = read_token(token, secret=self.secret, now=now)
        except Unauthenticated:
            return False  # authentication refuses it anyway, and says why
        return await self.deny_list.revoked(principal, now)


def revocation(deny_list: DenyList, secret: str, clock: Clock) -> DefineMiddleware:
    """The middleware, keyed with the app's deny-list, secret and clock (list it before
    authentication)."""
    return DefineMiddleware(SignedOutTokens, deny_list=deny_list, secret=secret, clock=clock)
