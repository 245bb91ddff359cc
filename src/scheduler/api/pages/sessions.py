"""A session's page: what its therapist needs to know, the progress note (and its
amendments), its history.

Patients, therapists and dispatchers each see the sessions the access rules give them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages.desk import directions
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.domain.rules.care import CONTRAINDICATIONS
from scheduler.usecases import sessions as actions

MAX_NOTE = 5000


def _note_fields(form: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The note and pain scores of a completion or amendment form (errors noted)."""
    note = form.get("note", "")
    if not note:
        errors["note"] = "Write a short progress note."
    elif len(note) > MAX_NOTE:
        errors["note"] = f"Keep the note under {MAX_NOTE} characters."
    fields: dict[str, Any] = {"note": note}
    for field in ("pain_before", "pain_after"):
        raw = form.get(field, "")
        if not raw.isascii() or not raw.isdigit() or not 0 <= int(raw) <= 10:
            errors[field] = "Enter a whole number from 0 (no pain) to 10."
        else:
            fields[field] = int(raw)
    return fields


def _reassessment(form: dict[str, str], errors: dict[str, str]) -> actions.Reassessed | None:
    """A reassessment session's re-evaluation: pain now, confirmed flags, findings."""
    raw = form.get("reassess-pain", "")
    findings = form.get("reassess-findings", "")
    if not raw.isascii() or not raw.isdigit() or not 0 <= int(raw) <= 10:
        errors["reassess-pain"] = "Enter a whole number from 0 (no pain) to 10."
    if not findings:
        errors["reassess-findings"] = "Write what you found at the reassessment."
    elif len(findings) > MAX_NOTE:
        errors["reassess-findings"] = f"Keep the findings under {MAX_NOTE} characters."
    if errors:
        return None
    flags = [key.removeprefix("reassess-flag-") for key in form if key.startswith("reassess-flag-")]
    return actions.Reassessed(pain_level=int(raw), contraindications=flags, findings=findings)


class SessionPages(Controller):
    """`/app/sessions/{id}`."""

    path = "/app"
    include_in_schema = False
    opt = PUBLIC

    @get("/sessions/{session_id:uuid}", name="pages:session")
    async def session(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template:
        """The session's details and its timeline of events (who, when, why)."""
        return await self._session(page, session_id, errors={}, form={})

    async def _session(
        self,
        page: PageContext,
        session_id: UUID,
        *,
        errors: dict[str, str],
        form: dict[str, str],
        status: int = 200,
    ) -> Template:
        who = page.signed_in()
        shown = await actions.page(page.uc, who, session_id)
        session = shown.session
        return page.render(
            "session.html",
            status=status,
            page=shown,
            zone=ZoneInfo(shown.timezone),
            role=who.role,
            can_complete=who.role == "therapist"
            and session.status == "booked"
            and session.start <= page.uc.clock(),
            can_amend=who.role == "therapist" and session.status == "completed",
            flags=sorted(CONTRAINDICATIONS),
            directions=directions(shown.home_address) if shown.home_address else "",
            errors=errors,
            form=form,
        )

    @post("/sessions/{session_id:uuid}/complete", status_code=303)
    async def complete(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record the progress note and pain scores of a held session."""
        who = page.signed_in("therapist")
        form = await page.form()
        errors: dict[str, str] = {}
        fields = _note_fields(form, errors)
        reassessment = _reassessment(form, errors) if form.get("reassessment") else None
        if not errors:
            with refusal_on(errors, "note"):
                await actions.complete(
                    page.uc, who, session_id, reassessment=reassessment, **fields
                )
                return go(f"/app/sessions/{session_id}")
        return await self._session(page, session_id, errors=errors, form=form, status=400)

    @post("/sessions/{session_id:uuid}/note", status_code=303)
    async def amend(
        self, page: NamedDependency[PageContext], session_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Amend the progress note of a completed session (the original stays)."""
        who = page.signed_in("therapist")
        form = await page.form()
        errors: dict[str, str] = {}
        fields = _note_fields(form, errors)
        reason = form.get("reason", "")
        if not reason:
            errors["reason"] = "Say why the note is amended."
        elif len(reason) > 500:
            errors["reason"] = "Keep the reason under 500 characters."
        if not errors:
            with refusal_on(errors, "note"):
                await actions.amend_note(page.uc, who, session_id, reason=reason, **fields)
                return go(f"/app/sessions/{session_id}")
        return await self._session(page, session_id, errors=errors, form=form, status=400)
