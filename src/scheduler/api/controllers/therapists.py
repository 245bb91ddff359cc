"""`/therapists/{id}`: a therapist's profile, shifts, time off and status, as the front
desk manages them (a therapist reads their own and records their own time off)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.dispatch import (
    DisplacedVisit,
    OptimizationJob,
    ReportSick,
    SickCall,
    SickCallPreview,
    sick_call_days,
)
from scheduler.api.schemas.people import (
    Activity,
    ProfileChange,
    ShiftDecision,
    ShiftsChange,
    TherapistRecord,
    TimeOff,
)
from scheduler.api.schemas.records import Event
from scheduler.usecases import UseCases
from scheduler.usecases import sick_calls as sick_actions
from scheduler.usecases import staff as actions

DESK = allow("dispatcher", "admin")
WRITES = responses(400, 401, 403, 404, 409, 422)


class TherapistsController(Controller):
    """One therapist."""

    path = "/therapists/{therapist_id:uuid}"
    tags = ("therapists",)
    guards = (allow("therapist", "dispatcher", "admin"),)

    @get(
        "/", operation_id="getTherapist", summary="A therapist", responses=responses(401, 403, 404)
    )
    async def therapist(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """Profile, shifts, time off and shift requests (the therapist, their clinic's
        front desk, admins)."""
        return TherapistRecord.of(await actions.therapist(uc, principal_of(request), therapist_id))

    @get(
        "/history",
        operation_id="therapistHistory",
        summary="Every event of a therapist's record",
        responses=responses(401, 403, 404),
    )
    async def history(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Event]:
        """Registered, profile and shifts changed, time off, requests decided, oldest
        first, each with who, when and why."""
        entries = await actions.history(uc, principal_of(request), therapist_id)
        return [Event.of(entry) for entry in entries]

    @put(
        "/",
        operation_id="changeTherapist",
        summary="Change a therapist's profile",
        guards=[DESK],
        responses=WRITES,
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        data: JSONBody[ProfileChange],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """Name, specializations, mobile or clinic-based, home base, visits per day, phone."""
        view = await actions.change_profile(
            uc,
            principal_of(request),
            therapist_id,
            profile=actions.Profile(
                name=data.name,
                specializations=data.specializations,
                mobile=data.mobile,
                home=data.home.pair if data.home else None,
                max_visits_per_day=data.max_visits_per_day,
                phone=data.phone,
            ),
            reason=data.reason,
        )
        return TherapistRecord.of(view)

    @put(
        "/shifts",
        operation_id="changeShifts",
        summary="Replace a therapist's weekly shifts",
        guards=[DESK],
        responses=WRITES,
    )
    async def shifts(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        data: JSONBody[ShiftsChange],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """From now on; booked sessions stay where they are."""
        view = await actions.change_shifts(
            uc,
            principal_of(request),
            therapist_id,
            shifts={day: list(window) for day, window in data.shifts.items()},
            reason=data.reason,
        )
        return TherapistRecord.of(view)

    @post(
        "/time-off",
        operation_id="recordTimeOff",
        summary="Record whole days off",
        responses=WRITES,
    )
    async def time_off(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        data: JSONBody[TimeOff],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """Local days `first`..`last` (the front desk for the clinic's therapists, a
        therapist for themself). Sessions already booked in them stay, shown beside the
        time off on the board, for the front desk to move; no new ones are taken."""
        view = await actions.record_time_off(
            uc,
            principal_of(request),
            therapist_id,
            first=data.first,
            last=data.last,
            reason=data.reason,
        )
        return TherapistRecord.of(view)

    @put(
        "/active",
        operation_id="setTherapistActive",
        summary="Deactivate or reactivate a therapist",
        guards=[DESK],
        responses=WRITES,
    )
    async def active(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        data: JSONBody[Activity],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """An inactive therapist takes no new bookings; those booked stay for the clinic
        to reassign."""
        view = await actions.set_active(
            uc, principal_of(request), therapist_id, active=data.active, reason=data.reason
        )
        return TherapistRecord.of(view)

    @post(
        "/shift-requests/{request_id:uuid}/decision",
        operation_id="decideShiftRequest",
        summary="Approve or decline a therapist's shift change request",
        guards=[DESK],
        responses=WRITES,
        status_code=200,
    )
    async def decide(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        request_id: FromPath[UUID],
        data: JSONBody[ShiftDecision],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """Approved shifts apply from now on; a request is decided once."""
        view = await actions.decide_shift_change(
            uc,
            principal_of(request),
            therapist_id,
            request_id=request_id,
            approve=data.approve,
            reason=data.reason,
        )
        return TherapistRecord.of(view)

    @get(
        "/sick-preview",
        operation_id="previewSickCall",
        guards=[allow("therapist", "dispatcher")],
        summary="What a sick call would displace (nothing is recorded)",
        responses=responses(400, 401, 403, 404, 422),
    )
    async def sick_preview(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        first: Annotated[date, QueryParameter(name="from", description="first sick day")],
        last: Annotated[date, QueryParameter(name="to", description="last sick day")],
    ) -> SickCallPreview:
        """The visits still to come on the therapist's days `from`..`to`: a sick call
        would take their time away. Confirm by sending the same days to POST .../sick.
        """
        days = sick_call_days([], first, last)
        found = await sick_actions.preview_sick_call(
            uc, principal_of(request), therapist_id, dates=days
        )
        return SickCallPreview(
            therapist_id=found.therapist_id,
            therapist_name=found.therapist_name,
            dates=found.days,
            displaced=[DisplacedVisit.of(d) for d in found.displaced],
        )

    @post(
        "/sick",
        operation_id="reportSick",
        guards=[allow("therapist", "dispatcher")],
        summary="Record a therapist off sick (confirmed), displace their visits, re-plan",
        status_code=202,
        responses=responses(400, 401, 403, 404, 409, 422, 429, 503),
    )
    async def sick(
        self,
        request: Request[Any, Any, Any],
        therapist_id: FromPath[UUID],
        data: JSONBody[ReportSick],
        uc: NamedDependency[UseCases],
    ) -> SickCall:
        """Block the local days `from`..`to` (or `dates`) as sick time. At once, every
        visit still to come on them is displaced: it leaves the therapist's week and
        calendar feed and waits for a new time (the board and the patient's page show
        it). Then a re-plan of each displaced visit's cadence window is queued: its
        proposal places them, moving as little else as it can; applying it postpones
        whatever it could not place. Undo with POST /sick-calls/{id}/undo. The clinic's
        dispatchers report any of its therapists; a therapist reports themself.
        """
        call = await sick_actions.report_sick(
            uc,
            principal_of(request),
            therapist_id,
            dates=data.days(),
            reason=data.reason,
            time_limit_s=data.time_limit_s,
        )
        return SickCall(
            sick_call_id=call.sick_call_id,
            therapist_id=call.therapist_id,
            dates=call.dates,
            displaced=[DisplacedVisit.of(d) for d in call.displaced],
            job=OptimizationJob.of(call.job),
        )
