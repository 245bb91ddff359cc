"""Access checks for the read routes that read through the gateway (FHIR, live board).

The rules live in `scheduler.usecases.access`; these are only its async doors.
"""

from __future__ import annotations

from uuid import UUID

from scheduler.api.gateway import Gateway
from scheduler.domain import PlanView, SessionView
from scheduler.usecases import access
from scheduler.usecases.access import may_see_session
from scheduler.usecases.actor import Actor

__all__ = ["check_clinic", "may_see_session", "plan_for", "session_for"]


async def session_for(gateway: Gateway, who: Actor, session_id: UUID) -> SessionView:
    """The session if the caller may see it; 404 if unknown, 403 if someone else's."""
    return await gateway.run(access.session_for, gateway.scheduling, who, session_id)


async def check_clinic(gateway: Gateway, who: Actor, clinic_id: UUID) -> None:
    """Pass if the caller manages the clinic; 404 if unknown, 403 otherwise."""
    await gateway.run(access.clinic_for, gateway.scheduling, who, clinic_id)


async def plan_for(gateway: Gateway, who: Actor, plan_id: UUID) -> PlanView:
    """The plan if the caller may see it; 404 if unknown, 403 if someone else's."""
    return await gateway.run(access.plan_for, gateway.scheduling, who, plan_id)
