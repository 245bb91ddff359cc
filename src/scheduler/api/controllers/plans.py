"""`/plans/{id}`: one treatment plan, its sessions, booking, history and options."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.care import PlanChange, Progress
from scheduler.api.schemas.records import BookSession, Event, Plan, Session, rules_of
from scheduler.usecases import UseCases, clinical
from scheduler.usecases import plans as plan_actions
from scheduler.usecases import sessions as session_actions

ANYONE = allow("patient", "therapist", "dispatcher", "admin")
READS = responses(401, 403, 404)


class PlansController(Controller):
    """Treatment plans."""

    path = "/plans/{plan_id:uuid}"
    tags = ("plans",)
    guards = (ANYONE,)

    @get("/", operation_id="getPlan", summary="One treatment plan", responses=READS)
    async def get_plan(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> Plan:
        """The plan, if it is the caller's, one they treat, or in their clinic."""
        return Plan.of(await plan_actions.get(uc, principal_of(request), plan_id))

    @get("/sessions", operation_id="planSessions", summary="Sessions of a plan", responses=READS)
    async def sessions(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Session]:
        """The plan's sessions in start order (a therapist sees only their own)."""
        views = await plan_actions.sessions(uc, principal_of(request), plan_id)
        return [Session.of(view) for view in views]

    @post(
        "/sessions",
        operation_id="bookSession",
        summary="Book a session of a plan",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def book(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        data: JSONBody[BookSession],
        uc: NamedDependency[UseCases],
    ) -> Session:
        """Book with a therapist at a time: 201, or the rule it breaks (422 `cadence`,
        `in_the_past`, `authorization_exhausted`…), or 409 when the slot is taken or other
        bookings kept changing the same day. Dispatchers may override `cadence` or back-fill
        a past visit (`in_the_past`) with a reason. Send an `Idempotency-Key` so a retry
        never books twice. Rate limited per account (429 with Retry-After).
        """
        view = await session_actions.book(
            uc,
            principal_of(request),
            plan_id,
            therapist_id=data.therapist_id,
            start=data.start,
            reason=data.reason,
            overrides=rules_of(data.overrides),
        )
        return Session.of(view)

    @get("/history", operation_id="planHistory", summary="Every event of a plan", responses=READS)
    async def history(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Event]:
        """Created, cadence changed, sessions held and released…, oldest first."""
        entries = await plan_actions.history(uc, principal_of(request), plan_id)
        return [Event.of(entry) for entry in entries]

    @post(
        "/changes",
        operation_id="changePlan",
        summary="Change a plan: cadence, sessions, pause, resume, therapist, discharge",
        guards=[allow("therapist", "dispatcher", "admin")],
        responses=responses(400, 401, 403, 404, 409, 422),
        status_code=200,
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        data: JSONBody[PlanChange],
        uc: NamedDependency[UseCases],
    ) -> Plan:
        """One change, with its reason, recorded as an event of the plan: `cadence`
        (min_days..max_days), `add`/`remove` `count` sessions (never below those held or
        booked; never above the prescription's authorization), `pause` (no new bookings),
        `resume`, `switch` the preferred therapist (`therapist_id`, null for none), or
        `discharge` with a `summary` (the plan is completed)."""
        view = await clinical.change_plan(
            uc,
            principal_of(request),
            plan_id,
            change=data.change,
            reason=data.reason,
            min_days=data.min_days,
            max_days=data.max_days,
            count=data.count,
            therapist_id=data.therapist_id,
            summary=data.summary,
        )
        return Plan.of(view)

    @get("/progress", operation_id="planProgress", summary="A plan's progress", responses=READS)
    async def progress(
        self,
        request: Request[Any, Any, Any],
        plan_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> Progress:
        """Sessions completed and the pain trend: evaluations, reassessments and each
        session's pain before treatment, oldest first."""
        return Progress.of(await clinical.progress(uc, principal_of(request), plan_id))
