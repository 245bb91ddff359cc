"""`/fhir`: the clinic's records as FHIR R5 resources (read only), as FHIR clients expect them.

Reads of `Appointment` (a session), `Patient`, `Practitioner` (a therapist), their
`Schedule` and `CarePlan` (a treatment plan), so every reference a resource makes can be
followed. Searches answer a `searchset` Bundle of what the caller may see (a patient
their own appointments, a therapist their own and their free time, a dispatcher their
clinic's) with its `self` link; dates take the standard prefixes (`fhir_dates`). Every
absolute URL starts with the configured public URL (`SCHEDULER_PUBLIC_URL`), never
with what the request's Host header says. Errors, including 401 and 403, are
`OperationOutcome`s (`application/fhir+json`) with the API's error code as a coding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery

from scheduler.api import fhir_resources as fhir
from scheduler.api.access import plan_for, session_for
from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import EXCEPTION_HANDLERS, ErrorBody, Missing
from scheduler.api.fhir_reads import read_patient, read_prescription, read_therapist
from scheduler.api.fhir_search import appointments, free_slots, reference_id, search_appointments
from scheduler.api.gateway import Gateway
from scheduler.api.schemas.fhir import OperationOutcome
from scheduler.settings import Settings

ANYONE = allow("patient", "therapist", "dispatcher", "admin")


def fhir_error(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    """Any error of a FHIR route: the API's own status and code, as an OperationOutcome."""
    kind = next(k for k in type(error).__mro__ if k in EXCEPTION_HANDLERS)
    plain = EXCEPTION_HANDLERS[kind](request, error)
    body: ErrorBody = plain.content
    return Response(
        fhir.operation_outcome(plain.status_code, body),
        status_code=plain.status_code,
        media_type=fhir.FHIR_JSON,
        headers=plain.headers,
    )


def fhir_aware(
    plain: Callable[[Request[Any, Any, Any], Any], Response[Any]],
) -> Callable[[Request[Any, Any, Any], Any], Response[Any]]:
    """The app's handler of routing errors (no such resource or id, another method), but
    under `/fhir/` an OperationOutcome, as on the FHIR routes themselves."""

    def handle(request: Request[Any, Any, Any], error: Any) -> Response[Any]:
        if request.url.path.startswith(f"{FhirController.path}/"):
            return fhir_error(request, error)
        return plain(request, error)

    return handle


def fhir_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI descriptions of a FHIR route's error statuses (OperationOutcome)."""
    return {
        status: ResponseSpec(
            data_container=OperationOutcome,
            media_type=fhir.FHIR_JSON,
            description=f"an OperationOutcome ({fhir.ISSUE_CODE.get(status, 'exception')})",
        )
        for status in statuses
    }


def _fhir(content: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(content, media_type=fhir.FHIR_JSON)


def _bundle(
    request: Request[Any, Any, Any],
    settings: Settings,
    found: list[dict[str, Any]],
    note: str | None = None,
) -> Response[dict[str, Any]]:
    """The searchset with `fullUrl`s and its `self` link under the public URL."""
    query = request.url.query
    self_url = f"{settings.base_url}{request.url.path}" + (f"?{query}" if query else "")
    return _fhir(fhir.bundle(found, f"{settings.base_url}/fhir", self_url, note))


class FhirController(Controller):
    """FHIR R5 read API."""

    path = "/fhir"
    tags = ("fhir",)
    guards = (ANYONE,)
    # Every kind the app handles, so none falls back to the app's plain JSON by its MRO.
    exception_handlers = dict.fromkeys(EXCEPTION_HANDLERS, fhir_error)

    @get(
        "/Appointment/{session_id:uuid}",
        operation_id="fhirAppointment",
        media_type=fhir.FHIR_JSON,  # documented as what it is, not application/json
        summary="A session as a FHIR Appointment",
        responses=fhir_responses(401, 403, 404),
    )
    async def appointment(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Response[dict[str, Any]]:
        """The session (`application/fhir+json`), if the caller may see it."""
        session = await session_for(gateway, principal_of(request), session_id)
        app = gateway.scheduling
        return _fhir((await gateway.run(appointments, app, [session]))[0])

    @get(
        "/Appointment",
        operation_id="fhirSearchAppointments",
        media_type=fhir.FHIR_JSON,
        summary="Search FHIR Appointments by patient or practitioner, and dates",
        responses=fhir_responses(400, 401, 403, 422),
    )
    async def search(
        self,
        *,
        request: Request[Any, Any, Any],
        gateway: NamedDependency[Gateway],
        settings: NamedDependency[Settings],
        patient: FromQuery[str | None] = None,
        practitioner: FromQuery[str | None] = None,
        date: FromQuery[list[str] | None] = None,
    ) -> Response[dict[str, Any]]:
        """A searchset Bundle. `date` (repeatable, with prefixes: `date=ge2026-12-07&
        date=lt2026-12-14`) filters on the start; a practitioner's search covers four
        weeks back and twelve ahead unless dates bound it."""
        found = await gateway.run(
            search_appointments,
            gateway.scheduling,
            principal_of(request),
            patient=patient,
            practitioner=practitioner,
            dates=date,
            now=gateway.now(),
        )
        return _bundle(request, settings, found)

    @get(
        "/Slot",
        operation_id="fhirSearchSlots",
        media_type=fhir.FHIR_JSON,
        summary="A therapist's free time as FHIR Slots",
        guards=[allow("therapist", "dispatcher", "admin")],
        responses=fhir_responses(400, 401, 403, 404, 422),
    )
    async def slots(
        self,
        *,
        request: Request[Any, Any, Any],
        practitioner: FromQuery[str],
        gateway: NamedDependency[Gateway],
        settings: NamedDependency[Settings],
        start: FromQuery[list[str] | None] = None,
        end: FromQuery[list[str] | None] = None,
    ) -> Response[dict[str, Any]]:
        """Free time as a searchset Bundle. `start` and `end` (repeatable, with prefixes)
        filter the Slots' start and end: `start=2026-12-07` is that day (in the clinic's
        time zone), `start=ge2026-12-07&start=lt2026-12-14` that week; at most 31 days.
        Bounded on one side only (`start=ge2026-12-07`), the search covers 31 days and
        an `outcome` entry says which."""
        therapist_id = reference_id(practitioner, "Practitioner")
        found, note = await gateway.run(
            free_slots,
            gateway.scheduling,
            principal_of(request),
            therapist_id,
            starts=start,
            ends=end,
        )
        return _bundle(request, settings, found, note)

    @get(
        "/Patient/{patient_id:uuid}",
        operation_id="fhirPatient",
        media_type=fhir.FHIR_JSON,
        summary="A patient as a FHIR Patient",
        responses=fhir_responses(401, 403, 404),
    )
    async def patient(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Response[dict[str, Any]]:
        """The patient's name: for the patient, their clinic and their therapists."""
        app = gateway.scheduling
        return _fhir(await gateway.run(read_patient, app, principal_of(request), patient_id))

    @get(
        "/Practitioner/{therapist_id:uuid}",
        operation_id="fhirPractitioner",
        media_type=fhir.FHIR_JSON,
        summary="A therapist as a FHIR Practitioner",
        responses=fhir_responses(401, 403, 404),
    )
    async def practitioner(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Response[dict[str, Any]]:
        """The therapist and their specializations: for themself, their clinic and their
        patients."""
        found = await gateway.run(
            read_therapist,
            gateway.scheduling,
            principal_of(request),
            therapist_id,
            as_schedule=False,
        )
        return _fhir(found)

    @get(
        "/Schedule/{therapist_id:uuid}",
        operation_id="fhirSchedule",
        media_type=fhir.FHIR_JSON,
        summary="A therapist's FHIR Schedule (what their Slots belong to)",
        responses=fhir_responses(401, 403, 404),
    )
    async def schedule(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Response[dict[str, Any]]:
        """The Schedule `Slot.schedule` refers to, for whoever may see the therapist."""
        found = await gateway.run(
            read_therapist,
            gateway.scheduling,
            principal_of(request),
            therapist_id,
            as_schedule=True,
        )
        return _fhir(found)

    @get(
        "/CarePlan/{plan_id:uuid}",
        operation_id="fhirCarePlan",
        media_type=fhir.FHIR_JSON,
        summary="A treatment plan as a FHIR CarePlan",
        responses=fhir_responses(401, 403, 404),
    )
    async def care_plan(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Response[dict[str, Any]]:
        """The plan, for whoever may see it (as `GET /plans/{id}`)."""
        return _fhir(fhir.care_plan(await plan_for(gateway, principal_of(request), plan_id)))

    @get(
        "/ServiceRequest/{prescription_id:uuid}",
        operation_id="fhirServiceRequest",
        media_type=fhir.FHIR_JSON,
        summary="A prescription or referral as a FHIR ServiceRequest",
        responses=fhir_responses(401, 403, 404),
    )
    async def service_request(
        self,
        request: Request[Any, Any, Any],
        prescription_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
    ) -> Response[dict[str, Any]]:
        """Condition (ICD-10), prescriber (NPI), sessions authorized, expiry and the
        authorization number: for whoever may see the patient (`GET /patients/{id}`)."""
        found = await gateway.run(
            read_prescription,
            gateway.scheduling,
            principal_of(request),
            prescription_id,
            gateway.now(),
        )
        return _fhir(found)

    @get("/{rest:path}", include_in_schema=False)
    async def unknown(self, rest: FromPath[str]) -> None:
        """Any other FHIR path: 404 as an OperationOutcome."""
        raise Missing(
            "this server reads Appointment, Slot, Patient, Practitioner, Schedule, "
            "ServiceRequest and CarePlan resources only; check the resource type and id"
        )
