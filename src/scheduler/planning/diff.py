"""A proposal against the live calendar: what applying it would move, add and keep.

Computed when asked, not when proposed, because the calendar goes on changing: an item
whose session (or plan) changed since the solve began is `stale` (applying it would
list it as a conflict), and the travel figures are those of today's calendar.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import Scheduling
from scheduler.domain.model.proposal import ProposalItem
from scheduler.domain.timekeeping import dates_between, local_date
from scheduler.domain.views import ProposalView
from scheduler.geo import Location, haversine_km


@dataclass
class Diff:
    """Items of a proposal sorted by what applying them would do."""

    proposal: ProposalView
    moved: list[ProposalItem] = field(default_factory=list)
    added: list[ProposalItem] = field(default_factory=list)
    unchanged: list[ProposalItem] = field(default_factory=list)
    stale: list[ProposalItem] = field(default_factory=list)
    travel_km_before: float = 0.0
    travel_km_after: float = 0.0

    @property
    def travel_km_saved(self) -> float:
        """Route km the proposal saves (negative when new visits add driving)."""
        return round(self.travel_km_before - self.travel_km_after, 2)


def plan_changed(app: Scheduling, proposal: ProposalView, plan_id: UUID) -> bool:
    """True when the plan's sessions differ from those it had when the solve began."""
    live = [str(s) for s in app.get_plan(plan_id).session_ids]
    return live != proposal.plans.get(str(plan_id), [])


def session_changed(app: Scheduling, item: ProposalItem) -> bool:
    """True when the item's session was moved, cancelled or closed since the solve began."""
    assert item.session_id is not None
    live = app.get_session(item.session_id)
    return (
        live.status not in ("booked", "displaced")  # displaced: waiting for this new time
        or live.therapist_id != item.was_therapist_id
        or live.start != item.was_start
    )


def changed(app: Scheduling, proposal: ProposalView) -> set[UUID]:
    """The plans booked or changed since the solve began."""
    return {UUID(plan) for plan in proposal.plans if plan_changed(app, proposal, UUID(plan))}


def diff(app: Scheduling, proposal: ProposalView) -> Diff:
    """Sort the proposal's items against the live calendar and total the routes' km."""
    result = Diff(proposal)
    changed_plans = changed(app, proposal)
    for item in proposal.items:
        if item.session_id is None:
            bucket = result.stale if item.plan_id in changed_plans else result.added
        elif session_changed(app, item):
            bucket = result.stale
        else:
            bucket = result.moved if item.is_move else result.unchanged
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
        bases[therapist.id] = therapist.base
        for day in days:
            for visit in app.therapist_day(therapist.id, day).visits:
                routes[therapist.id, day][str(visit.session_id)] = (visit.start, visit.location)
    before = _km(routes, bases)
    for item in result.moved:
        assert item.was_therapist_id is not None
        assert item.was_start is not None
        old = (item.was_therapist_id, local_date(item.was_start, zone))
        routes[old].pop(str(item.session_id), None)
    for item in [*result.moved, *result.added]:
        where = (item.therapist_id, local_date(item.start, zone))
        key = str(item.session_id) if item.session_id else f"new-{id(item)}"
        routes[where][key] = (item.start, (item.latitude, item.longitude))
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
