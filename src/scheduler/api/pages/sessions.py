"""A session's page: what its therapist needs to know, the progress note, its history.

Patients, therapists and dispatchers each see the sessions the access rules give them;
the therapist sees the patient's needs (condition, skill, contraindications) and no
more (no phone, address book entries or evaluation notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.access import session_for
from scheduler.api.auth import PUBLIC
from scheduler.api.gateway import Gateway
from scheduler.api.pages.web import checked_form, go, render, viewer
from scheduler.api.pages.week import signed_in_therapist
from scheduler.domain import HistoryEntry, Scheduling, SessionView
from scheduler.domain.errors import SchedulingError
from scheduler.settings import Settings


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


class SessionPages(Controller):
    """`/app/sessions/{id}`."""

    path = "/app"
    include_in_schema = False
    opt = PUBLIC

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
        principal, _ = await signed_in_therapist(request, settings, gateway)
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
