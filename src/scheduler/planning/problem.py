"""From the live calendar to the engine's planning problem (`spec/planning-problem.md`).

What each booked session becomes (in this order):
- begun already (or completed, missed): `fixed`, it is history;
- its therapist is off at that time (sick, time off, no shift any more): free, so the
  solver places it again: these are the visits a re-plan moves;
- pinned by a dispatcher: `fixed`;
- a re-plan (`purpose="replan"`): `previous`, kept exactly where it is while it fits;
- an optimization that keeps bookings (the default): `fixed`; one that may move them:
  free.

Patient availability: the patient's recorded weekly windows on every day of the range up
to the prescription's expiry (all day where none are recorded; today: from now on; for a
plan with a displaced visit, the days within `max_days` of it);
the therapist's shift limits the time too. Booked sessions get a window of their own so
they stay valid where they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.timekeeping import MINUTES_PER_DAY, dates_between, local_date, minute_of_day
from scheduler.matching.problem import Problem, Visit, load_problem
from scheduler.planning.horizon import Booked, Horizon, PlanInRange

Purpose = Literal["optimize", "replan"]


@dataclass
class Planning:
    """A problem for the engine and how its plans and sessions map back to the calendar."""

    horizon: Horizon
    purpose: Purpose
    document: dict[str, Any]
    problem: Problem
    # (plan id, session number in the problem) -> the booked session it stands for.
    sessions: dict[tuple[str, int], Booked] = field(default_factory=dict)
    previous: list[Visit] | None = None


def _first_day(horizon: Horizon, entry: PlanInRange) -> tuple[int, int] | None:
    """Days allowed for the plan's first session in the range, from its cadence."""
    earliest, latest = 0, horizon.days - 1
    plan = entry.plan
    if entry.last_before is not None:
        since = (entry.last_before - horizon.first).days
        earliest, latest = since + plan.min_days, since + plan.max_days
        if latest < 0:  # overdue: as soon as possible is the best the range can do
            earliest, latest = 0, horizon.days - 1
        earliest, latest = max(0, earliest), min(horizon.days - 1, latest)
    if entry.booked:  # a booking made by hand stands, even off the cadence
        day = entry.booked[0].day
        earliest, latest = min(earliest, day), max(latest, day)
    return (earliest, latest) if earliest <= latest else None


def _availability(horizon: Horizon, entry: PlanInRange) -> list[dict[str, int]]:
    today = local_date(horizon.now, horizon.zone)
    weekly = entry.patient.availability
    windows = []
    # A visit a sick call displaced is searched for around its own day: within the
    # plan's longest gap either side (the range also serves other plans).
    near = [b.day for b in entry.booked if b.displaced]
    for index, day in enumerate(dates_between(horizon.first, horizon.last)):
        if day > entry.plan.expires_on:
            break
        if near and all(abs(index - d) > entry.plan.max_days for d in near):
            continue
        earliest = minute_of_day(horizon.now, horizon.zone) + 1 if day == today else 0
        spans = weekly.get(WEEKDAYS[day.weekday()], []) if weekly else [[0, MINUTES_PER_DAY]]
        for start, end in spans:
            if max(start, earliest) < end:
                windows.append({"day": index, "start": max(start, earliest), "end": end})
    duration = entry.plan.session_minutes
    windows += [{"day": b.day, "start": b.start, "end": b.start + duration} for b in entry.booked]
    return windows


def _role(booked: Booked, purpose: Purpose, *, keep_booked: bool) -> str:
    """'fixed', 'previous' or 'free': see the module docstring."""
    if booked.started:
        return "fixed"
    if booked.affected:
        return "free"
    if booked.pinned:
        return "fixed"
    if purpose == "replan":
        return "previous"
    return "fixed" if keep_booked else "free"


def _therapists(horizon: Horizon) -> list[dict[str, Any]]:
    out = []
    for therapist in horizon.therapists.values():
        shifts = [
            {"day": day, "start": window[0], "end": window[1]}
            for (who, day), window in sorted(horizon.windows.items(), key=lambda kv: kv[0][1])
            if who == therapist.id
        ]
        out.append(
            {
                "id": str(therapist.id),
                "skills": list(therapist.specializations),
                "mobile": therapist.mobile and therapist.home is not None,
                "clinic": str(horizon.clinic.id),
                "home": list(therapist.home) if therapist.home else None,
                "shifts": shifts,
                "max_visits_per_day": therapist.max_visits_per_day,
            }
        )
    return out


def build_problem(horizon: Horizon, purpose: Purpose, *, keep_booked: bool = True) -> Planning:
    """The planning problem of the horizon, and the map back to its sessions.

    A re-plan adds no sessions: it only finds new places for the visits that lost theirs.
    """
    document: dict[str, Any] = {
        "name": f"{horizon.clinic.name} {horizon.first}..{horizon.last}",
        "start_date": horizon.first.isoformat(),
        "days": horizon.days,
        "timezone": horizon.clinic.timezone,
        "travel": {"speed_kmh": horizon.clinic.travel_speed_kmh},
        # Our own key: what a re-plan places or moves starts on the booking grid.
        "slot_minutes": horizon.clinic.slot_minutes,
        "clinics": [{"id": str(horizon.clinic.id), "location": list(horizon.clinic.location)}],
        "therapists": _therapists(horizon),
        "plans": [],
        "fixed": [],
        "displaced": [],
    }
    sessions: dict[tuple[str, int], Booked] = {}
    previous: list[Visit] = []
    for plan_id, entry in horizon.plans.items():
        key = str(plan_id)
        first_day = _first_day(horizon, entry)
        # No more sessions than the cadence lets the range hold, so scores stay honest.
        room = 1 + (horizon.days - 1) // max(1, entry.plan.min_days) - len(entry.booked)
        more = max(0, min(entry.more, room)) if purpose == "optimize" else 0
        if first_day is None or (not entry.booked and not more):
            continue
        plan = entry.plan
        document["plans"].append(
            {
                "id": key,
                "patient": str(plan.patient_id),
                "skill": plan.specialization,
                "setting": plan.setting,
                "location": list(entry.patient.home),
                "clinic": str(horizon.clinic.id),
                "sessions": len(entry.booked) + more,
                "duration": plan.session_minutes,
                "cadence": {"min_days": plan.min_days, "max_days": plan.max_days},
                "first_day": {"earliest": first_day[0], "latest": first_day[1]},
                "availability": _availability(horizon, entry),
                "preferred_therapist": _known(horizon, plan.preferred_therapist),
            }
        )
        for number, booked in enumerate(entry.booked, start=1):
            sessions[key, number] = booked
            visit = Visit(key, number, str(booked.session.therapist_id), booked.day, booked.start)
            role = _role(booked, purpose, keep_booked=keep_booked)
            if role == "fixed":
                document["fixed"].append(_visit_json(visit))
            elif role == "free" and booked.affected and purpose == "replan":
                # Lost to a sick call (v1.1): the re-plan may postpone it, so the plan's
                # later sessions keep their places.
                document["displaced"].append({"plan": key, "session": number})
            elif role == "previous":
                previous.append(visit)
    problem = load_problem(document)
    return Planning(
        horizon=horizon,
        purpose=purpose,
        document=document,
        problem=problem,
        sessions=sessions,
        previous=previous if purpose == "replan" else None,
    )


def _known(horizon: Horizon, therapist_id: UUID | None) -> str | None:
    return str(therapist_id) if therapist_id in horizon.therapists else None


def _visit_json(visit: Visit) -> dict[str, Any]:
    return {
        "plan": visit.plan,
        "session": visit.session,
        "therapist": visit.therapist,
        "day": visit.day,
        "start": visit.start,
    }
