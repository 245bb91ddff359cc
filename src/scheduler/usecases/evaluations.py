"""A new patient's first visit: the times an evaluation can be booked, and booking it.

The options are every start on the clinic's slot grid, over the next weeks, with a
therapist who treats what the visit is for, inside the patient's weekly availability
when they gave one, that the booking command itself accepts now (each is dry-run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import PatientView, Scheduling, SessionView, TherapistView
from scheduler.domain.errors import SchedulingError
from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.rules import conditions
from scheduler.domain.timekeeping import local_date, wall_clock
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action
from scheduler.usecases.sessions import BOOKING

DAYS_AHEAD = 21
PER_DAY = 6
"""Starts offered per therapist and day (spread over the day), so a page stays short."""


@dataclass(frozen=True)
class EvaluationOption:
    """A time an evaluation visit can be booked, and with whom."""

    therapist_id: UUID
    therapist_name: str
    start: datetime
    end: datetime


def _evaluators(
    app: Scheduling, patient: PatientView, reason: str, setting: str
) -> list[TherapistView]:
    clinic = app.get_clinic(patient.clinic_id)
    wanted = conditions.treating(reason, None, clinic.condition_map)
    return [
        t
        for t in app.list_therapists(patient.clinic_id)
        if t.active
        and (not wanted or wanted & set(t.specializations))
        and (t.mobile or setting != "home")
    ]


def _candidates(
    patient: PatientView, shift: tuple[int, int], day: date, minutes: int, grid: int
) -> list[int]:
    """Local start minutes on the grid inside the shift and the patient's windows."""
    windows = patient.availability.get(WEEKDAYS[day.weekday()]) if patient.availability else None
    spans = [tuple(w) for w in windows] if windows is not None else [shift]
    starts: list[int] = []
    for low, high in spans:
        first = max(low, shift[0])
        first = -(-first // grid) * grid
        starts += range(first, min(high, shift[1]) - minutes + 1, grid)
    return sorted(set(starts))


def find_options(
    app: Scheduling, patient: PatientView, *, reason: str, setting: str, now: datetime, days: int
) -> list[EvaluationOption]:
    """The evaluation's bookable starts (see the module docstring), by day then time."""
    clinic = app.get_clinic(patient.clinic_id)
    zone = ZoneInfo(clinic.timezone)
    today = local_date(now, zone)
    minutes = clinic.evaluation_minutes
    found: list[EvaluationOption] = []
    for therapist in _evaluators(app, patient, reason, setting):
        for offset in range(days):
            day = today + timedelta(days=offset)
            shift = therapist.shifts.get(WEEKDAYS[day.weekday()])
            if shift is None:
                continue
            taken = [(v.start, v.end) for v in app.therapist_day(therapist.id, day).visits]
            picked = 0
            for minute in _candidates(patient, shift, day, minutes, clinic.slot_minutes):
                start = wall_clock(day, minute, zone)
                end = start + timedelta(minutes=minutes)
                if start <= now or any(start < e and s < end for s, e in taken):
                    continue
                try:
                    app.check_evaluation(
                        patient_id=patient.id,
                        therapist_id=therapist.id,
                        start=start,
                        reason=reason,
                        now=now,
                        setting=setting,
                    )
                except SchedulingError:
                    continue
                found.append(EvaluationOption(therapist.id, therapist.name, start, end))
                taken.append((start, end))  # spread the day's offers out
                picked += 1
                if picked == PER_DAY:
                    break
    return sorted(found, key=lambda o: (o.start, o.therapist_name))


@action()
async def options(
    uc: UseCases,
    who: Actor,
    patient_id: UUID,
    *,
    reason: str,
    setting: str = "clinic",
    days: int = 14,
) -> list[EvaluationOption]:
    """When the patient's evaluation visit can be booked (the patient, or the desk)."""
    span = max(1, min(days, DAYS_AHEAD))

    def run(app: Scheduling, now: datetime) -> list[EvaluationOption]:
        patient = access.patient_for(app, who, patient_id)
        return find_options(app, patient, reason=reason, setting=setting, now=now, days=span)

    return await uc.read(run)


@action(limit=BOOKING)
async def book(
    uc: UseCases,
    who: Actor,
    patient_id: UUID,
    *,
    therapist_id: UUID,
    start: datetime,
    reason: str,
    setting: str = "clinic",
) -> SessionView:
    """Book the patient's evaluation visit (the patient, or the front desk for them)."""
    access.check_role(who, "patient", "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> SessionView:
        access.patient_for(app, who, patient_id)
        session_id = app.book_evaluation(
            patient_id=patient_id,
            therapist_id=therapist_id,
            start=start,
            reason=reason,
            setting=setting,
            actor=who.actor,
            now=now,
        )
        return app.get_session(session_id)

    return await uc.write(run)
