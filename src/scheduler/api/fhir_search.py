"""FHIR searches: a patient's or practitioner's Appointments, a therapist's free Slots.

Run in a store thread (`gateway.run`). What the caller may see is decided per record
as everywhere else (`access`); dates follow the FHIR prefixes (`fhir_dates`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from scheduler.api import fhir_dates
from scheduler.api import fhir_resources as fhir
from scheduler.api.access import may_see_session
from scheduler.api.auth import Principal
from scheduler.api.fhir_dates import DateParam, InvalidSearch
from scheduler.domain import Scheduling, SessionView
from scheduler.domain.errors import InvalidInput, NotFound
from scheduler.domain.timekeeping import clinic_zone, dates_between, local_date
from scheduler.usecases.errors import Forbidden

MAX_DAYS = 31
"""The longest span of days one Slot search covers."""
MAX_APPOINTMENT_DAYS = 366
"""The longest span of days one practitioner's Appointment search covers."""
PAST_DAYS, FUTURE_DAYS = 28, 84
"""A practitioner's appointments without dates: four weeks back and twelve ahead."""


def reference_id(reference: str, kind: str) -> UUID:
    """`Patient/<uuid>` or a bare `<uuid>` as a UUID; InvalidSearch otherwise."""
    try:
        return UUID(reference.removeprefix(f"{kind}/"))
    except ValueError:
        raise InvalidSearch(
            f"{kind.lower()} must be '{kind}/<id>' or an id, got {reference!r}"
        ) from None


def appointments(app: Scheduling, sessions: list[SessionView]) -> list[dict[str, Any]]:
    """The sessions as Appointments, each with its version."""
    return [fhir.appointment(s, *app.session_revision(s.id)) for s in sessions]


def _days(earliest: datetime, until: datetime, zone: Any) -> tuple[date, date]:
    return local_date(earliest, zone), local_date(until - timedelta(microseconds=1), zone)


def search_appointments(
    app: Scheduling,
    principal: Principal,
    *,
    patient: str | None,
    practitioner: str | None,
    dates: list[str] | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """The appointments of one patient or practitioner that the caller may see, on the
    dates asked for."""
    if (patient is None) == (practitioner is None):
        raise InvalidInput("search by exactly one of patient=Patient/<id> or practitioner=…")
    fhir_dates.parse_all("date", dates, clinic_zone("UTC"))  # refuse bad dates first
    try:
        if patient is not None:
            subject = app.get_patient(reference_id(patient, "Patient"))
            zone = clinic_zone(app.get_clinic(subject.clinic_id).timezone)
            wanted = fhir_dates.parse_all("date", dates, zone)
            sessions = app.patient_sessions(subject.id)
        else:
            therapist = app.get_therapist(reference_id(str(practitioner), "Practitioner"))
            zone = clinic_zone(app.get_clinic(therapist.clinic_id).timezone)
            wanted = fhir_dates.parse_all("date", dates, zone)
            earliest, until = fhir_dates.span(wanted)
            today = local_date(now, zone)
            first = today - timedelta(days=PAST_DAYS)
            last = today + timedelta(days=FUTURE_DAYS)
            if earliest is not None:
                first = local_date(earliest, zone)
            if until is not None:
                last = local_date(until - timedelta(microseconds=1), zone)
            if (last - first).days >= MAX_APPOINTMENT_DAYS:
                raise InvalidInput(f"give dates at most {MAX_APPOINTMENT_DAYS} days apart")
            entries = app.therapist_feed(therapist.id, first_day=first, last_day=last)
            sessions = [app.get_session(e.session_id) for e in entries if not e.moved_away]
    except NotFound:
        return []  # FHIR: a search naming nobody matches nothing
    visible = [
        s
        for s in sessions
        if may_see_session(principal, s) and fhir_dates.matches_all(wanted, s.start)
    ]
    return appointments(app, visible)


def free_slots(
    app: Scheduling,
    principal: Principal,
    therapist_id: UUID,
    *,
    starts: list[str] | None,
    ends: list[str] | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """The therapist's free time (shifts minus visits and time off; travel between
    visits is checked when booking) whose start and end match the search, and a note
    for the client when the server chose the range's other end."""
    therapist = app.get_therapist(therapist_id)
    allowed = principal.role == "admin" or (
        principal.acts_for == therapist.id
        if principal.role == "therapist"
        else principal.clinic_id == therapist.clinic_id
    )
    if not allowed:
        raise Forbidden("this therapist's free time is not yours to see")
    zone = clinic_zone(app.get_clinic(therapist.clinic_id).timezone)
    start = fhir_dates.parse_all("start", starts, zone)
    end = fhir_dates.parse_all("end", ends, zone)
    first, last, note = _slot_days(start, end, zone)
    slots = []
    for day in dates_between(first, last) if first <= last else []:
        view = app.therapist_day(therapist.id, day)
        if view.shift is None:
            continue
        taken = [(v.start, v.end) for v in view.visits]
        taken += [(entry["start"], entry["end"]) for entry in view.unavailable]
        slots += [
            fhir.slot(therapist.id, s, e)
            for s, e in fhir.free_spans(view.shift, taken)
            if fhir_dates.matches_all(start, s) and fhir_dates.matches_all(end, e)
        ]
    return slots, note


def _slot_days(
    start: list[DateParam], end: list[DateParam], zone: Any
) -> tuple[date, date, str | None]:
    """The local days a Slot search must look at (a slot ends after it starts, and at
    most a day later). Bounded on one side only, it covers `MAX_DAYS` days from there
    and says so in the note."""
    start_low, start_high = fhir_dates.span(start)
    end_low, end_high = fhir_dates.span(end)
    lows = [t for t in (start_low, end_low and end_low - timedelta(days=1)) if t is not None]
    highs = [t for t in (start_high, end_high) if t is not None]
    window = timedelta(days=MAX_DAYS - 1)
    note = None
    if lows and highs:
        first, last = _days(max(lows), min(highs), zone)
        if (last - first).days >= MAX_DAYS:
            raise InvalidInput(f"search at most {MAX_DAYS} days of free time at once")
    elif lows:
        first = local_date(max(lows), zone)
        last = first + window
        note = f"free time from {first} to {last} only: add start=lt<date> for another range"
    elif highs:
        last = local_date(min(highs) - timedelta(microseconds=1), zone)
        first = last - window
        note = f"free time from {first} to {last} only: add start=ge<date> for another range"
    else:
        raise InvalidSearch(
            "give the days to search: start=2026-12-07 for one day, or "
            "start=ge2026-12-07&start=lt2026-12-14 for a week"
        )
    return first, last, note
