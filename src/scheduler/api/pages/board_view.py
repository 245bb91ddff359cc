"""What the dispatcher's board shows beside the routes: demand waiting and proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from scheduler.api.schemas.dispatch import Preview
from scheduler.domain import Scheduling
from scheduler.planning.diff import diff


@dataclass(frozen=True)
class Demand:
    """A plan with sessions left to book and none booked ahead, and why it is waiting."""

    plan_id: UUID
    patient: str
    condition: str
    reason: str


def waiting_demand(app: Scheduling, clinic_id: UUID, now: datetime) -> list[Demand]:
    """Active plans of the clinic with sessions left to book but nothing booked ahead."""
    found = []
    for plan in app.list_plans(clinic_id):
        left = min(plan.sessions, plan.authorized_sessions) - plan.sessions_held
        if plan.status != "active" or left <= 0:
            continue
        sessions = [app.get_session(session_id) for session_id in plan.session_ids]
        if any(s.status == "booked" and s.start > now for s in sessions):
            continue
        place = "home visit" if plan.setting == "home" else "at the clinic"
        held = "no session held yet" if plan.sessions_held == 0 else (f"{plan.sessions_held} held")
        reason = (
            f"nothing booked ahead; {left} of {plan.sessions} sessions left ({held}); "
            f"every {plan.min_days}-{plan.max_days} days; needs {plan.specialization}, {place}"
        )
        patient = app.get_patient(plan.patient_id)
        found.append(Demand(plan.id, patient.name, plan.condition, reason))
    return found


@dataclass(frozen=True)
class ProposalPreview:
    """A proposal's diff against the live calendar, with the names it mentions."""

    preview: Preview
    names: dict[UUID, str]


def proposal_preview(app: Scheduling, proposal_id: UUID) -> ProposalPreview:
    """The proposal's diff (moved, added, unchanged, stale, km saved) with names."""
    proposal = app.get_proposal(proposal_id)
    clinic = app.get_clinic(proposal.clinic_id)
    preview = Preview.of(diff(app, proposal), clinic.timezone)
    names: dict[UUID, str] = {t.id: t.name for t in app.list_therapists(clinic.id)}
    items = [*preview.moved, *preview.added, *preview.unchanged, *preview.stale]
    for patient_id in {item.patient_id for item in items}:
        names[patient_id] = app.get_patient(patient_id).name
    return ProposalPreview(preview, names)
