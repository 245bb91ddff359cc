"""The therapist's week grid, a session's page (needs, progress note, history), iCal link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.access import session_for
from scheduler.api.auth import PUBLIC, Principal
from scheduler.api.controllers.calendar import SUFFIX
from scheduler.api.gateway import Gateway
from scheduler.api.pages.web import checked_form, go, parse_date, render, require, viewer
from scheduler.api.readmodel import ReadSide
from scheduler.api.schemas.records import Visit, Week
from scheduler.domain import HistoryEntry, Scheduling, SessionView
from scheduler.domain.errors import SchedulingError
from scheduler.domain.timekeeping import local_date
from scheduler.settings import Settings


@dataclass(frozen=True)
class Grid:
    """The week as hour rows by day columns; each cell holds the visits starting in it."""

    days: list[date]
    hours: list[int]
    cells: dict[tuple[int, int], list[Visit]]


def week_grid(week: Week) -> Grid:
    """Hours from the earliest shift or visit to the latest, across the seven days."""
    hours: set[int] = set()
    cells: dict[tuple[int, int], list[Visit]] = {}
    for column, route in enumerate(week.days):
        if route.shift_start_local and route.shift_end_local:
            end = route.shift_end_local.hour + (1 if route.shift_end_local.minute else 0)
            hours.update(range(route.shift_start_local.hour, end or 24))
        for visit in route.visits:
            hours.add(visit.start_local.hour)
            cells.setdefault((visit.start_local.hour, column), []).append(visit)
    span = range(min(hours), max(hours) + 1) if hours else range(9, 17)
    return Grid([route.day for route in week.days], list(span), cells)


@dataclass(frozen=True)
class SessionPage:
    """A session with what its therapist needs to know, and its history."""

    session: SessionView
    patient: str
    therapist: str
    condition: str
    specialization: str
    contraindications: list[str]
    history: list[HistoryEntry]
    timezone: str


def session_page(app: Scheduling, session: SessionView) -> SessionPage:
    """The session's needs (condition, skill, contraindications) and its events."""
    plan = app.get_plan(session.plan_id)
    patient = app.get_patient(session.patient_id)
    latest = patient.evaluations[-1] if patient.evaluations else {}
    return SessionPage(
        session=session,
        patient=patient.name,
        therapist=app.get_therapist(session.therapist_id).name,
        condition=plan.condition,
        specialization=plan.specialization,
        contraindications=list(latest.get("contraindications", [])),
        history=app.history(session.id),
        timezone=app.get_clinic(session.clinic_id).timezone,
    )


async def _therapist(
    request: Request[Any, Any, Any], settings: Settings, gateway: Gateway
) -> tuple[Principal, UUID]:
    principal = viewer(request, settings, gateway)
    require(principal, "therapist")
    assert principal.acts_for is not None, "a therapist account acts for a therapist"
    return principal, principal.acts_for


class WeekPages(Controller):
    """`/app/week` and `/app/sessions/{id}`."""

    path = "/app"
    include_in_schema = False
    opt = PUBLIC

    @get("/week", name="pages:week")
    async def week(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        reads: NamedDependency[ReadSide],
    ) -> Template:
        """Seven days from `start` (default: this week's Monday) as a calendar grid."""
        return await self._week(request, settings, gateway, reads, feed_url="")

    async def _week(
        self,
        request: Request[Any, Any, Any],
        settings: Settings,
        gateway: Gateway,
        reads: ReadSide,
        *,
        feed_url: str,
    ) -> Template:
        _, therapist_id = await _therapist(request, settings, gateway)
        app = gateway.scheduling
        therapist = await gateway.run(app.get_therapist, therapist_id)
        clinic = await gateway.run(app.get_clinic, therapist.clinic_id)
        today = local_date(gateway.now(), ZoneInfo(clinic.timezone))
        start = parse_date(request.query_params.get("start", ""), "start", {})
        start = start or today - timedelta(days=today.weekday())
        week = await reads.week(therapist_id, start, None)
        return render(
            request,
            "week.html",
            therapist=therapist.name,
            week=week,
            grid=week_grid(week),
            today=today,
            previous_week=start - timedelta(days=7),
            next_week=start + timedelta(days=7),
            feed_url=feed_url,
        )

    @post("/week/calendar-link", status_code=200)
    async def calendar_link(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
        reads: NamedDependency[ReadSide],
    ) -> Template:
        """A new secret iCal URL (the previous one stops working), shown once."""
        principal, therapist_id = await _therapist(request, settings, gateway)
        await checked_form(request)
        token = await gateway.run(
            gateway.scheduling.rotate_calendar_token,
            therapist_id,
            actor=principal.actor,
            now=gateway.now(),
        )
        url = str(request.url.with_replacements(path=f"/calendar/{token}{SUFFIX}", query=""))
        return await self._week(request, settings, gateway, reads, feed_url=url)

    @get("/sessions/{session_id:uuid}", name="pages:session")
    async def session(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template:
        """The session's details and its timeline of events (who, when, why)."""
        return await self._session(request, session_id, settings, gateway, errors={}, form={})

    async def _session(
        self,
        request: Request[Any, Any, Any],
        session_id: UUID,
        settings: Settings,
        gateway: Gateway,
        *,
        errors: dict[str, str],
        form: dict[str, str],
        status: int = 200,
    ) -> Template:
        principal = viewer(request, settings, gateway)
        session = await session_for(gateway, principal, session_id)
        page = await gateway.run(session_page, gateway.scheduling, session)
        return render(
            request,
            "session.html",
            status=status,
            page=page,
            zone=ZoneInfo(page.timezone),
            role=principal.role,
            can_complete=principal.role == "therapist"
            and session.status == "booked"
            and session.start <= gateway.now(),
            errors=errors,
            form=form,
        )

    @post("/sessions/{session_id:uuid}/complete", status_code=303)
    async def complete(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[UUID],
        settings: NamedDependency[Settings],
        gateway: NamedDependency[Gateway],
    ) -> Template | Redirect:
        """Record the progress note and pain scores of a held session."""
        principal, _ = await _therapist(request, settings, gateway)
        form = await checked_form(request)
        errors: dict[str, str] = {}
        note = form.get("note", "")
        if not note:
            errors["note"] = "Write a short progress note."
        elif len(note) > 5000:
            errors["note"] = "Keep the note under 5000 characters."
        pains = {}
        for field in ("pain_before", "pain_after"):
            raw = form.get(field, "")
            if not raw.isdigit() or not 0 <= int(raw) <= 10:
                errors[field] = "Enter a whole number from 0 (no pain) to 10."
            else:
                pains[field] = int(raw)
        await session_for(gateway, principal, session_id)
        if not errors:
            try:
                await gateway.run(
                    gateway.scheduling.complete_session,
                    session_id,
                    note=note,
                    actor=principal.actor,
                    now=gateway.now(),
                    **pains,
                )
            except SchedulingError as error:
                errors["note"] = f"{error}."
        if errors:
            return await self._session(
                request, session_id, settings, gateway, errors=errors, form=form, status=400
            )
        return go(f"/app/sessions/{session_id}")
