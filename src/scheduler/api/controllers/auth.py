"""Signing in and out, and who the caller is."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody

from scheduler.api.auth import (
    COOKIE,
    PUBLIC,
    bearer_or_cookie,
    issue_token,
    principal_of,
)
from scheduler.api.errors import responses
from scheduler.api.gateway import Gateway
from scheduler.api.revocation import DenyList
from scheduler.api.schemas.auth import (
    Account,
    LoginRequest,
    MailedLink,
    NewPassword,
    ResetRequest,
    Sent,
    Token,
)
from scheduler.settings import Settings
from scheduler.usecases import UseCases
from scheduler.usecases import accounts as account_actions
from scheduler.usecases.accounts import sign_in

# The token returned in a body is no secret to replay: sign-in is left out of
# Idempotency-Key handling so tokens are never stored in Redis.
LOGIN_OPT = {**PUBLIC, "idempotent": False}
RESET_SENT = (
    "if an account has this address, a link to set a new password is on its way "
    "(it works for an hour, once)"
)


class AuthController(Controller):
    """`/auth`: tokens for accounts."""

    path = "/auth"
    tags = ("auth",)

    @post(
        "/login",
        operation_id="login",
        summary="Sign in with e-mail and password",
        opt=LOGIN_OPT,
        status_code=200,
        responses=responses(400, 401, 429),
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginRequest],
        uc: NamedDependency[UseCases],
        settings: NamedDependency[Settings],
    ) -> Response[Token]:
        """A bearer token in the body and the same token as an HttpOnly, SameSite=Lax cookie.

        Rate limited per client address and per e-mail (429 with Retry-After).
        """
        client = request.client.host if request.client else "unknown"
        account = await sign_in(uc, email=data.email, password=data.password, client=client)
        now = uc.clock()
        token = issue_token(account, secret=settings.jwt_secret, now=now, ttl_s=settings.jwt_ttl_s)
        body = Token(
            access_token=token,
            token_type="bearer",  # noqa: S106 (the OAuth scheme name, not a password)
            expires_in=settings.jwt_ttl_s,
            account_id=account.id,
            role=account.role,  # type: ignore[arg-type]
        )
        cookie = Cookie(
            key=COOKIE,
            value=token,
            max_age=settings.jwt_ttl_s,
            httponly=True,
            samesite="lax",
            secure=not settings.embedded,
            path="/",
        )
        return Response(body, cookies=[cookie], headers={"Cache-Control": "no-store"})

    @post(
        "/logout",
        operation_id="logout",
        summary="Sign out: revoke the token and forget the cookie",
        opt=LOGIN_OPT,
        status_code=204,
        # Declared here rather than on a returned `Response[None]`, which the OpenAPI
        # document would describe as a JSON body that a 204 never has.
        response_cookies=[Cookie(key=COOKIE, value="", max_age=0)],
        responses=responses(503),
    )
    async def logout(
        self,
        request: Request[Any, Any, Any],
        gateway: NamedDependency[Gateway],
        settings: NamedDependency[Settings],
        deny_list: NamedDependency[DenyList],
    ) -> None:
        """Revokes the token sent (Bearer header, else the cookie): from now on it answers
        401 everywhere, in every API process, until it would have expired. Clears the
        cookie. Without a valid token there is nothing to revoke: 204 all the same.
        503 (with Retry-After) when the revocation cannot be recorded."""
        await deny_list.sign_out(bearer_or_cookie(request), settings.jwt_secret, gateway.now())

    @get("/me", operation_id="whoAmI", summary="The signed-in account", responses=responses(401))
    async def me(
        self, request: Request[Any, Any, Any], gateway: NamedDependency[Gateway]
    ) -> Account:
        """The account the token names, as stored now."""
        principal = principal_of(request)
        view = await gateway.run_accounts(gateway.accounts.get_account, principal.account_id)
        return Account.of(view)

    @post(
        "/verify-email",
        operation_id="verifyEmail",
        summary="Verify an account's e-mail address with the mailed link's token",
        opt=LOGIN_OPT,
        status_code=200,
        responses=responses(400, 410),
    )
    async def verify_email(
        self,
        data: JSONBody[MailedLink],
        uc: NamedDependency[UseCases],
        settings: NamedDependency[Settings],
    ) -> Account:
        """The account, now verified. 410 when the link is not one the clinic sent, has
        expired (3 days) or was used already; nothing changes then."""
        view = await account_actions.verify_email(uc, data.token, settings.jwt_secret)
        return Account.of(view)

    @post(
        "/password-reset",
        operation_id="requestPasswordReset",
        summary="Mail a link that sets a new password",
        opt=LOGIN_OPT,
        status_code=202,
        responses=responses(400, 429),
    )
    async def password_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ResetRequest],
        uc: NamedDependency[UseCases],
    ) -> Sent:
        """The same answer whether or not the address has an account (it is never
        revealed). Rate limited per client address and per e-mail, as sign-in is."""
        client = request.client.host if request.client else "unknown"
        await account_actions.request_password_reset(uc, email=data.email, client=client)
        return Sent(detail=RESET_SENT)

    @post(
        "/password-reset/confirm",
        operation_id="resetPassword",
        summary="Set a new password with the mailed reset link's token",
        opt=LOGIN_OPT,
        status_code=204,
        responses=responses(400, 410, 422, 503),
    )
    async def reset_password(
        self,
        data: JSONBody[NewPassword],
        uc: NamedDependency[UseCases],
        settings: NamedDependency[Settings],
    ) -> None:
        """The new password (at least 10 characters); every sign-in made before ends. 410
        when the link is not ours, has expired (1 hour) or was used (the password changed
        since it was sent); nothing changes then."""
        await account_actions.reset_password(
            uc, token=data.token, password=data.password, secret=settings.jwt_secret
        )
