"""Plans as their people see them: the plan, its sessions, history, and the next options."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from scheduler.domain import HistoryEntry, PlanView, Scheduling, SessionView
from scheduler.domain.errors import InvalidInput, UnknownSession
from scheduler.options import ranking, sources
from scheduler.options.plan_sides import PlanSides
from scheduler.options.ranking import PAGE_SIZE, SessionOptions
from scheduler.options.search import PARTS_OF_DAY, DayFrame, Filters, Indexed
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action

log = logging.getLogger("scheduler.readside")


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


@dataclass(frozen=True)
class OptionQuery:
    """What the caller narrowed the options to, and which page."""

    therapist: UUID | None = None
    part_of_day: str | None = None
    first: date | None = None
    last: date | None = None
    page: int = 1
    size: int = PAGE_SIZE

    def filters(self) -> Filters:
        """The search's filters."""
        return Filters(self.therapist, self.part_of_day, self.first, self.last)


async def _search(
    uc: UseCases, who: Actor, plan_id: UUID, query: OptionQuery, moving: UUID | None
) -> SessionOptions:
    """Read the plan's side, then the therapists' days once (read model on PostgreSQL,
    else the domain), then rank and page."""
    if query.part_of_day is not None and query.part_of_day not in PARTS_OF_DAY:
        raise InvalidInput(f"part_of_day must be one of {sorted(PARTS_OF_DAY)}")
    if query.first and query.last and query.first > query.last:
        raise InvalidInput("the first day of the range is after its last day")
    staff = who.role in ("dispatcher", "admin")
    days: list[DayFrame] | Indexed | None = None
    cache, sides = getattr(uc.reads, "days", None), getattr(uc.reads, "plans", None)
    if cache is None or sides is None:  # the embedded store: everything from the domain
        ask, days = await uc.read(
            lambda app, now: _from_domain(
                app, _checked_ask(app, who, plan_id, moving, now), now, query
            )
        )
    else:
        ask = await _kept_ask(uc, sides, who, plan_id, moving)
        if not ask.note:
            try:
                fresh = await sources.read_model_frames(cache, ask, therapist_id=query.therapist)
            except Exception as error:  # refused connections, asyncpg errors, missing tables
                log.warning(
                    "read model unavailable, reading the options' days from the event store",
                    extra={"error_type": type(error).__name__},
                )
                fresh = None
            if fresh is not None:
                ask, days = fresh
    if days is None:  # the read model cannot answer: the domain does, slower
        found = ask
        ask, frames = await uc.read(lambda app, now: _from_domain(app, found, now, query))
        days = frames
    return ranking.present(
        ask, days, query.filters(), page=query.page, size=query.size, staff=staff
    )


def _checked_ask(
    app: Scheduling, who: Actor, plan_id: UUID, moving: UUID | None, now: datetime
) -> sources.Ask:
    """The plan's side from the domain, once the caller may search it."""
    if moving is not None:
        session = access.session_for(app, who, moving)
        if session.plan_id is None:
            raise InvalidInput("an evaluation visit is moved by the front desk")
        _check_movable(session)
        plan_id = session.plan_id
    access.plan_for(app, who, plan_id)
    return sources.ask(app, plan_id, now=now, moving=moving)


async def _kept_ask(
    uc: UseCases, sides: PlanSides, who: Actor, plan_id: UUID, moving: UUID | None
) -> sources.Ask:
    """`_checked_ask` from the plan's side the API keeps (`options.plan_sides`); the
    roster is the caller's (the read model's days)."""
    if moving is not None:
        owner = await sides.plan_of(uc, moving)
        if owner is None:
            await uc.read(lambda app, _: access.session_for(app, who, moving))
            raise InvalidInput("an evaluation visit is moved by the front desk")
        side = await sides.side(uc, owner)
        session = next((s for s in side.sessions if s.id == moving), None)
        if session is None:  # never expected: a plan's side lists every session it held
            raise UnknownSession(f"no session with id {moving} on its plan")
        access.check_session_seen(who, session)
        _check_movable(session)
    else:
        side = await sides.side(uc, plan_id)
    access.check_plan_seen(who, side.plan)
    return sources.ask_of(side, now=uc.clock(), moving=moving)


def _check_movable(session: SessionView) -> None:
    if session.status != "booked":
        raise InvalidInput(f"the session is {session.status}: only a booked one moves")


def _from_domain(
    app: Scheduling, ask: sources.Ask, now: datetime, query: OptionQuery
) -> tuple[sources.Ask, list[DayFrame]]:
    """The roster and days from the event store (embedded store, or no read model)."""
    if not ask.therapists and not ask.note:
        ask = sources.ask(app, ask.plan.id, now=now, moving=ask.moving)
    return ask, sources.domain_frames(app, ask, therapist_id=query.therapist)


@action()
async def options(
    uc: UseCases, who: Actor, plan_id: UUID, query: OptionQuery | None = None
) -> SessionOptions:
    """Every bookable start for the plan's next session, ranked, with reasons; one page."""
    access.check_role(who, "patient", "dispatcher", "admin")
    return await _search(uc, who, plan_id, query or OptionQuery(), None)


@action()
async def move_options(
    uc: UseCases, who: Actor, session_id: UUID, query: OptionQuery | None = None
) -> SessionOptions:
    """Every start a booked session can move to, ranked like the booking's options."""
    access.check_role(who, "patient", "dispatcher", "admin")
    return await _search(uc, who, session_id, query or OptionQuery(), session_id)
