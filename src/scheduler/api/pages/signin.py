"""The sign-in page, signing out, and `/app`: each role's home page."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from scheduler.accounts import AccountView, InvalidCredentials
from scheduler.api.auth import COOKIE, PUBLIC, issue_token
from scheduler.api.errors import TooManyRequests
from scheduler.api.pages.web import HOME_OF_ROLE, PageContext, go
from scheduler.api.revocation import DenyList
from scheduler.settings import Settings
from scheduler.usecases import UseCases
from scheduler.usecases.accounts import sign_in


def safe_next(raw: str) -> str:
    """Where to go after signing in: only a page of this app (never another site)."""
    if raw.startswith("/app/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return ""


def login_errors(email: str, password: str) -> dict[str, str]:
    """Field errors of the sign-in form, before any account is looked up."""
    errors = {}
    if not email:
        errors["email"] = "Enter your e-mail address."
    elif "@" not in email or email.startswith("@") or email.endswith("@"):
        errors["email"] = "Enter an e-mail address like name@example.com."
    if not password:
        errors["password"] = "Enter your password."  # noqa: S105 (a field name)
    return errors


def signed_in_redirect(
    account: AccountView, settings: Settings, uc: UseCases, target: str = ""
) -> Redirect:
    """Go to `target` (else the role's home page) signed in as `account` (the cookie)."""
    token = issue_token(
        account, secret=settings.jwt_secret, now=uc.clock(), ttl_s=settings.jwt_ttl_s
    )
    redirect = go(target or HOME_OF_ROLE.get(account.role, "/app/login"))
    redirect.cookies.append(
        Cookie(
            key=COOKIE,
            value=token,
            max_age=settings.jwt_ttl_s,
            httponly=True,
            samesite="lax",
            secure=not settings.embedded,
            path="/",
        )
    )
    return redirect


class SignInPages(Controller):
    """`/app/login`, `/app/logout` and `/app`."""

    path = "/app"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:home")
    async def home(self, page: NamedDependency[PageContext]) -> Redirect:
        """Each role's home page (the sign-in page for anyone else)."""
        who = page.signed_in()
        return go(HOME_OF_ROLE.get(who.role, "/app/login"))

    @get("/login", name="pages:login")
    async def login_form(
        self, page: NamedDependency[PageContext], next: FromQuery[str] = ""
    ) -> Template:
        """The sign-in form."""
        return page.render("login.html", email="", errors={}, next=safe_next(next))

    @post("/login", status_code=303)
    async def login(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Check the form, sign in, set the cookie and go to the role's home page."""
        form = await page.form()
        email, password = form.get("email", ""), form.get("password", "")
        target = safe_next(form.get("next", ""))
        errors = login_errors(email, password)
        if not errors:
            client = page.request.client.host if page.request.client else "unknown"
            try:
                account = await sign_in(page.uc, email=email, password=password, client=client)
            except InvalidCredentials:
                errors["form"] = "That e-mail address and password do not match an account."
            except TooManyRequests:
                errors["form"] = "Too many attempts: wait a minute, then try again."
        if errors:
            return page.render("login.html", status=400, email=email, errors=errors, next=target)
        return signed_in_redirect(account, page.settings, page.uc, target)

    @post("/logout", status_code=303)
    async def logout(
        self, page: NamedDependency[PageContext], deny_list: NamedDependency[DenyList]
    ) -> Redirect:
        """Revoke the sign-in (everywhere, as the API's sign-out does) and forget the cookie."""
        await page.form()
        await deny_list.sign_out(
            page.request.cookies.get(COOKIE), page.settings.jwt_secret, page.uc.clock()
        )
        redirect = go("/app/login")
        redirect.cookies.append(Cookie(key=COOKIE, value="", max_age=0, path="/"))
        return redirect
