"""The accounts' mailed links: confirm an e-mail address, and the forgotten password
(ask for a link on `/app/forgot`, set the new password on `/app/reset`).

As the clinic's other mailed links, opening one (GET) changes nothing: confirming is a
button, and the reset link shows the new-password form. A link that is not ours, has
expired or was used answers 410 with no form.
"""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from scheduler.accounts import MIN_PASSWORD_LENGTH, InvalidAccount, LinkGone
from scheduler.api.auth import COOKIE, PUBLIC
from scheduler.api.errors import TooManyRequests
from scheduler.api.pages.messages import ask, expired_page, link_page
from scheduler.api.pages.signin import login_errors
from scheduler.api.pages.web import PageContext
from scheduler.api.revocation import RevocationUnavailable
from scheduler.usecases import accounts as actions

RESET_GONE = (
    "This link has expired, was used already, or is not one the clinic sent. "
    "Ask for a new one: it works for an hour."
)
VERIFY_GONE = (
    "This link has expired, was used already, or is not one the clinic sent. "
    "Signed in, your page has a button that mails a new one."
)


def password_errors(password: str, repeat: str) -> dict[str, str]:
    """Field errors of a new password (the same rule as signing up)."""
    errors = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password != repeat:
        errors["repeat"] = "Type the same password twice."
    return errors


class AccountLinkPages(Controller):
    """`/app/verify`, `/app/forgot`, `/app/reset`."""

    path = "/app"
    include_in_schema = False
    opt = PUBLIC

    @get("/verify", name="pages:verify")
    async def verify_form(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """A button that confirms the address (opening the link alone changes nothing)."""
        valid = await actions.verification_link_is_valid(page.uc, token, page.settings.jwt_secret)
        if not valid:
            return expired_page(page, VERIFY_GONE)
        return ask(
            page,
            valid,
            token,
            heading="Confirm your e-mail address?",
            text="The clinic then knows its mail reaches you.",
            button="Confirm my e-mail address",
        )

    @post("/verify", status_code=200, name="pages:verify-now")
    async def verify(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """Confirm the address (the link's token is the proof: no sign-in needed)."""
        try:
            await actions.verify_email(page.uc, token, page.settings.jwt_secret)
        except LinkGone:
            return expired_page(page, VERIFY_GONE)
        return link_page(
            page,
            heading="E-mail address confirmed",
            text="Thank you: your address is verified.",
        )

    @get("/forgot", name="pages:forgot")
    async def forgot_form(self, page: NamedDependency[PageContext]) -> Template:
        """Ask for a link that sets a new password."""
        return page.render("forgot.html", email="", errors={}, sent=False, signed_in=False)

    @post("/forgot", status_code=200)
    async def forgot(self, page: NamedDependency[PageContext]) -> Template:
        """Mail the link if the address has an account; the page says the same either way."""
        form = await page.form()
        email = form.get("email", "")
        errors = {k: v for k, v in login_errors(email, "-").items() if k == "email"}
        if not errors:
            client = page.request.client.host if page.request.client else "unknown"
            try:
                await actions.request_password_reset(page.uc, email=email, client=client)
            except TooManyRequests:
                errors["form"] = "Too many requests: wait a minute, then try again."
        status = 429 if "form" in errors else 400 if errors else 200
        return page.render(
            "forgot.html",
            status=status,
            email=email,
            errors=errors,
            sent=not errors,
            signed_in=False,
        )

    @get("/reset", name="pages:reset")
    async def reset_form(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """The new-password form, for a valid link only."""
        if not await actions.reset_link_is_valid(page.uc, token, page.settings.jwt_secret):
            return expired_page(page, RESET_GONE)
        return _reset_page(page, token, {})

    @post("/reset", status_code=200)
    async def reset(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """Set the new password; every sign-in made before it ends (this browser's too)."""
        form = await page.form()
        errors = password_errors(form.get("password", ""), form.get("repeat", ""))
        if not errors:
            try:
                await actions.reset_password(
                    page.uc, token=token, password=form["password"], secret=page.settings.jwt_secret
                )
            except LinkGone:
                return expired_page(page, RESET_GONE)
            except InvalidAccount as problem:
                errors["password"] = f"{problem}."
            except RevocationUnavailable as problem:
                errors["form"] = f"{problem.detail}."
        if errors:
            return _reset_page(page, token, errors, status=503 if "form" in errors else 400)
        done = link_page(
            page,
            heading="Password changed",
            text="Sign in with your new password. Every earlier sign-in has ended.",
        )
        done.cookies.append(Cookie(key=COOKIE, value="", max_age=0, path="/"))
        return done


def _reset_page(
    page: PageContext, token: str, errors: dict[str, str], status: int = 200
) -> Template:
    return page.render(
        "reset.html",
        status=status,
        token=token,
        errors=errors,
        min_password=MIN_PASSWORD_LENGTH,
        signed_in=False,
    )
