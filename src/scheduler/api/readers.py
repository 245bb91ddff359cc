"""Reads that combine several records, run in one store thread per request.

A day's route needs the therapist, the clinic, the day and each visit's session, plan
and patient; doing that in one synchronous call costs one thread hop instead of many.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.api.schemas.records import Board, Coordinates, Route, Visit, Week
from scheduler.domain import ClinicView, DayView, Scheduling, TherapistView, VisitView
from scheduler.geo import haversine_km, travel_minutes


def _visit(
    app: Scheduling,
    visit_view: VisitView,
    previous: tuple[float, float],
    speed_kmh: float,
    *,
    with_patient: bool,
    with_pin: bool,
) -> Visit:
    here = visit_view.location
    visit = Visit(
        session_id=visit_view.session_id,
        start_local=visit_view.start_local,
        end_local=visit_view.end_local,
        location=Coordinates.of(here),
        travel_minutes=travel_minutes(previous, here, speed_kmh),
        travel_km=round(haversine_km(previous, here), 2),
    )
    if with_patient:
        session = app.get_session(visit_view.session_id)
        patient = app.get_patient(session.patient_id)
        visit.patient_id = patient.id
        visit.patient_name = patient.name
        visit.setting = session.setting
        if session.plan_id is None:  # an evaluation visit
            visit.condition, visit.specialization = session.visit_reason, "initial evaluation"
        else:
            plan = app.get_plan(session.plan_id)
            visit.condition, visit.specialization = plan.condition, plan.specialization
        visit.contraindications = list(patient.contraindications)
        visit.flags = list(session.flags)
    if with_pin:
        visit.pinned = app.session_pinned(visit_view.session_id)
    return visit


def route(
    app: Scheduling,
    clinic: ClinicView,
    therapist: TherapistView,
    day: DayView,
    *,
    with_patients: bool,
    with_pins: bool = True,
) -> Route:
    """The therapist's day as a route from base through every visit and back; pins are
    today's, so a day as it was at an earlier time (`with_pins=False`) shows none."""
    base = therapist.base
    speed = clinic.travel_speed_kmh
    visits: list[Visit] = []
    here = base
    for visit_view in day.visits:
        visits.append(
            _visit(app, visit_view, here, speed, with_patient=with_patients, with_pin=with_pins)
        )
        here = visit_view.location
    zone_shift = day.shift
    return Route(
        therapist_id=therapist.id,
        therapist_name=therapist.name,
        day=day.day,
        shift_start_local=_local(zone_shift[0], day) if zone_shift else None,
        shift_end_local=_local(zone_shift[1], day) if zone_shift else None,
        base=Coordinates.of(base),
        visits=visits,
        return_minutes=travel_minutes(here, base, speed),
        return_km=round(haversine_km(here, base), 2),
        unavailable=[dict(entry) for entry in day.unavailable],
    )


def _local(instant: datetime, day: DayView) -> datetime:
    return instant.astimezone(ZoneInfo(day.timezone))


def board(app: Scheduling, clinic_id: UUID, day: date, as_of: datetime | None) -> Board:
    """Every therapist's route of the clinic on local `day`, as of `as_of` if given."""
    clinic = app.get_clinic(clinic_id)
    routes = [
        route(
            app,
            clinic,
            therapist,
            app.therapist_day(therapist.id, day, as_of=as_of),
            with_patients=True,
            with_pins=as_of is None,
        )
        for therapist in app.list_therapists(clinic_id)
    ]
    return Board(clinic_id=clinic.id, day=day, timezone=clinic.timezone, as_of=as_of, routes=routes)


def week(app: Scheduling, therapist_id: UUID, start: date) -> Week:
    """The therapist's seven days from `start`, with their patients' names and needs."""
    therapist = app.get_therapist(therapist_id)
    clinic = app.get_clinic(therapist.clinic_id)
    days = [
        route(app, clinic, therapist, day, with_patients=True)
        for day in app.therapist_week(therapist_id, start)
    ]
    return Week(therapist_id=therapist.id, start=start, timezone=clinic.timezone, days=days)
