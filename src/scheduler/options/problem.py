"""A small planning problem for one plan's next session, read from the live calendar.

Only what the booking page needs: the days the plan's cadence allows for its next
session (from its last held one; from today if it has none or is overdue), the
therapists who may take it (the previous and the preferred one, then the nearest, at
most `MAX_THERAPISTS`), their shifts less time off, and every visit already on those
days as a pinned stop. The dispatcher's optimizer reads a whole clinic instead
(`scheduler.planning`); reading it all per page view took seconds on a 40-therapist
clinic, this takes a few reads per therapist-day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from scheduler.domain import PlanView, Scheduling, TherapistView
from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.timekeeping import MINUTES_PER_DAY, clinic_zone, local_date, minute_of_day
from scheduler.geo import Location, haversine_km
from scheduler.matching.problem import Plan, Problem, Therapist, Visit, Window

MAX_THERAPISTS = 12
"""Therapists considered per request: continuity and travel rank the rest out anyway."""


@dataclass(frozen=True)
class OptionsProblem:
    """The problem, the visits already booked, and what day 0 is."""

    problem: Problem
    booked: list[Visit]
    first: date
    plan_key: str
    names: dict[str, str]


def _candidates(
    app: Scheduling, plan: PlanView, place: tuple[float, float], previous: UUID | None
) -> list[TherapistView]:
    """Who may take the plan's session, the previous and preferred first, then the nearest."""
    eligible = [
        t
        for t in app.list_therapists(plan.clinic_id)
        if t.active
        and plan.specialization in t.specializations
        and (t.mobile or plan.setting != "home")
    ]

    def rank(t: TherapistView) -> tuple[bool, bool, float]:
        return (t.id != previous, t.id != plan.preferred_therapist, haversine_km(t.base, place))

    return sorted(eligible, key=rank)[:MAX_THERAPISTS]


def _range(plan: PlanView, previous: date | None, today: date, weeks: int) -> tuple[date, date]:
    """Local days the next session may take: the cadence after the previous session (from
    today on; any day if overdue or first), at most `weeks` weeks, not past expiry."""
    first, last = today, today + timedelta(days=7 * weeks - 1)
    if previous is not None and previous + timedelta(days=plan.max_days) >= today:
        first = max(today, previous + timedelta(days=plan.min_days))
        last = min(previous + timedelta(days=plan.max_days), first + timedelta(days=7 * weeks - 1))
    return first, min(last, plan.expires_on)


def build(app: Scheduling, plan: PlanView, *, now: datetime, weeks: int) -> OptionsProblem | None:
    """The problem for the plan's next session, or None when no day is left for it."""
    clinic = app.get_clinic(plan.clinic_id)
    zone = clinic_zone(clinic.timezone)
    today = local_date(now, zone)
    place = plan.location
    # A session a sick call displaced holds no time: it is the one these options place.
    gone = ("cancelled", "displaced")
    theirs = [s for s in app.patient_sessions(plan.patient_id) if s.status not in gone]
    held = [s for s in theirs if s.plan_id == plan.id]
    previous = held[-1] if held else None
    first, last = _range(plan, local_date(previous.start, zone) if previous else None, today, weeks)
    if last < first:
        return None
    days = (last - first).days + 1
    key = str(plan.id)
    plans: dict[str, Plan] = {}
    visits: dict[str, Visit] = {}

    def stand_in(
        session_id: UUID,
        therapist: UUID,
        where: Location,
        start: datetime,
        end: datetime,
        *,
        patient: str,
    ) -> None:
        """Put a booked visit in the problem once (a one-session plan, pinned)."""
        name = f"visit:{session_id}"
        if name not in plans:
            index = (local_date(start, zone) - first).days
            plans[name] = _stand_in(name, where, start, end, patient=patient)
            visits[name] = Visit(name, 1, str(therapist), index, minute_of_day(start, zone))

    # The patient's other sessions on those days (any therapist) keep them busy.
    for session in theirs:
        if session.plan_id != plan.id and first <= local_date(session.start, zone) <= last:
            stand_in(
                session.id,
                session.therapist_id,
                session.location,
                session.start,
                session.end,
                patient=str(plan.patient_id),
            )
    candidates = _candidates(app, plan, place, previous.therapist_id if previous else None)
    therapists: dict[str, Therapist] = {}
    for t in candidates:
        shifts = {}
        for index in range(days):
            day = first + timedelta(days=index)
            window = t.shifts.get(WEEKDAYS[day.weekday()])
            view = app.therapist_day(t.id, day) if window else None
            if window is None or view is None or view.unavailable:
                continue  # no shift, or time off that day: left out rather than modelled
            shifts[index] = Window(index, window[0], window[1])
            for visit in view.visits:
                if previous is None or visit.session_id != previous.id:
                    stand_in(
                        visit.session_id,
                        t.id,
                        visit.location,
                        visit.start,
                        visit.end,
                        patient=f"other:{visit.session_id}",
                    )
        therapists[str(t.id)] = Therapist(
            id=str(t.id),
            skills=frozenset(t.specializations),
            mobile=t.mobile,
            base=t.base,
            shifts=shifts,
            max_visits_per_day=t.max_visits_per_day,
        )
    booked = list(visits.values())
    # Day 0..days-1 is exactly the allowed range: the cadence is written relative to it.
    min_days, max_days, sessions = 0, 0, 1
    if previous is not None:
        # The previous session is session 1 here (its day may lie before day 0): it
        # carries continuity ("same therapist as last time").
        before = (local_date(previous.start, zone) - first).days
        booked.append(
            Visit(key, 1, str(previous.therapist_id), before, minute_of_day(previous.start, zone))
        )
        min_days, max_days, sessions = -before, days - 1 - before, 2
    opens = minute_of_day(now, zone) + 1 if first == today else 0
    preferred = str(plan.preferred_therapist) if plan.preferred_therapist else None
    plans[key] = Plan(
        id=key,
        patient=str(plan.patient_id),
        skill=plan.specialization,
        home=plan.setting == "home",
        location=place,
        sessions=sessions,
        duration=plan.session_minutes,
        min_days=min_days,
        max_days=max_days,
        first_earliest=0,
        first_latest=days - 1,
        availability=tuple(
            Window(i, opens if i == 0 else 0, MINUTES_PER_DAY)
            for i in range(days)
            if i > 0 or opens < MINUTES_PER_DAY
        ),
        preferred_therapist=preferred if preferred in therapists else None,
    )
    problem = Problem(f"options for {key}", days, clinic.travel_speed_kmh, therapists, plans, ())
    return OptionsProblem(problem, booked, first, key, {str(t.id): t.name for t in candidates})


def _stand_in(key: str, where: Location, start: datetime, end: datetime, *, patient: str) -> Plan:
    """A booked visit as a one-session plan, pinned where it is."""
    return Plan(
        id=key,
        patient=patient,
        skill="",
        home=True,
        location=where,
        sessions=1,
        duration=int((end - start).total_seconds() // 60),
        min_days=0,
        max_days=0,
        first_earliest=0,
        first_latest=0,
        availability=(),
    )
