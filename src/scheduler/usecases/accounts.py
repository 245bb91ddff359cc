"""Accounts: signing in (the JSON API and the sign-in page alike) and opening one."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from scheduler.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountView,
    InvalidAccount,
    LinkGone,
    UnknownAccount,
)
from scheduler.domain import Scheduling
from scheduler.domain.errors import NotFound
from scheduler.notify.account_mail import reset_account, verified_account
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden
from scheduler.usecases.runner import UseCases

LOGIN = "login"
"""The rate limit of sign-in attempts, counted per client address and per e-mail."""
RESET = "reset"
"""The rate limit of password reset requests, as sign-in's."""
VERIFICATION = "verification"
"""The rate limit of an account's requests for a new verification link, as sign-in's."""


async def sign_in(uc: UseCases, *, email: str, password: str, client: str) -> AccountView:
    """The account these credentials open; InvalidCredentials if they do not.

    Attempts are counted per client address and per e-mail (both anonymized) before the
    password is checked, so guessing is slowed whichever of the two it varies.
    """
    if uc.limits is not None:
        for key in (f"ip-{client}", f"email-{email.strip().lower()}"):
            await uc.limits.hit_key(LOGIN, key)
    accounts = uc.accounts
    return await uc.accounts_store.run(
        accounts.authenticate, email=email, password=password, now=uc.clock()
    )


async def open_account(
    uc: UseCases,
    who: Actor,
    *,
    email: str,
    password: str,
    role: str,
    patient_id: UUID | None = None,
    therapist_id: UUID | None = None,
    clinic_id: UUID | None = None,
) -> AccountView:
    """Open a sign-in for a record: patients and therapists name theirs (its clinic is
    taken from it), dispatchers name their clinic, admins nothing. Admins open any;
    a clinic's dispatchers open its patients' and therapists' accounts."""
    access.check_role(who, "admin", "dispatcher")
    if who.role == "dispatcher" and role not in ("patient", "therapist"):
        raise Forbidden("a dispatcher opens accounts for the clinic's patients and therapists")

    def scope(app: Scheduling, _: datetime) -> tuple[UUID | None, UUID | None]:
        try:
            if role == "patient" and patient_id:
                patient = access.patient_for(app, who, patient_id)
                return patient.id, patient.clinic_id
            if role == "therapist" and therapist_id:
                therapist = access.therapist_for(app, who, therapist_id)
                return therapist.id, therapist.clinic_id
            if role == "dispatcher" and clinic_id:
                return None, access.clinic_for(app, who, clinic_id).id
        except NotFound as error:
            raise InvalidAccount(f"{error}; name an existing record") from None
        if role == "admin":
            return None, None
        needs = {"patient": "patient_id", "therapist": "therapist_id", "dispatcher": "clinic_id"}
        raise InvalidAccount(f"a {role} account needs `{needs.get(role, 'a record')}`")

    # A write of the accounts, answered with the clinic log's position it was made at.
    acts_for, scoped_clinic = await uc.write(scope)
    return await uc.accounts_store.run(
        uc.accounts.open_account,
        email=email,
        password=password,
        role=role,
        acts_for=acts_for,
        clinic_id=scoped_clinic,
        actor=who.actor,
        now=uc.clock(),
    )


async def clinic_accounts(uc: UseCases, who: Actor, clinic_id: UUID) -> list[AccountView]:
    """The accounts scoped to the clinic (its dispatchers and admins see them)."""
    await uc.read(lambda app, _: access.clinic_for(app, who, clinic_id))
    return await uc.accounts_store.run(uc.accounts.list_accounts, clinic_id)


async def change_password(uc: UseCases, who: Actor, *, current: str, password: str) -> None:
    """The signed-in account's new password (the current one must be given)."""
    await uc.accounts_store.run(
        uc.accounts.change_own_password,
        account=who.account_id,
        current=current,
        password=password,
        now=uc.clock(),
    )


async def my_account(uc: UseCases, who: Actor) -> AccountView:
    """The signed-in account as stored now (whether its address is verified)."""
    return await uc.accounts_store.run(uc.accounts.get_account, who.account_id)


async def resend_verification(uc: UseCases, who: Actor) -> bool:
    """Mail the signed-in account's verification link again; False if it is verified."""
    if uc.limits is not None:
        await uc.limits.hit(VERIFICATION, who)
    return await uc.accounts_store.run(uc.accounts.resend_verification, who.account_id, uc.clock())


async def verification_link_is_valid(uc: UseCases, token: str, secret: str) -> bool:
    """Whether a verification link is ours, unexpired and unused (its page offers the
    button only then)."""
    try:
        account = verified_account(secret, token, uc.clock())
        view = await uc.accounts_store.run(uc.accounts.get_account, account)
    except (LinkGone, UnknownAccount):
        return False
    return not view.verified


async def verify_email(uc: UseCases, token: str, secret: str) -> AccountView:
    """Follow a mailed verification link: the address is verified, once (LinkGone if
    the link is not ours, expired, or was used)."""
    account = verified_account(secret, token, uc.clock())
    try:
        return await uc.accounts_store.run(uc.accounts.verify_email, account, uc.clock())
    except UnknownAccount:
        raise LinkGone("this link names no account") from None


async def request_password_reset(uc: UseCases, *, email: str, client: str) -> None:
    """Mail a reset link to the account of `email`, if there is one: the caller is never
    told which (the same answer, no error, either way). Counted per client address and
    per e-mail, as sign-in is."""
    if uc.limits is not None:
        for key in (f"ip-{client}", f"email-{email.strip().lower()}"):
            await uc.limits.hit_key(RESET, key)
    await uc.accounts_store.run(uc.accounts.request_password_reset, email, uc.clock())


async def reset_link_is_valid(uc: UseCases, token: str, secret: str) -> bool:
    """Whether a reset link is ours, unexpired and its password not yet changed."""
    try:
        account, version = reset_account(secret, token, uc.clock())
        current = await uc.accounts_store.run(uc.accounts.password_version, account)
    except (LinkGone, UnknownAccount):
        return False
    return current == version


async def reset_password(uc: UseCases, *, token: str, password: str, secret: str) -> AccountView:
    """Set a new password from a mailed reset link, once, and end every sign-in of the
    account made before (LinkGone: the link is not ours, expired, or spent)."""
    now = uc.clock()
    account, version = reset_account(secret, token, now)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccount(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if not await reset_link_is_valid(uc, token, secret):
        raise LinkGone("this link was used already, or the password changed since it was sent")
    if uc.sign_outs is not None:  # before the change: refused, nothing has changed
        await uc.sign_outs.sign_out_everywhere(account, now)
    return await uc.accounts_store.run(
        uc.accounts.reset_password,
        account=account,
        password_version=version,
        password=password,
        now=now,
    )
