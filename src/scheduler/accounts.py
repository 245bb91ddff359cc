"""Who may sign in, with which role, acting for which patient, therapist or clinic.

Accounts live in the same event store as the clinic's records (their own `Accounts`
application, so its own tables), which makes them durable on SQLite and PostgreSQL alike.
An account's id is derived from its lower-cased e-mail address, so two sign-ups of one
address race for the same aggregate and exactly one wins. Passwords are stored only as
argon2 hashes (pwdlib); a hash made with older parameters is replaced at the next sign-in.

Signing out revokes the token used (`RevokedToken`, keyed by the token's id, until the
token would have expired) when the deployment has no Redis to keep the deny-list in:
stored beside the accounts, it is seen by every process on the same store.
"""

# Error names follow the clinic's words (STYLE.md: `SlotTaken(BookingError)`), no suffix.

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, RecordConflictError
from pwdlib import PasswordHash

Role = Literal["patient", "therapist", "dispatcher", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
MIN_PASSWORD_LENGTH = 10

# Fixed namespaces: changing one would orphan every stored account (or revocation).
_ACCOUNT_NAMESPACE = UUID("0b8f5a8e-3c1d-4e57-9f0a-6d2b7c4e1a93")
_TOKEN_NAMESPACE = UUID("7d3e9b21-54a6-4c0f-8e1d-2b9f6a0c3e74")
_hasher = PasswordHash.recommended()
# Verified when the e-mail is unknown, so a wrong address costs as long as a wrong password
# and response times do not reveal which addresses have accounts.
_DECOY_HASH = _hasher.hash("decoy password, never valid")


class AccountError(Exception):
    """Raised when an account command cannot be applied; base of the account errors."""


class AccountExists(AccountError):
    """Raised when an account is opened for an e-mail address that already has one."""


class InvalidAccount(AccountError):
    """Raised when an account's e-mail, password, role or scope is malformed."""


class InvalidCredentials(AccountError):
    """Raised when the e-mail is unknown or the password does not match."""


class UnknownAccount(AccountError):
    """Raised when no account has the given id."""


class LinkGone(AccountError):
    """Raised when a mailed account link (verify the e-mail, reset the password) is not
    one the clinic sent, has expired, or was used already (the address is verified, the
    password changed since)."""


def account_id(email: str) -> UUID:
    """The id of the account of `email` (case-insensitive)."""
    return uuid5(_ACCOUNT_NAMESPACE, email.strip().lower())


class Account(Aggregate):
    """A sign-in: e-mail, password hash, role and the record it acts for."""

    @staticmethod
    def create_id(email: str) -> UUID:
        """Derived from the e-mail so every opening of one address names one aggregate."""
        return account_id(email)

    @event("Opened")
    def __init__(
        self,
        *,
        email: str,
        password_hash: str,
        role: str,
        acts_for: UUID | None,
        clinic_id: UUID | None,
        actor: str,
        at: datetime,
    ) -> None:
        self.email = email
        self.password_hash = password_hash
        self.role = role
        self.acts_for = acts_for
        self.clinic_id = clinic_id
        # Accounts opened before e-mail verification existed count as verified.
        self.verification_pending = False
        self.password_version = 0
        self.signed_out_before: datetime | None = None

    @property
    def verified(self) -> bool:
        """False from a verification mail's request until its link is followed."""
        return not self.verification_pending

    @event("VerificationRequested")
    def request_verification(self, *, at: datetime) -> None:
        """Mail a link that proves the address is the account holder's (the outbox
        follows this event)."""
        self.verification_pending = True

    @event("EmailVerified")
    def verify_email(self, *, at: datetime) -> None:
        """The holder followed the link: the address is theirs."""
        self.verification_pending = False

    @event("PasswordResetRequested")
    def request_password_reset(self, *, at: datetime) -> None:
        """Mail a link that sets a new password (the outbox follows this event)."""

    @event("SignedOutEverywhere")
    def sign_out_everywhere(self, *, at: datetime) -> None:
        """Every sign-in token issued before `at` is refused (a password reset)."""
        self.signed_out_before = at

    @event("PasswordRehashed")
    def rehash(self, *, password_hash: str, at: datetime) -> None:
        """Replace the hash by one made with the current parameters (same password)."""
        self.password_hash = password_hash

    @event("PasswordChanged")
    def change_password(self, *, password_hash: str, actor: str, at: datetime) -> None:
        """A new password: set by its owner, or reset by an admin (`actor` says who).
        Reset links mailed before it die with the old password (`password_version`)."""
        self.password_hash = password_hash
        self.password_version += 1


class RevokedToken(Aggregate):
    """A signed-in token withdrawn before it expired: its account signed out."""

    @staticmethod
    def create_id(token_id: str) -> UUID:
        """Derived from the token's id, so revoking one token twice names one aggregate."""
        return uuid5(_TOKEN_NAMESPACE, token_id)

    @event("Revoked")
    def __init__(self, *, token_id: str, until: datetime, actor: str, at: datetime) -> None:
        self.until = until


@dataclass(frozen=True)
class AccountView:
    """An account without its password hash."""

    id: UUID
    email: str
    role: str
    acts_for: UUID | None
    clinic_id: UUID | None
    verified: bool = True


def _view(account: Account) -> AccountView:
    return AccountView(
        account.id,
        account.email,
        account.role,
        account.acts_for,
        account.clinic_id,
        account.verified,
    )


def check_new_account(email: str, password: str, role: str) -> None:
    """Raise InvalidAccount for an e-mail, password or role no account may have."""
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email) or len(email) > 254:
        raise InvalidAccount(f"{email!r} is not an e-mail address such as ana@clinic.example")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidAccount(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if role not in ROLES:
        raise InvalidAccount(f"role {role!r} is unknown: use one of {', '.join(ROLES)}")


def _check(
    email: str, password: str, role: str, acts_for: UUID | None, clinic: UUID | None
) -> None:
    check_new_account(email, password, role)
    needs_record = role in ("patient", "therapist")
    if needs_record != (acts_for is not None):
        raise InvalidAccount(
            f"a {role} account {'needs' if needs_record else 'takes no'} patient or therapist id"
        )
    if (role != "admin") != (clinic is not None):
        raise InvalidAccount(
            f"a {role} account {'takes no' if role == 'admin' else 'needs a'} clinic id"
        )


class Accounts(Application[UUID]):
    """Opening accounts and checking passwords, recorded as events."""

    name = "Accounts"

    def open_account(
        self,
        *,
        email: str,
        password: str,
        role: str,
        acts_for: UUID | None = None,
        clinic_id: UUID | None = None,
        actor: str,
        now: datetime,
        verify: bool | None = None,
    ) -> AccountView:
        """Open an account; its password is stored only as an argon2 hash.

        Patients and therapists act for their own record (`acts_for`) in their clinic;
        dispatchers manage one clinic; admins act for no record. A patient's account
        (`verify`, by default) is mailed a link that verifies its address; staff
        addresses are the clinic's own.
        """
        email = email.strip().lower()
        _check(email, password, role, acts_for, clinic_id)
        account = Account(
            email=email,
            password_hash=_hasher.hash(password),
            role=role,
            acts_for=acts_for,
            clinic_id=clinic_id,
            actor=actor,
            at=now,
        )
        if role == "patient" if verify is None else verify:
            account.request_verification(at=now)
        try:
            self.save(account)
        except (IntegrityError, RecordConflictError):
            raise AccountExists(
                f"{email} already has an account: sign in with it or choose another address"
            ) from None
        return _view(account)

    def authenticate(self, *, email: str, password: str, now: datetime) -> AccountView:
        """The account whose e-mail and password these are, or InvalidCredentials."""
        found = self._find(account_id(email))
        if found is None:
            _hasher.verify(password, _DECOY_HASH)
            raise InvalidCredentials("e-mail or password is wrong")
        valid, new_hash = _hasher.verify_and_update(password, found.password_hash)
        if not valid:
            raise InvalidCredentials("e-mail or password is wrong")
        if new_hash is not None:
            found.rehash(password_hash=new_hash, at=now)
            # Losing this race to another sign-in only postpones the rehash.
            with contextlib.suppress(IntegrityError, RecordConflictError):
                self.save(found)
        return _view(found)

    def get_account(self, account: UUID) -> AccountView:
        """The account with this id, or UnknownAccount."""
        found = self._find(account)
        if found is None:
            raise UnknownAccount(f"no account with id {account}")
        return _view(found)

    def revoke_token(self, *, token_id: str, until: datetime, actor: str, now: datetime) -> None:
        """Refuse the token with this id from now until `until` (revoking twice is fine)."""
        token = RevokedToken(token_id=token_id, until=until, actor=actor, at=now)
        with contextlib.suppress(IntegrityError, RecordConflictError):
            self.save(token)

    def token_revoked(self, token_id: str, now: datetime) -> bool:
        """True while the token with this id is revoked (until it would have expired)."""
        try:
            found: Any = self.repository.get(RevokedToken.create_id(token_id))
        except AggregateNotFoundError:
            return False
        return isinstance(found, RevokedToken) and now < found.until

    def set_password(self, *, email: str, password: str, actor: str, now: datetime) -> AccountView:
        """Give the account of `email` a new password (UnknownAccount if it has none)."""
        found = self._find(account_id(email))
        if found is None:
            raise UnknownAccount(f"{email.strip().lower()} has no account: open one first")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidAccount(
                f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
            )
        found.change_password(password_hash=_hasher.hash(password), actor=actor, at=now)
        self.save(found)
        return _view(found)

    def change_own_password(
        self, *, account: UUID, current: str, password: str, now: datetime
    ) -> AccountView:
        """The signed-in account's new password, if `current` is its password."""
        found = self._find(account)
        if found is None:
            raise UnknownAccount(f"no account with id {account}")
        if not _hasher.verify(current, found.password_hash):
            raise InvalidCredentials("the current password is wrong")
        return self.set_password(
            email=found.email, password=password, actor=f"account:{account}", now=now
        )

    def resend_verification(self, account: UUID, now: datetime) -> bool:
        """Mail the verification link again; False when the address is verified."""
        found = self._get(account)
        if found.verified:
            return False
        found.request_verification(at=now)
        self.save(found)
        return True

    def verify_email(self, account: UUID, now: datetime) -> AccountView:
        """Record the address verified, once: LinkGone when it already is."""
        found = self._get(account)
        if found.verified:
            raise LinkGone("this link was used already: your e-mail address is verified")
        found.verify_email(at=now)
        self.save(found)
        return _view(found)

    def request_password_reset(self, email: str, now: datetime) -> AccountView | None:
        """Mail the account of `email` a reset link; None (nothing written) without one."""
        found = self._find(account_id(email))
        if found is None:
            return None
        found.request_password_reset(at=now)
        self.save(found)
        return _view(found)

    def password_version(self, account: UUID) -> int:
        """How many times the account's password was changed (reset links name it)."""
        return int(self._get(account).password_version)

    def reset_password(
        self, *, account: UUID, password_version: int, password: str, now: datetime
    ) -> AccountView:
        """A new password from a mailed link that names the password it replaces:
        LinkGone once that password has changed (the link was used, or is stale)."""
        found = self._get(account)
        if found.password_version != password_version:
            raise LinkGone("this link was used already, or the password changed since it was sent")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InvalidAccount(
                f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
            )
        found.change_password(
            password_hash=_hasher.hash(password), actor="password reset link", at=now
        )
        found.sign_out_everywhere(at=now)
        self.save(found)
        return _view(found)

    def token_refused(self, token_id: str, account: UUID, issued: datetime, now: datetime) -> bool:
        """True when the token was revoked, or its account was signed out everywhere
        (a password reset) after the token was issued."""
        if self.token_revoked(token_id, now):
            return True
        found = self._find(account)
        cutoff = None if found is None else found.signed_out_before
        # Tokens carry whole seconds: one issued in the reset's own second is kept (the
        # new sign-in that follows a reset at once).
        return cutoff is not None and issued < cutoff.replace(microsecond=0)

    def list_accounts(self, clinic_id: UUID | None = None) -> list[AccountView]:
        """Every account (of one clinic, with `clinic_id`), by e-mail address.

        Read from the log of account openings: accounts are few (staff and patients of
        the clinics), and the list is an admin's page, not a hot path.
        """
        topics = [f"{Account.__module__}:{Account.__qualname__}.Opened"]
        found: list[AccountView] = []
        start: int | None = None
        while True:
            page = self.recorder.select_notifications(
                start, 500, topics=topics, inclusive_of_start=start is None
            )
            for notification in page:
                account = self._find(UUID(str(notification.originator_id)))
                if account is not None and (clinic_id is None or account.clinic_id == clinic_id):
                    found.append(_view(account))
            if len(page) < 500:
                return sorted(found, key=lambda a: a.email)
            start = page[-1].id

    def has_account(self, email: str) -> bool:
        """True when `email` (any case) has an account."""
        return self._find(account_id(email)) is not None

    def has_accounts(self) -> bool:
        """True once any account was opened (the demo seeds an empty store only)."""
        return bool(self.recorder.max_notification_id())

    def _get(self, key: UUID) -> Account:
        found = self._find(key)
        if found is None:
            raise UnknownAccount(f"no account with id {key}")
        return found

    def _find(self, key: UUID) -> Account | None:
        try:
            found: Any = self.repository.get(key)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Account) else None


def create_tables(env: dict[str, str]) -> None:
    """Create the accounts' tables in the store `env` names (idempotent, like `migrate`)."""
    Accounts({**env, "CREATE_TABLE": "y"}).close()
