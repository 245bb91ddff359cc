"""Who may see or change which record: the one place the API decides it.

Rules: an admin sees everything; a dispatcher sees the records of their clinic; a
patient sees their own plans and sessions; a therapist sees their own sessions and the
plans they treat. An unknown id answers 404; a record of someone else answers 403 and
none of its data (not even whose it is). Guards on the routes decide *what* a role may
do; these functions decide *to which record*.
"""

from __future__ import annotations

from uuid import UUID

from scheduler.api.auth import Principal
from scheduler.api.errors import Forbidden, OtherClinic
from scheduler.api.gateway import Gateway
from scheduler.domain import PlanView, Scheduling, SessionView


def _deny(what: str) -> Forbidden:
    return Forbidden(f"this {what} is not yours to see or change; use an id from your own list")


def may_see_session(principal: Principal, session: SessionView) -> bool:
    """True when the caller may see this session."""
    match principal.role:
        case "admin":
            return True
        case "dispatcher":
            return session.clinic_id == principal.clinic_id
        case "patient":
            return session.patient_id == principal.acts_for
        case "therapist":
            return session.therapist_id == principal.acts_for
    return False


def _may_see_plan(app: Scheduling, principal: Principal, plan: PlanView) -> bool:
    match principal.role:
        case "admin":
            return True
        case "dispatcher":
            return plan.clinic_id == principal.clinic_id
        case "patient":
            return plan.patient_id == principal.acts_for
        case "therapist":
            if plan.preferred_therapist == principal.acts_for:
                return True
            return any(
                app.get_session(session_id).therapist_id == principal.acts_for
                for session_id in plan.session_ids
            )
    return False


async def session_for(gateway: Gateway, principal: Principal, session_id: UUID) -> SessionView:
    """The session if the caller may see it; 404 if unknown, 403 if someone else's."""
    session = await gateway.run(gateway.scheduling.get_session, session_id)
    if not may_see_session(principal, session):
        raise _deny("session")
    return session


async def plan_for(gateway: Gateway, principal: Principal, plan_id: UUID) -> PlanView:
    """The plan if the caller may see it; 404 if unknown, 403 if someone else's."""
    app = gateway.scheduling

    def load() -> tuple[PlanView, bool]:
        plan = app.get_plan(plan_id)
        return plan, _may_see_plan(app, principal, plan)

    plan, allowed = await gateway.run(load)
    if not allowed:
        raise _deny("plan")
    return plan


async def check_therapist_of(gateway: Gateway, therapist_id: UUID, clinic_id: UUID) -> None:
    """Pass if the therapist works at the clinic; 404 if unknown, 422 if at another clinic."""
    therapist = await gateway.run(gateway.scheduling.get_therapist, therapist_id)
    if therapist.clinic_id != clinic_id:
        raise OtherClinic("the therapist works at another clinic: choose one of this plan's clinic")


async def check_clinic(gateway: Gateway, principal: Principal, clinic_id: UUID) -> None:
    """Pass if the caller manages the clinic; 404 if unknown, 403 otherwise."""
    await gateway.run(gateway.scheduling.get_clinic, clinic_id)
    if principal.role != "admin" and principal.clinic_id != clinic_id:
        raise _deny("clinic")
