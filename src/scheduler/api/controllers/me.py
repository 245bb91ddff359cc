"""`/me`: the signed-in patient's plans and sessions, the therapist's week."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.gateway import Gateway
from scheduler.api.readmodel import ReadSide
from scheduler.api.schemas.records import Plan, Session, Week


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
        self, request: Request[Any, Any, Any], gateway: NamedDependency[Gateway]
    ) -> list[Plan]:
        """The signed-in patient's plans, oldest first."""
        patient_id = principal_of(request).acts_for
        app = gateway.scheduling

        def load() -> list[Plan]:
            return [Plan.of(app.get_plan(p)) for p in app.get_patient(patient_id).plans]  # type: ignore[arg-type]

        return await gateway.run(load)

    @get(
        "/sessions",
        operation_id="mySessions",
        summary="My sessions",
        guards=[allow("patient")],
        responses=responses(401, 403),
    )
    async def sessions(
        self, request: Request[Any, Any, Any], gateway: NamedDependency[Gateway]
    ) -> list[Session]:
        """Every session of the signed-in patient (any status), in start order."""
        patient_id = principal_of(request).acts_for
        views = await gateway.run(gateway.scheduling.patient_sessions, patient_id)  # type: ignore[arg-type]
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
        reads: NamedDependency[ReadSide],
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
        therapist_id = principal_of(request).acts_for
        return await reads.week(therapist_id, start, min_position)  # type: ignore[arg-type]
