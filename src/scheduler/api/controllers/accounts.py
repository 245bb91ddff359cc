"""Opening accounts (admins, and dispatchers for their clinic)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.auth import Account, NewAccount
from scheduler.usecases import UseCases
from scheduler.usecases.accounts import open_account


class AccountsController(Controller):
    """`/accounts`: who may sign in."""

    path = "/accounts"
    tags = ("accounts",)
    guards = (allow("admin", "dispatcher"),)

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
        uc: NamedDependency[UseCases],
    ) -> Account:
        """Patients and therapists name their record (its clinic is taken from it);
        dispatchers name their clinic; admins name nothing. Admins open any account; a
        dispatcher opens those of their clinic's patients and therapists. 409 if the
        e-mail has an account.
        """
        view = await open_account(
            uc,
            principal_of(request),
            email=data.email,
            password=data.password,
            role=data.role,
            patient_id=data.patient_id,
            therapist_id=data.therapist_id,
            clinic_id=data.clinic_id,
        )
        return Account.of(view)
