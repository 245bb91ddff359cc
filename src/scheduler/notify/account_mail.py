"""The accounts' own mails: verify a new patient's address, reset a forgotten password.

Accounts are event-sourced beside the clinic's records (their own log, `Accounts`), so
these mails come through the same outbox as every other message, exactly once: a
second follower reads the accounts' log (`ACCOUNTS`) into the same table, on its own
channel (`email:account`), so its rows never meet the clinic log's of the same position.

The links are signed (`compose.sign_link`) and expire; what makes each single-use is the
account itself: a verification link is spent once the address is verified, a reset link
names the password version it replaces and dies when the password changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from scheduler.accounts import Account, Accounts, LinkGone
from scheduler.notify.compose import Context, check_link, mail, sign_link
from scheduler.notify.outbox import Message

ACCOUNTS = "accounts"
"""The follower of the accounts' log (its position in `notify_position`)."""
CHANNEL = "email:account"
VERIFY_FOR = timedelta(days=3)
RESET_FOR = timedelta(hours=1)
GONE = "this link has expired or is not one the clinic sent"

AccountRule = Callable[[Context, int, Any, Accounts], list[Message]]


def verification_token(secret: str, account: UUID, expires: datetime) -> str:
    """The token of a verification link for `account`."""
    return sign_link(secret, "verify", str(account), expires)


def reset_token(secret: str, account: UUID, password_version: int, expires: datetime) -> str:
    """The token of a reset link for `account` while its password is `password_version`."""
    return sign_link(secret, "reset", f"{account}:{password_version}", expires)


def verified_account(secret: str, token: str, now: datetime) -> UUID:
    """The account a valid verification token names; LinkGone otherwise."""
    try:
        return UUID(check_link(secret, "verify", token, now) or "")
    except ValueError:
        raise LinkGone(f"{GONE}: sign in and ask for a new one") from None


def reset_account(secret: str, token: str, now: datetime) -> tuple[UUID, int]:
    """(account, password version) a valid reset token names; LinkGone otherwise."""
    account, _, version = (check_link(secret, "reset", token, now) or "").partition(":")
    try:
        return UUID(account), int(version)
    except ValueError:
        raise LinkGone(f"{GONE}: ask for a new one on the sign-in page") from None


def _account_mail(
    ctx: Context, event_id: int, account: Any, *, kind: str, subject: str, values: dict[str, Any]
) -> list[Message]:
    message = mail(
        ctx,
        event_id,
        kind=kind,
        to=account.email,
        subject=subject,
        values=values,
        clinic_id=account.clinic_id or "",
        person_id=account.acts_for,
    )
    return [Message(**{**message.__dict__, "channel": CHANNEL})]


def _verification(ctx: Context, event_id: int, event: Any, accounts: Accounts) -> list[Message]:
    account: Any = accounts.repository.get(event.originator_id, version=event.originator_version)
    token = verification_token(ctx.settings.link_secret, account.id, event.at + VERIFY_FOR)
    values = {
        "link": f"{ctx.settings.base_url}/app/verify?token={token}",
        "days": VERIFY_FOR.days,
    }
    subject = "Confirm your e-mail address"
    return _account_mail(ctx, event_id, account, kind="verify", subject=subject, values=values)


def _password_reset(ctx: Context, event_id: int, event: Any, accounts: Accounts) -> list[Message]:
    account: Any = accounts.repository.get(event.originator_id, version=event.originator_version)
    expires = event.at + RESET_FOR
    token = reset_token(ctx.settings.link_secret, account.id, account.password_version, expires)
    values = {
        "link": f"{ctx.settings.base_url}/app/reset?token={token}",
        "minutes": int(RESET_FOR.total_seconds() // 60),
        "forgot": f"{ctx.settings.base_url}/app/forgot",
    }
    subject = "Set a new password"
    return _account_mail(
        ctx, event_id, account, kind="password_reset", subject=subject, values=values
    )


ACCOUNT_RULES: dict[str, AccountRule] = {
    get_topic(Account.VerificationRequested): _verification,  # type: ignore[attr-defined]
    get_topic(Account.PasswordResetRequested): _password_reset,  # type: ignore[attr-defined]
}
"""Accounts' event topic → the messages it calls for."""
