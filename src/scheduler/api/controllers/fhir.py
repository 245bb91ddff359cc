"""`/fhir`: sessions as FHIR R5 Appointments and therapists' free time as Slots (read only).

Searches answer a `searchset` Bundle of what the caller may see: a patient their own
appointments, a therapist their own (and their own free time), a dispatcher their
clinic's. Errors keep the API's one error shape (not OperationOutcome).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from scheduler.api import fhir_resources as fhir
from scheduler.api.access import may_see_session, session_for
from scheduler.api.auth import Principal, allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.gateway import Gateway
from scheduler.domain import Scheduling, SessionView
from scheduler.domain.errors import InvalidInput, NotFound
from scheduler.domain.timekeeping import clinic_zone, dates_between, local_date
from scheduler.usecases.errors import Forbidden

ANYONE = allow("patient", "therapist", "dispatcher", "admin")
MAX_DAYS = 31
PAST_DAYS, FUTURE_DAYS = 28, 84


def _id(reference: str, kind: str) -> UUID:
    """`Patient/<uuid>` or a bare `<uuid>` as a UUID; InvalidInput otherwise."""
    try:
        return UUID(reference.removeprefix(f"{kind}/"))
    except ValueError:
        raise InvalidInput(
            f"{kind.lower()} must be '{kind}/<id>' or an id, got {reference!r}"
        ) from None


def _base(request: Request[Any, Any, Any]) -> str:
    return f"{str(request.base_url).rstrip('/')}/fhir"


def _fhir(content: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(content, media_type=fhir.FHIR_JSON)


def _appointments(app: Scheduling, sessions: list[SessionView]) -> list[dict[str, Any]]:
    return [fhir.appointment(s, *app.session_revision(s.id)) for s in sessions]


def search_appointments(
    app: Scheduling, principal: Principal, patient: str | None, practitioner: str | None, now: Any
) -> list[dict[str, Any]]:
    """The appointments of one patient or practitioner that the caller may see."""
    if (patient is None) == (practitioner is None):
        raise InvalidInput("search by exactly one of patient=Patient/<id> or practitioner=…")
    try:
        if patient is not None:
            sessions = app.patient_sessions(_id(patient, "Patient"))
        else:
            therapist = app.get_therapist(_id(str(practitioner), "Practitioner"))
            today = local_date(now, clinic_zone(app.get_clinic(therapist.clinic_id).timezone))
            entries = app.therapist_feed(
                therapist.id,
                first_day=today - timedelta(days=PAST_DAYS),
                last_day=today + timedelta(days=FUTURE_DAYS),
            )
            sessions = [app.get_session(e.session_id) for e in entries if not e.moved_away]
    except NotFound:
        return []  # FHIR: a search naming nobody matches nothing
    return _appointments(app, [s for s in sessions if may_see_session(principal, s)])


def free_slots(
    app: Scheduling, therapist_id: UUID, first: date, last: date
) -> list[dict[str, Any]]:
    """The therapist's free time on local days `first`..`last`: shifts minus visits and
    time off (travel between visits is checked when booking, not here)."""
    slots = []
    for day in dates_between(first, last):
        view = app.therapist_day(therapist_id, day)
        if view.shift is None:
            continue
        taken = [(v.start, v.end) for v in view.visits]
        taken += [(entry["start"], entry["end"]) for entry in view.unavailable]
        slots += [
            fhir.slot(therapist_id, start, end) for start, end in fhir.free_spans(view.shift, taken)
        ]
    return slots


class FhirController(Controller):
    """FHIR R5 read API."""

    path = "/fhir"
    tags = ("fhir",)
    guards = (ANYONE,)

    @get(
        "/Appointment/{session_id:uuid}",
        operation_id="fhirAppointment",
        media_type=fhir.FHIR_JSON,  # documented as what it is, not application/json
        summary="A session as a FHIR Appointment",
        responses=responses(401, 403, 404),
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
        return _fhir((await gateway.run(_appointments, app, [session]))[0])

    @get(
        "/Appointment",
        operation_id="fhirSearchAppointments",
        media_type=fhir.FHIR_JSON,
        summary="Search FHIR Appointments by patient or practitioner",
        responses=responses(400, 401, 403, 422),
    )
    async def search(
        self,
        request: Request[Any, Any, Any],
        gateway: NamedDependency[Gateway],
        patient: FromQuery[str | None] = None,
        practitioner: FromQuery[str | None] = None,
    ) -> Response[dict[str, Any]]:
        """A searchset Bundle; a practitioner's covers four weeks back and twelve ahead."""
        principal = principal_of(request)
        found = await gateway.run(
            search_appointments,
            gateway.scheduling,
            principal,
            patient,
            practitioner,
            gateway.now(),
        )
        return _fhir(fhir.bundle(found, _base(request)))

    @get(
        "/Slot",
        operation_id="fhirSearchSlots",
        media_type=fhir.FHIR_JSON,
        summary="A therapist's free time as FHIR Slots",
        guards=[allow("therapist", "dispatcher", "admin")],
        responses=responses(400, 401, 403, 404, 422),
    )
    async def slots(
        self,
        request: Request[Any, Any, Any],
        practitioner: FromQuery[str],
        start: FromQuery[date],
        end: FromQuery[date],
        gateway: NamedDependency[Gateway],
    ) -> Response[dict[str, Any]]:
        """Free time on local days `start`..`end` (at most 31) as a searchset Bundle."""
        principal = principal_of(request)
        app = gateway.scheduling
        therapist_id = _id(practitioner, "Practitioner")
        if not start <= end < start + timedelta(days=MAX_DAYS):
            raise InvalidInput(f"give start <= end, at most {MAX_DAYS} days apart")
        therapist = await gateway.run(app.get_therapist, therapist_id)
        allowed = principal.role == "admin" or (
            principal.acts_for == therapist.id
            if principal.role == "therapist"
            else principal.clinic_id == therapist.clinic_id
        )
        if not allowed:
            raise Forbidden("this therapist's free time is not yours to see")
        found = await gateway.run(free_slots, app, therapist.id, start, end)
        return _fhir(fhir.bundle(found, _base(request)))
