"""Opening accounts (admins only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from scheduler.accounts import InvalidAccount
from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.gateway import Gateway
from scheduler.api.schemas.auth import Account, NewAccount
from scheduler.domain.errors import NotFound


class AccountsController(Controller):
    """`/accounts`: who may sign in."""

    path = "/accounts"
    tags = ("accounts",)
    guards = (allow("admin"),)

    @post(
        "/",
        operation_id="openAccount",
        summary="Open an account for a patient, therapist, dispatcher or admin",
        responses=responses(400, 401, 403, 409, 422),
    )
    async def open_account(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[NewAccount],
        gateway: NamedDependency[Gateway],
    ) -> Account:
        """Patients and therapists name their record (its clinic is taken from it);
        dispatchers name their clinic; admins name nothing. 409 if the e-mail has an account.
        """
        acts_for, clinic_id = await _scope_of(data, gateway)
        view = await gateway.run_accounts(
            gateway.accounts.open_account,
            email=data.email,
            password=data.password,
            role=data.role,
            acts_for=acts_for,
            clinic_id=clinic_id,
            actor=principal_of(request).actor,
            now=gateway.now(),
        )
        return Account.of(view)


async def _scope_of(
    data: NewAccount, gateway: NamedDependency[Gateway]
) -> tuple[UUID | None, UUID | None]:
    """The record the account acts for and its clinic, checked to exist."""
    app = gateway.scheduling
    try:
        if data.role == "patient" and data.patient_id:
            patient = await gateway.run(app.get_patient, data.patient_id)
            return patient.id, patient.clinic_id
        if data.role == "therapist" and data.therapist_id:
            therapist = await gateway.run(app.get_therapist, data.therapist_id)
            return therapist.id, therapist.clinic_id
        if data.role == "dispatcher" and data.clinic_id:
            clinic = await gateway.run(app.get_clinic, data.clinic_id)
            return None, clinic.id
    except NotFound as error:
        raise InvalidAccount(f"{error}; name an existing record") from None
    if data.role == "admin":
        return None, None
    needs = {"patient": "patient_id", "therapist": "therapist_id", "dispatcher": "clinic_id"}
    raise InvalidAccount(f"a {data.role} account needs `{needs[data.role]}`")
