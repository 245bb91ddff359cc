"""`/clinics`: the clinics of this service (public list), opened and set up by admins."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.auth import PUBLIC, allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.people import (
    Clinic,
    ClinicChange,
    ClinicEntry,
    ConditionMapping,
    NewClinic,
)
from scheduler.usecases import UseCases
from scheduler.usecases import admin as actions
from scheduler.usecases.actor import Actor

ADMINS = allow("admin")
WRITES = responses(400, 401, 403, 404, 422)


class ClinicSetupController(Controller):
    """Opening a clinic and changing how it works."""

    path = "/clinics"
    tags = ("clinics",)

    @get(
        "/",
        operation_id="listClinics",
        summary="The clinics of this service (no sign-in: to choose one when signing up)",
        opt=PUBLIC,
        security=[],
    )
    async def clinics(self, uc: NamedDependency[UseCases]) -> list[ClinicEntry]:
        """Name, street address and time zone of every clinic, in opening order."""
        return [ClinicEntry.of(c) for c in await actions.clinics(uc, Actor.anonymous())]

    @post(
        "/",
        operation_id="openClinic",
        summary="Open a clinic (admins)",
        guards=[ADMINS],
        responses=responses(400, 401, 403, 422),
    )
    async def open_clinic(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[NewClinic],
        uc: NamedDependency[UseCases],
    ) -> Clinic:
        """Name, street address and coordinates, IANA time zone (fixed for good), and the
        booking policies: late-cancel window, slot grid, waitlist offer expiry,
        reassessment interval, evaluation length, travel speed."""
        view = await actions.open_clinic(
            uc,
            principal_of(request),
            name=data.name,
            address=data.address,
            location=data.location.pair,
            timezone=data.timezone,
            policies=data.policies.policies(),
        )
        return Clinic.of(view)

    @get(
        "/{clinic_id:uuid}",
        operation_id="getClinic",
        summary="A clinic and its policies",
        guards=[allow("dispatcher", "admin")],
        responses=responses(401, 403, 404),
    )
    async def clinic(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> Clinic:
        """For the clinic's dispatchers and admins."""
        return Clinic.of(await actions.clinic(uc, principal_of(request), clinic_id))

    @put(
        "/{clinic_id:uuid}",
        operation_id="changeClinic",
        summary="Change a clinic's details and policies (admins)",
        guards=[ADMINS],
        responses=WRITES,
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[ClinicChange],
        uc: NamedDependency[UseCases],
    ) -> Clinic:
        """Every field is replaced; the time zone stays. Sessions already booked keep
        their times; the new policies apply from now on."""
        view = await actions.change_clinic(
            uc,
            principal_of(request),
            clinic_id,
            name=data.name,
            address=data.address,
            location=data.location.pair,
            policies=data.policies.policies(),
            reason=data.reason,
        )
        return Clinic.of(view)

    @post(
        "/{clinic_id:uuid}/conditions",
        operation_id="mapCondition",
        summary="Let plans of these specializations treat a condition (admins)",
        guards=[ADMINS],
        responses=WRITES,
    )
    async def map_condition(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[ConditionMapping],
        uc: NamedDependency[UseCases],
    ) -> Clinic:
        """Beside the built-in table (README "Conditions"): prescriptions whose condition
        names `phrase` may be treated by plans of `specializations` at this clinic."""
        view = await actions.map_condition(
            uc,
            principal_of(request),
            clinic_id,
            phrase=data.phrase,
            specializations=data.specializations,
        )
        return Clinic.of(view)
