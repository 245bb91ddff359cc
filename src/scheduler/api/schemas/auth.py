"""Request and response bodies of sign-in and accounts."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

from scheduler.accounts import AccountView

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, examples=["ana@clinic.example"])]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
RoleName = Literal["patient", "therapist", "dispatcher", "admin"]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    """E-mail and password of an account."""

    email: Email
    password: Password


class Token(msgspec.Struct):
    """A bearer token (also set as the pages' HttpOnly cookie)."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int
    account_id: UUID
    role: RoleName


class NewAccount(msgspec.Struct, forbid_unknown_fields=True):
    """An account to open: patients and therapists name their record, dispatchers a clinic."""

    email: Email
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
    role: RoleName
    patient_id: UUID | None = None
    therapist_id: UUID | None = None
    clinic_id: UUID | None = None


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    """The current password and the new one."""

    current: Password
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]


class Account(msgspec.Struct):
    """An account (its password is never returned)."""

    id: UUID
    email: str
    role: RoleName
    acts_for: UUID | None
    clinic_id: UUID | None
    verified: bool

    @classmethod
    def of(cls, view: AccountView) -> Account:
        """From the accounts application's view."""
        return cls(
            view.id,
            view.email,
            view.role,  # type: ignore[arg-type]
            view.acts_for,
            view.clinic_id,
            view.verified,
        )


class MailedLink(msgspec.Struct, forbid_unknown_fields=True):
    """The token of a link the clinic mailed (the `token` query parameter of the link)."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The e-mail address of the account whose password is forgotten."""

    email: Email


class NewPassword(msgspec.Struct, forbid_unknown_fields=True):
    """A mailed reset link's token and the new password."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]


class Sent(msgspec.Struct, omit_defaults=True):
    """What was done about a mail asked for: `detail` says it for people; `sent`, when
    the caller may know, whether a mail went."""

    detail: str
    sent: bool | None = None


class Health(msgspec.Struct, omit_defaults=True):
    """Liveness or readiness of the service and what it depends on."""

    status: Literal["alive", "ready", "not_ready"]
    store: Literal["ok", "unreachable"] | None = None
    redis: Literal["ok", "unreachable", "not_configured"] | None = None
