"""Who is calling: signed JWTs (HS256) from the `Authorization: Bearer` header or a cookie.

A token names the account (`sub`), its role and the record it acts for, has an id of
its own (`jti`), was issued at `iat` and expires at `exp`. A token dated in the future
(beyond `CLOCK_SKEW_S`) is refused, and so is one revoked by signing out (`revocation`).
Routes are closed unless marked `opt={"public": True}`; guards then check the role.
Whether the caller may see one particular record is decided in `access`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from scheduler.accounts import AccountView
from scheduler.api.errors import Unauthenticated
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden

COOKIE = "scheduler_token"
ALGORITHM = "HS256"
ISSUER = "scheduler"
PUBLIC: dict[str, Any] = {"public": True}
"""Route `opt` of routes open without signing in."""
CLOCK_SKEW_S = 30
"""How far in the future a token's `iat` may be (replicas' clocks differ a little)."""
REVOKED = "token_revoked"
"""Scope state flag: the request's token was signed out (set by `revocation`)."""


Principal = Actor
"""The signed-in account as its token describes it: an `Actor` of the use-case layer."""


def issue_token(account: AccountView, *, secret: str, now: datetime, ttl_s: int) -> str:
    """A signed token for `account`, valid for `ttl_s` seconds from `now`."""
    claims: dict[str, Any] = {
        "sub": str(account.id),
        "role": account.role,
        "acts_for": str(account.acts_for) if account.acts_for else None,
        "clinic_id": str(account.clinic_id) if account.clinic_id else None,
        "iss": ISSUER,
        "jti": uuid.uuid4().hex,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(token: str, *, secret: str, now: datetime) -> Principal:
    """The principal a token names; Unauthenticated if it is tampered, expired, issued in
    the future or malformed (a token without an id could not be revoked: refused too).

    Times are checked against the app's clock (`now`), the same clock that issued it.
    Revocation is not checked here (it needs the store): see `revocation`.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={
                "require": ["sub", "exp", "iat", "iss", "jti"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
        if not int(claims["exp"]) > now.timestamp():
            raise jwt.ExpiredSignatureError
        if int(claims["iat"]) > now.timestamp() + CLOCK_SKEW_S:
            raise jwt.ImmatureSignatureError
        token_id = claims["jti"]
        if not isinstance(token_id, str) or not 0 < len(token_id) <= 64:
            raise jwt.InvalidTokenError
        return Principal(
            account_id=UUID(claims["sub"]),
            role=str(claims["role"]),
            acts_for=UUID(claims["acts_for"]) if claims.get("acts_for") else None,
            clinic_id=UUID(claims["clinic_id"]) if claims.get("clinic_id") else None,
            token_id=token_id,
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            issued_at=datetime.fromtimestamp(int(claims["iat"]), UTC),
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired: sign in again at POST /auth/login") from None
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        raise Unauthenticated(
            "the token is invalid: sign in at POST /auth/login and send the token it returns"
        ) from None


def bearer_or_cookie(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The token of the request: the Bearer header first, else the pages' cookie."""
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return connection.cookies.get(COOKIE) or None


class TokenAuthentication(AbstractAuthenticationMiddleware):
    """Sets `request.user` to the caller's Principal, or answers 401."""

    def __init__(self, app: Any, secret: str, clock: Callable[[], datetime]) -> None:
        super().__init__(app, exclude_from_auth_key="public", exclude=["^/schema"])
        self.secret = secret
        self.clock = clock

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Read and verify the token."""
        token = bearer_or_cookie(connection)
        if token is None and connection.scope.get("state", {}).get(REVOKED):
            raise Unauthenticated(
                "this token was revoked when its account signed out: sign in again at "
                "POST /auth/login"
            )
        if token is None:
            raise Unauthenticated(
                "sign in first: POST /auth/login, then send 'Authorization: Bearer <token>'"
            )
        principal = read_token(token, secret=self.secret, now=self.clock())
        if _cookie_write_without_json(connection):
            raise Forbidden(
                "a browser's sign-in cookie cannot send this request: JSON API writes need "
                "'Content-Type: application/json' or the 'Authorization: Bearer' header"
            )
        return AuthenticationResult(user=principal, auth=token)


def _cookie_write_without_json(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """True for a write authenticated by the cookie alone whose body is not JSON.

    Another site can make a browser POST a form or plain text with our cookie attached
    (CSRF) but not JSON: that needs a CORS preflight, which this API never grants. The
    pages' own forms are not API routes and carry their CSRF token instead.
    """
    if connection.scope.get("method") not in {"POST", "PUT", "PATCH", "DELETE"}:
        return False
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return False
    media_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    return media_type != "application/json"


def authentication(secret: str, clock: Callable[[], datetime]) -> DefineMiddleware:
    """The authentication middleware, keyed with the app's secret and clock."""
    return DefineMiddleware(TokenAuthentication, secret=secret, clock=clock)


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The signed-in caller of a non-public route."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise Unauthenticated("sign in first: POST /auth/login")
    return user


def allow(*roles: str) -> Any:
    """A guard that lets only accounts with one of `roles` through (else 403)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            # The framework's answer naming the path's methods (`Allow`), nothing else;
            # authentication skips OPTIONS too, so there is no caller to judge.
            return
        principal = principal_of(connection)
        if principal.role not in roles:
            raise Forbidden(
                f"this route is for {' or '.join(roles)} accounts; "
                f"a {principal.role} account cannot use it"
            )

    guard.__name__ = f"allow_{'_'.join(roles)}"
    return guard
