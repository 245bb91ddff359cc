"""From the engine's result to a stored proposal: one item per visit it places.

Sessions that have begun, been completed or been missed are history, not items: they
stay in the problem as fixed visits (they occupy their time and count toward the
plan's progress) but a proposal never offers to move or keep them, so a session closed
between the solve and the preview is not "out of date" and applying is no conflict.

An item (`ProposalItem`) names the plan, the session it moves (None for a new one), the
therapist, the start and end (UTC) and where it takes place; a moved or kept session
also records where it was when the solve began (`was_*`), so applying it later can tell
whether someone changed that session meanwhile. Booked sessions the result could not place are
listed as `unplaced`, with the solver's reason; they are never cancelled by the planner.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import Scheduling
from scheduler.domain.errors import SchedulingError
from scheduler.domain.model.proposal import ProposalItem, UnplacedItem
from scheduler.domain.timekeeping import wall_clock
from scheduler.matching.result import PlanResult
from scheduler.planning.horizon import Booked, Horizon
from scheduler.planning.problem import Planning


def _items(app: Scheduling, planning: Planning, result: PlanResult) -> list[ProposalItem]:
    horizon = planning.horizon
    items = []
    for visit in result.visits:
        plan = horizon.plans[UUID(visit.plan)]
        start = wall_clock(horizon.first + timedelta(days=visit.day), visit.start, horizon.zone)
        booked = planning.sessions.get((visit.plan, visit.session))
        if booked is not None and booked.started:
            continue  # history: see the module docstring
        place = booked.session.location if booked else plan.plan.location
        if booked is not None and booked.session.start != start:
            start = _bookable_on_grid(app, booked, UUID(visit.therapist), start, horizon)
        therapist = UUID(visit.therapist)
        items.append(
            ProposalItem(
                plan_id=plan.plan.id,
                patient_id=plan.plan.patient_id,
                session_id=booked.session.id if booked else None,
                therapist_id=therapist,
                start=start,
                end=start + timedelta(minutes=plan.plan.session_minutes),
                latitude=place[0],
                longitude=place[1],
                was_therapist_id=booked.session.therapist_id if booked else None,
                was_start=booked.session.start if booked else None,
                why=_why(planning, booked, therapist, start),
            )
        )
    return sorted(items, key=lambda item: (item.start, str(item.therapist_id)))


def on_grid(start: datetime, grid: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The clinic's slot-grid starts (local time) at or after and at or before `start`
    (09:04 -> 09:15 and 09:00 on a 15-minute grid)."""
    grid = max(1, grid)
    local = start.astimezone(zone)
    floor = start.replace(second=0, microsecond=0) - timedelta(minutes=local.minute % grid)
    if floor == start:
        return start, start
    return floor + timedelta(minutes=grid), floor


def _bookable_on_grid(
    app: Scheduling, booked: Booked, therapist: UUID, start: datetime, horizon: Horizon
) -> datetime:
    """A moved visit's start on the slot grid (a proposal offers only times the desk could
    book by hand): the later grid time, else the earlier, whichever the calendar takes
    now; the engine's own time if neither fits (its neighbours leave no room)."""
    for candidate in dict.fromkeys(on_grid(start, horizon.clinic.slot_minutes, horizon.zone)):
        try:
            app.check_move(
                session_id=booked.session.id,
                therapist_id=therapist,
                start=candidate,
                now=horizon.now,
            )
        except SchedulingError:
            continue
        return candidate
    return start


def _why(planning: Planning, booked: Booked | None, therapist: UUID, start: datetime) -> str:
    """Why the item is in the proposal, in the dispatcher's words."""
    horizon = planning.horizon
    names = {t.id: t.name for t in horizon.therapists.values()}
    if booked is None:
        return "a new session the plan still has to book"
    was = booked.session
    if was.therapist_id == therapist and was.start == start:
        return "stays as it is"
    zone = horizon.zone
    other_day = was.start.astimezone(zone).date() != start.astimezone(zone).date()
    new = names.get(therapist, "another therapist")
    if booked.displaced or booked.affected:
        cause = f"{names.get(was.therapist_id, 'its therapist')} is off at that time"
        if was.therapist_id == therapist:
            return f"{cause}: same therapist, another day"
        return f"{cause}: with {new}{', another day' if other_day else ', same day'}"
    changes = []
    if was.therapist_id != therapist:
        changes.append(f"therapist {names.get(was.therapist_id, '?')} → {new}")
    if other_day:
        changes.append("another day")
    else:
        shift = int(abs((start - was.start).total_seconds()) // 60)
        changes.append(f"{shift} min {'later' if start > was.start else 'earlier'}")
    return "moved to make room for a visit the sick call displaced: " + ", ".join(changes)


def _unplaced(planning: Planning, result: PlanResult) -> list[UnplacedItem]:
    placed = {(visit.plan, visit.session) for visit in result.visits}
    reasons = {(u.plan, u.session): u.reason for u in result.unscheduled}
    for key in result.postponed:
        reasons.setdefault(key, "no time in its cadence window keeps every rule: postponed")
    return [
        UnplacedItem(
            plan_id=UUID(key[0]),
            session_id=booked.session.id,
            therapist_id=booked.session.therapist_id,
            start=booked.session.start,
            reason=reasons.get(key, "no place left that keeps every rule"),
        )
        for key, booked in planning.sessions.items()
        if key not in placed and not booked.started
    ]


def summary_of(planning: Planning, result: PlanResult) -> dict[str, Any]:
    """The solver's scores and status, and how many new sessions stayed unplaced."""
    new_unscheduled = sum(
        1 for u in result.unscheduled if (u.plan, u.session) not in planning.sessions
    )
    return {
        "solver_status": result.status,
        "scores": asdict(result.scores),
        "new_sessions_unplaced": new_unscheduled,
        "search_s": result.timings.get("search_s", 0.0),
    }


def record_proposal(
    app: Scheduling, planning: Planning, result: PlanResult, *, actor: str, now: datetime
) -> UUID:
    """Store the result as a proposal of the horizon's clinic; returns its id."""
    horizon = planning.horizon
    return app.record_proposal(
        clinic_id=horizon.clinic.id,
        first_day=horizon.first,
        last_day=horizon.last,
        purpose=planning.purpose,
        items=_items(app, planning, result),
        unplaced=_unplaced(planning, result),
        plans={
            str(plan_id): [str(s) for s in entry.plan.session_ids]
            for plan_id, entry in horizon.plans.items()
        },
        summary=summary_of(planning, result),
        actor=actor,
        now=now,
    )
