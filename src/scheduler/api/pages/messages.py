"""Messages on the pages: what a patient or therapist was sent, the dispatchers' dead
letters, and the two links mailed to patients (stop reminders; take an offer).

The mailed links carry their own signed token, so they work without signing in and
need no CSRF token: a POST to them is what a mail client's one-click unsubscribe sends
(RFC 8058). Opening one in a browser (GET) only shows a button, so a mail scanner that
follows links changes nothing.
"""

from __future__ import annotations

from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.web import HOME_OF_ROLE, PageContext
from scheduler.domain.errors import LinkExpired, SchedulingError
from scheduler.usecases import Actor
from scheduler.usecases import notifications as actions


class MessagePages(Controller):
    """`/app/messages`, `/app/dead-letters`, `/app/unsubscribe`, `/app/offers/accept`."""

    path = "/app"
    include_in_schema = False
    opt = PUBLIC

    @get("/messages", name="pages:messages")
    async def messages(self, page: NamedDependency[PageContext]) -> Template:
        """The signed-in patient's or therapist's messages, newest first."""
        who = page.signed_in("patient", "therapist")
        mailbox = await actions.my_messages(page.uc, who)
        chosen = await actions.my_preferences(page.uc, who)
        return page.render(
            "messages.html",
            messages=mailbox.messages,
            preferences=chosen,
            zone=ZoneInfo(mailbox.timezone),
            back=HOME_OF_ROLE[who.role],
        )

    @get("/dead-letters", name="pages:dead-letters")
    async def dead_letters(self, page: NamedDependency[PageContext]) -> Template:
        """The clinic's messages given up after their last retry."""
        who = page.signed_in("dispatcher")
        assert who.clinic_id is not None, "a dispatcher belongs to a clinic"
        letters = await actions.dead_letters(page.uc, who, who.clinic_id)
        return page.render(
            "dead_letters.html", letters=letters, attempts=page.settings.notify_attempts
        )

    @get("/unsubscribe", name="pages:unsubscribe")
    async def unsubscribe_form(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """A button that stops reminders (opening the link alone changes nothing)."""
        valid = await actions.link_is_valid(page.uc, "unsubscribe", token, page.settings.jwt_secret)
        return ask(
            page,
            valid,
            token,
            heading="Stop reminders?",
            text="You will still hear about bookings, moves and cancellations.",
            button="Stop reminders",
        )

    @post("/unsubscribe", status_code=200, name="pages:unsubscribe-now")
    async def unsubscribe(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """Stop reminders (the button, or a mail client's one-click POST)."""
        try:
            await actions.stop_reminders(
                page.uc, Actor.anonymous(), token, page.settings.jwt_secret
            )
        except LinkExpired:
            return expired_page(page)
        return link_page(page, heading="Reminders stopped", text="You will get no more reminders.")

    @get("/offers/accept", name="pages:offer-link")
    async def offer_form(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """A button that takes the offered time."""
        valid = await actions.link_is_valid(page.uc, "offer", token, page.settings.jwt_secret)
        return ask(
            page,
            valid,
            token,
            heading="Take this time?",
            text="The time in the e-mail is booked for you at once, under the clinic's rules.",
            button="Book it",
        )

    @post("/offers/accept", status_code=200, name="pages:offer-link-take")
    async def offer_take(
        self, page: NamedDependency[PageContext], token: FromQuery[str] = ""
    ) -> Template:
        """Book the offered time (as the ordinary booking does)."""
        try:
            session = await actions.accept_by_link(
                page.uc, Actor.anonymous(), token, page.settings.jwt_secret
            )
        except LinkExpired:
            return expired_page(page)
        except SchedulingError as error:
            return link_page(page, heading="Not booked", text=str(error), status=409)
        when = session.start_local.strftime("%A %-d %B, %H:%M")
        return link_page(page, heading="Booked", text=f"Your session is booked: {when}.")


def ask(
    page: PageContext,
    valid: bool,
    token: str,
    *,
    heading: str,
    text: str,
    button: str,
) -> Template:
    """A mailed link's page: its button posts back to the same URL, shown only for a
    link the clinic sent and still `valid` (opening it changes nothing)."""
    if not valid:
        return expired_page(page)
    action = f"{page.request.url.path}?token={quote(token)}"
    return link_page(page, heading=heading, text=text, button=button, action=action)


def expired_page(page: PageContext, text: str = actions.EXPIRED) -> Template:
    """The page of a link that is not ours, or no longer valid: no button (410)."""
    return link_page(page, heading="Link expired", text=text, status=410)


def link_page(
    page: PageContext,
    *,
    heading: str,
    text: str,
    button: str = "",
    action: str = "",
    status: int = 200,
) -> Template:
    return page.render(
        "mailed_link.html",
        status=status,
        heading=heading,
        text=text,
        button=button,
        action=action,
        error="",
        signed_in=False,
    )
