"""Accounts: signing in (the JSON API and the sign-in page alike) and opening one."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from scheduler.accounts import AccountView, InvalidAccount
from scheduler.domain import Scheduling
from scheduler.domain.errors import NotFound
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden
from scheduler.usecases.runner import UseCases

LOGIN = "login"
"""The rate limit of sign-in attempts, counted per client address and per e-mail."""


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
