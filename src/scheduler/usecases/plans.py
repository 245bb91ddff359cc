"""Plans as their people see them: the plan, its sessions, history, and the next options."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from scheduler.domain import HistoryEntry, PlanView, Scheduling, SessionView
from scheduler.options.ranking import SessionOptions, rank_options
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action


@action()
async def get(uc: UseCases, who: Actor, plan_id: UUID) -> PlanView:
    """The plan, if it is the caller's, one they treat, or in their clinic."""
    return await uc.read(lambda app, _: access.plan_for(app, who, plan_id))


@action()
async def sessions(uc: UseCases, who: Actor, plan_id: UUID) -> list[SessionView]:
    """The plan's sessions in start order (a therapist sees only their own)."""

    def run(app: Scheduling, _: datetime) -> list[SessionView]:
        plan = access.plan_for(app, who, plan_id)
        views = sorted((app.get_session(s) for s in plan.session_ids), key=lambda s: s.start)
        return [view for view in views if access.may_see_session(who, view)]

    return await uc.read(run)


@action()
async def history(uc: UseCases, who: Actor, plan_id: UUID) -> list[HistoryEntry]:
    """Every event of the plan, oldest first."""

    def run(app: Scheduling, _: datetime) -> list[HistoryEntry]:
        access.plan_for(app, who, plan_id)
        return app.history(plan_id)

    return await uc.read(run)


@action()
async def mine(uc: UseCases, who: Actor) -> list[PlanView]:
    """The signed-in patient's plans, oldest first."""
    access.check_role(who, "patient")
    assert who.acts_for is not None, "a patient account acts for a patient"
    patient_id = who.acts_for
    return await uc.read(
        lambda app, _: [app.get_plan(p) for p in app.get_patient(patient_id).plans]
    )


@action()
async def my_sessions(uc: UseCases, who: Actor) -> list[SessionView]:
    """Every session of the signed-in patient (any status), in start order."""
    access.check_role(who, "patient")
    assert who.acts_for is not None, "a patient account acts for a patient"
    patient_id = who.acts_for
    return await uc.read(lambda app, _: app.patient_sessions(patient_id))


@action()
async def options(
    uc: UseCases, who: Actor, plan_id: UUID, *, k: int = 5, weeks: int = 2
) -> SessionOptions:
    """The best options for the plan's next session, each with its reason."""
    access.check_role(who, "patient", "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> SessionOptions:
        access.plan_for(app, who, plan_id)
        return rank_options(app, plan_id, now=now, k=k, weeks=weeks)

    return await uc.read(run)
