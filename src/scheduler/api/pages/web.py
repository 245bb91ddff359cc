"""What every page shares: who is signed in, CSRF tokens, rendering and security headers.

Every page handler takes one dependency, `page: NamedDependency[PageContext]` (provided
on the pages' router): the request, settings and use cases, with `page.signed_in(roles)`,
`page.form()` (the CSRF-checked fields) and `page.render(template, ...)`.

Pages are signed in with the same JWT cookie as the API (`auth.COOKIE`), but they are
routes of their own: an anonymous visitor is sent to the sign-in page instead of getting
a JSON 401, and a wrong role sees an HTML page that says so.

Forms are protected against cross-site requests with a double-submit token: a random
`scheduler_csrf` cookie (SameSite=Strict, HttpOnly) whose value every form repeats in a
hidden field; a POST whose field does not match the cookie changes nothing (403). The
session cookie itself is SameSite=Lax, so this is the second of two locks.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from scheduler.api.auth import COOKIE, read_token
from scheduler.api.errors import ApiError, Unauthenticated
from scheduler.settings import Settings
from scheduler.usecases import Actor, UseCases

CSRF_COOKIE = "scheduler_csrf"
CSRF_FIELD = "csrf_token"
HOME_OF_ROLE = {
    "patient": "/app/patient",
    "dispatcher": "/app/board",
    "therapist": "/app/week",
    "admin": "/app/admin",
}

# Scripts and styles only from this app: no inline code, no CDN; nothing may frame a page.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "object-src 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SignInFirst(ApiError):
    """Raised when a page needs a signed-in account and the cookie is missing or expired."""

    status, code = 401, "sign_in_first"


class WrongRole(ApiError):
    """Raised when a page belongs to another role than the signed-in account's."""

    status, code = 403, "wrong_role"


class FormExpired(ApiError):
    """Raised when a form's CSRF token does not match the browser's cookie."""

    status, code = 403, "form_expired"


def render(
    request: Request[Any, Any, Any], name: str, *, status: int = 200, **context: Any
) -> Template:
    """The template `name` with the CSRF token (its cookie is set on first sight)."""
    token = request.cookies.get(CSRF_COOKIE) or ""
    cookies = []
    if len(token) < 32:
        token = secrets.token_urlsafe(32)
        cookies.append(
            Cookie(key=CSRF_COOKIE, value=token, httponly=True, samesite="strict", path="/app")
        )
    return Template(
        template_name=name,
        context={"csrf_token": token, "path": request.url.path, **context},
        status_code=status,
        cookies=cookies,
    )


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a page handler works with: the request, the settings and the use cases
    (the `page` dependency of every page), and the page helpers bound to them."""

    request: Request[Any, Any, Any]
    settings: Settings
    uc: UseCases

    def signed_in(self, *roles: str) -> Actor:
        """The signed-in account of the page request: SignInFirst (to the sign-in page)
        if there is none, WrongRole (403) unless it has one of `roles` (any, if none
        named)."""
        token = self.request.cookies.get(COOKIE)
        if not token:
            raise SignInFirst("sign in to see this page")
        try:
            who = read_token(token, secret=self.settings.jwt_secret, now=self.uc.clock())
        except Unauthenticated:
            raise SignInFirst("your sign-in has expired: sign in again") from None
        if roles and who.role not in roles:
            raise WrongRole(f"this page is for {' or '.join(roles)} accounts")
        return who

    def render(self, name: str, *, status: int = 200, **context: Any) -> Template:
        """The template `name` with the CSRF token (see `render`)."""
        return render(self.request, name, status=status, **context)

    async def form(self) -> dict[str, str]:
        """The POSTed form's fields, after the CSRF check (FormExpired if it fails)."""
        form = await self.request.form()
        sent = str(form.get(CSRF_FIELD, ""))
        kept = self.request.cookies.get(CSRF_COOKIE, "")
        if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
            raise FormExpired("this form has expired: reload the page and send it again")
        return {key: str(value).strip() for key, value in form.items() if key != CSRF_FIELD}


def page_context(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    uc: NamedDependency[UseCases],
) -> PageContext:
    """The `page` dependency: provided once, on the pages' router."""
    return PageContext(request, settings, uc)


def go(path: str, **query: object) -> Redirect:
    """A 303 redirect (the browser follows it with GET) to `path` with `query`."""
    pairs = "&".join(f"{key}={quote(str(value))}" for key, value in query.items() if value)
    return Redirect(f"{path}?{pairs}" if pairs else path, status_code=303)


def security_headers(response: Response[Any]) -> Response[Any]:
    """`after_request` hook: the pages' security headers."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def page_headers(response: Response[Any]) -> Response[Any]:
    """`after_request` hook of pages: security headers, and no copy kept by any cache
    (pages hold patients' names and needs)."""
    response.headers.setdefault("Cache-Control", "no-store")
    return security_headers(response)


def parse_date(raw: str, field: str, errors: dict[str, str]) -> date | None:
    """A date from an `<input type=date>`; notes a field error and returns None if bad."""
    if not raw:
        errors[field] = "Enter a date."
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = "Enter a date like 2026-11-30."
        return None


def parse_time(raw: str, field: str, errors: dict[str, str]) -> time | None:
    """A time of day from an `<input type=time>`; notes a field error if bad."""
    if not raw:
        errors[field] = "Enter a time."
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        errors[field] = "Enter a time like 10:30."
        return None


def local_instant(raw: str, zone: ZoneInfo) -> datetime | None:
    """An `<input type=datetime-local>` value read as the clinic's wall clock, or None."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
