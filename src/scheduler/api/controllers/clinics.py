"""`/clinics/{id}`: what a dispatcher manages: therapists, plans and the day board."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.auth import Account
from scheduler.api.schemas.people import (
    NewTherapist,
    Patient,
    PatientDetails,
    PatientEntry,
    TherapistRecord,
)
from scheduler.api.schemas.records import Board, Plan, Reauthorization, Therapist
from scheduler.usecases import UseCases
from scheduler.usecases import accounts as account_actions
from scheduler.usecases import clinics as actions
from scheduler.usecases import patients as patient_actions
from scheduler.usecases import staff as staff_actions

READS = responses(400, 401, 403, 404)
WRITES = responses(400, 401, 403, 404, 409, 422)


class ClinicsController(Controller):
    """A clinic, for its dispatchers (and admins)."""

    path = "/clinics/{clinic_id:uuid}"
    tags = ("clinics",)
    guards = (allow("dispatcher", "admin"),)

    @get(
        "/therapists",
        operation_id="clinicTherapists",
        summary="The clinic's therapists",
        responses=READS,
    )
    async def therapists(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Therapist]:
        """Therapists with skills, base and weekly shifts, in registration order."""
        views = await actions.therapists(uc, principal_of(request), clinic_id)
        return [Therapist.of(view) for view in views]

    @post(
        "/therapists",
        operation_id="registerTherapist",
        summary="Register a therapist",
        responses=WRITES,
    )
    async def register_therapist(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[NewTherapist],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """Specializations, mobile (home visits, from `home`) or clinic-based, weekly
        shifts, visits per day, phone. Open their sign-in with `POST /accounts`."""
        view = await staff_actions.register_therapist(
            uc,
            principal_of(request),
            clinic_id,
            profile=staff_actions.Profile(
                name=data.name,
                specializations=data.specializations,
                mobile=data.mobile,
                home=data.home.pair if data.home else None,
                max_visits_per_day=data.max_visits_per_day,
                phone=data.phone,
            ),
            shifts={day: list(window) for day, window in data.shifts.items()},
        )
        return TherapistRecord.of(view)

    @post(
        "/patients",
        operation_id="registerPatient",
        summary="Register a patient at the front desk",
        responses=WRITES,
    )
    async def register_patient(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[PatientDetails],
        uc: NamedDependency[UseCases],
    ) -> Patient:
        """Contact details, street address (coordinates, or found by the geocoder) and
        weekly availability. 409 `patient_exists` when the clinic already has a patient
        with this e-mail (or name and phone): find them with `GET .../patients?q=`."""
        view = await patient_actions.register(
            uc, principal_of(request), clinic_id, details=data.details()
        )
        return Patient.of(view)

    @get(
        "/patients",
        operation_id="searchPatients",
        summary="Find the clinic's patients",
        responses=READS,
    )
    async def patients(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        q: Annotated[
            str,
            QueryParameter(max_length=200, description="part of a name, e-mail, phone or address"),
        ] = "",
    ) -> list[PatientEntry]:
        """Patients whose name, e-mail, phone or address contain `q` (any case), by name,
        at most 50; every patient (the first 50) without `q`."""
        found = await patient_actions.search(uc, principal_of(request), clinic_id, text=q)
        return [PatientEntry.of(view) for view in found]

    @get(
        "/accounts",
        operation_id="clinicAccounts",
        summary="The sign-ins of the clinic",
        responses=READS,
    )
    async def accounts(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Account]:
        """Every account scoped to the clinic (dispatchers, therapists, patients), by
        e-mail; never a password."""
        found = await account_actions.clinic_accounts(uc, principal_of(request), clinic_id)
        return [Account.of(view) for view in found]

    @get(
        "/plans",
        operation_id="clinicPlans",
        summary="The clinic's treatment plans",
        responses=READS,
    )
    async def plans(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Plan]:
        """Every plan of the clinic, in creation order."""
        views = await actions.plans(uc, principal_of(request), clinic_id)
        return [Plan.of(view) for view in views]

    @get(
        "/reauthorizations",
        operation_id="reauthorizationsDue",
        summary="Prescriptions whose re-authorization is due",
        responses=READS,
    )
    async def reauthorizations(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Reauthorization]:
        """Prescriptions with two or fewer authorized sessions left (fewest first), so the
        front desk asks the payer to renew before the patient runs out."""
        due = await actions.reauthorizations(uc, principal_of(request), clinic_id)
        return [
            Reauthorization(
                patient_id=r.patient_id,
                patient_name=r.patient,
                prescription_id=r.prescription.id,
                condition=r.prescription.condition,
                authorized_sessions=r.prescription.authorized_sessions,
                sessions_left=r.prescription.left,
                expires_on=r.prescription.expires_on,
                authorization_number=r.prescription.authorization_number,
            )
            for r in due
        ]

    @get(
        "/board",
        operation_id="dayBoard",
        summary="The day board: a route per therapist",
        responses=READS,
    )
    async def board(
        self,
        *,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        day: Annotated[date, QueryParameter(name="date", description="local date, 2026-10-05")],
        as_of: Annotated[
            datetime | None,
            QueryParameter(name="as_of", description="show the board as it stood at this instant"),
        ] = None,
        min_position: Annotated[
            int | None,
            QueryParameter(
                name="min_position",
                ge=0,
                description="wait (up to 2 s, else 503) until the write with this X-Position shows",
            ),
        ] = None,
    ) -> Board:
        """Each therapist's visits in order with local times, coordinates, and the travel
        minutes and km from the previous stop (the first from their base, then back).
        With `as_of`, the board as it was at that moment. With `min_position` (a write's
        `X-Position`), the board includes that write (503 `read_model_behind` if not in 2 s).
        """
        board: Board = await actions.board(
            uc, principal_of(request), clinic_id, day=day, as_of=as_of, min_position=min_position
        )
        return board
