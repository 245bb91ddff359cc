"""A proposal against the live calendar: what applying it would move, add and keep.

Computed when asked, not when proposed, because the calendar goes on changing: an item
whose session (or plan) changed since the solve began is `stale` (applying it would
list it as a conflict), and the travel figures are those of today's calendar.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import Scheduling
from scheduler.domain.proposals import ProposalView
from scheduler.domain.timekeeping import dates_between, local_date
from scheduler.geo import Location, haversine_km


@dataclass
class Diff:
    """Items of a proposal sorted by what applying them would do."""

    proposal: ProposalView
    moved: list[dict[str, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    stale: list[dict[str, Any]] = field(default_factory=list)
    travel_km_before: float = 0.0
    travel_km_after: float = 0.0

    @property
    def travel_km_saved(self) -> float:
        """Route km the proposal saves (negative when new visits add driving)."""
        return round(self.travel_km_before - self.travel_km_after, 2)


def plan_changed(app: Scheduling, proposal: ProposalView, plan_id: str) -> bool:
    """True when the plan's sessions differ from those it had when the solve began."""
    live = [str(s) for s in app.get_plan(plan_id).session_ids]
    return live != proposal.plans.get(plan_id, [])


def session_changed(app: Scheduling, item: dict[str, Any]) -> bool:
    """True when the item's session was moved, cancelled or closed since the solve began."""
    live = app.get_session(item["session_id"])
    return (
        live.status != "booked"
        or str(live.therapist_id) != item["was_therapist_id"]
        or live.start != item["was_start"]
    )


def is_move(item: dict[str, Any]) -> bool:
    """True when the item puts its session somewhere else than where it was."""
    return bool(
        item["therapist_id"] != item["was_therapist_id"] or item["start"] != item["was_start"]
    )


def diff(app: Scheduling, proposal: ProposalView) -> Diff:
    """Sort the proposal's items against the live calendar and total the routes' km."""
    result = Diff(proposal)
    changed_plans = {plan for plan in proposal.plans if plan_changed(app, proposal, plan)}
    for item in proposal.items:
        if item["session_id"] is None:
            bucket = result.stale if item["plan_id"] in changed_plans else result.added
        elif session_changed(app, item):
            bucket = result.stale
        else:
            bucket = result.moved if is_move(item) else result.unchanged
        bucket.append(item)
    result.travel_km_before, result.travel_km_after = _travel(app, proposal, result)
    return result


def _travel(app: Scheduling, proposal: ProposalView, result: Diff) -> tuple[float, float]:
    """Total route km of the clinic's therapists over the range, now and after applying."""
    clinic = app.get_clinic(proposal.clinic_id)
    zone = ZoneInfo(clinic.timezone)
    days = dates_between(proposal.first_day, proposal.last_day)
    routes: dict[tuple[UUID, date], dict[str, tuple[datetime, Location]]] = defaultdict(dict)
    bases: dict[UUID, Location] = {}
    for therapist in app.list_therapists(clinic.id):
        home = therapist.home if therapist.mobile else None
        bases[therapist.id] = home or clinic.location
        for day in days:
            for visit in app.therapist_day(therapist.id, day).visits:
                routes[therapist.id, day][str(visit.session_id)] = (visit.start, visit.location)
    before = _km(routes, bases)
    for item in result.moved:
        old = (UUID(item["was_therapist_id"]), local_date(item["was_start"], zone))
        routes[old].pop(item["session_id"], None)
    for item in [*result.moved, *result.added]:
        where = (UUID(item["therapist_id"]), local_date(item["start"], zone))
        key = item["session_id"] or f"new-{id(item)}"
        routes[where][key] = (item["start"], (item["location"][0], item["location"][1]))
    return before, _km(routes, bases)


def _km(
    routes: dict[tuple[UUID, date], dict[str, tuple[datetime, Location]]],
    bases: dict[UUID, Location],
) -> float:
    total = 0.0
    for (therapist_id, _), stops in routes.items():
        base = bases.get(therapist_id)
        if base is None or not stops:
            continue
        here = base
        for _, place in sorted(stops.values()):
            total += haversine_km(here, place)
            here = place
        total += haversine_km(here, base)
    return round(total, 2)
