"""`/me`: the signed-in patient's plans and sessions, the therapist's week."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.auth import PasswordChange, Sent
from scheduler.api.schemas.people import ShiftsChange, TherapistRecord
from scheduler.api.schemas.records import Plan, Session, Week
from scheduler.usecases import UseCases
from scheduler.usecases import accounts as account_actions
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import plans as plan_actions
from scheduler.usecases import staff as staff_actions


class MeController(Controller):
    """What belongs to the caller."""

    path = "/me"
    tags = ("me",)

    @get(
        "/plans",
        operation_id="myPlans",
        summary="My treatment plans",
        guards=[allow("patient")],
        responses=responses(401, 403),
    )
    async def plans(
        self, request: Request[Any, Any, Any], uc: NamedDependency[UseCases]
    ) -> list[Plan]:
        """The signed-in patient's plans, oldest first."""
        return [Plan.of(view) for view in await plan_actions.mine(uc, principal_of(request))]

    @get(
        "/sessions",
        operation_id="mySessions",
        summary="My sessions",
        guards=[allow("patient")],
        responses=responses(401, 403),
    )
    async def sessions(
        self, request: Request[Any, Any, Any], uc: NamedDependency[UseCases]
    ) -> list[Session]:
        """Every session of the signed-in patient (any status), in start order."""
        views = await plan_actions.my_sessions(uc, principal_of(request))
        return [Session.of(view) for view in views]

    @get(
        "/week",
        operation_id="myWeek",
        summary="My week (therapists)",
        guards=[allow("therapist")],
        responses=responses(400, 401, 403),
    )
    async def week(
        self,
        request: Request[Any, Any, Any],
        start: FromQuery[date],
        uc: NamedDependency[UseCases],
        min_position: Annotated[
            int | None,
            QueryParameter(
                name="min_position",
                ge=0,
                description="wait (up to 2 s, else 503) until the write with this X-Position shows",
            ),
        ] = None,
    ) -> Week:
        """Seven days from `start` (a local date): visits in order with travel, and each
        visit's patient name and needs (condition, contraindications) for their own sessions.
        """
        week: Week = await clinic_actions.week(
            uc, principal_of(request), start=start, min_position=min_position
        )
        return week

    @post(
        "/shift-requests",
        operation_id="requestShiftChange",
        summary="Ask for new weekly shifts (therapists)",
        guards=[allow("therapist")],
        responses=responses(400, 401, 403, 422),
    )
    async def request_shifts(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ShiftsChange],
        uc: NamedDependency[UseCases],
    ) -> TherapistRecord:
        """A dispatcher approves (the shifts apply from then on) or declines it; the
        request is on `shift_requests` with its status."""
        view = await staff_actions.request_shift_change(
            uc,
            principal_of(request),
            shifts={day: list(window) for day, window in data.shifts.items()},
            reason=data.reason,
        )
        return TherapistRecord.of(view)

    @post(
        "/password",
        operation_id="changePassword",
        summary="Change my password",
        status_code=204,
        opt={"idempotent": False},  # the body holds passwords: never stored as a reply key
        responses=responses(400, 401, 422),
    )
    async def password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordChange],
        uc: NamedDependency[UseCases],
    ) -> None:
        """With the current password (401 if it is wrong); at least 10 characters."""
        await account_actions.change_password(
            uc, principal_of(request), current=data.current, password=data.password
        )

    @post(
        "/email-verification",
        operation_id="resendVerification",
        summary="Mail my e-mail verification link again",
        status_code=202,
        responses=responses(401, 429),
    )
    async def resend_verification(
        self, request: Request[Any, Any, Any], uc: NamedDependency[UseCases]
    ) -> Sent:
        """A new link (3 days) unless the address is verified already (`sent: false`)."""
        sent = await account_actions.resend_verification(uc, principal_of(request))
        detail = "a new link is on its way" if sent else "your e-mail address is verified"
        return Sent(detail=detail, sent=sent)
