"""What a search reads: the plan's side (`Ask`, from the domain) and the therapists' days.

`ask` reads the plan, its cadence, the patient's other sessions and week, and who may
take the session (active, the plan's specialization, mobile for a home visit): a few
records. The days those therapists work within the allowed dates are read once per
request: on PostgreSQL from the clinic's days the API keeps while the read model's
position is unchanged (`index.DayCache`), else from the domain (`domain_frames`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import (
    ClinicView,
    PatientView,
    PlanView,
    Scheduling,
    SessionView,
    TherapistView,
)
from scheduler.domain.errors import CadenceBroken
from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.rules import cadence as cadence_rule
from scheduler.domain.rules import route
from scheduler.domain.timekeeping import local_date, wall_clock
from scheduler.geo import Location
from scheduler.options.search import DayFrame, Indexed, Need

if TYPE_CHECKING:
    from scheduler.options.index import DayCache

DAYS_AHEAD = 28
"""How far ahead the options reach by default (4 weeks)."""


@dataclass(frozen=True)
class Candidate:
    """A therapist who may take the session, as the search needs them."""

    id: UUID
    name: str
    shifts: Mapping[str, Sequence[int]]
    base: Location
    max_visits_per_day: int


def _candidate(therapist: TherapistView) -> Candidate:
    return Candidate(
        therapist.id,
        therapist.name,
        therapist.shifts,
        therapist.base,
        therapist.max_visits_per_day,
    )


@dataclass(frozen=True)
class Ask:
    """Everything about the session to place, read from the domain."""

    plan: PlanView
    need: Need
    therapists: list[Candidate]  # who may take it
    days: list[date]  # the days the plan's rules allow, within the filters
    previous: date | None  # the last session before (the cadence counts from it)
    moving: UUID | None  # the session being moved, if any
    note: str = ""  # why there is nothing to offer, if so
    taken: tuple[date, ...] = ()  # the plan's other sessions' days (the cadence's input)
    postponed: tuple[date, ...] = ()  # its postponed sessions' places (they widen the gaps)
    clinic_location: Location = (0.0, 0.0)


@dataclass(frozen=True)
class PlanSide:
    """What a search reads of the domain about the plan: the plan, its clinic, its
    patient and every session of the patient (any status)."""

    plan: PlanView
    clinic: ClinicView
    patient: PatientView
    sessions: tuple[SessionView, ...]


def plan_side(app: Scheduling, plan_id: UUID) -> PlanSide:
    """The plan's side from the event store (a few records)."""
    plan = app.get_plan(plan_id)
    return PlanSide(
        plan,
        app.get_clinic(plan.clinic_id),
        app.get_patient(plan.patient_id),
        tuple(app.patient_sessions(plan.patient_id)),
    )


def ask(
    app: Scheduling,
    plan_id: UUID,
    *,
    now: datetime,
    moving: UUID | None = None,
    days_ahead: int = DAYS_AHEAD,
    roster: bool = True,
) -> Ask:
    """The plan's side of a search (see the module docstring); without `roster`, who
    may take it is left to the caller (the read model's days)."""
    side = plan_side(app, plan_id)
    staff = app.list_therapists(side.plan.clinic_id) if roster else []
    return ask_of(side, now=now, moving=moving, days_ahead=days_ahead, staff=staff)


def ask_of(
    side: PlanSide,
    *,
    now: datetime,
    moving: UUID | None = None,
    days_ahead: int = DAYS_AHEAD,
    staff: Sequence[TherapistView] = (),
) -> Ask:
    """The search's `Ask` from the plan's side at `now` (no I/O); `staff`: the clinic's
    therapists, of whom the qualified ones may take it."""
    plan, clinic, patient = side.plan, side.clinic, side.patient
    zone = ZoneInfo(clinic.timezone)
    today = local_date(now, zone)
    sessions = [s for s in side.sessions if s.status != "cancelled"]
    moved = next((s for s in sessions if s.id == moving), None)
    # The cadence's input: the plan's booked and completed sessions but the one moving.
    taken = sorted(
        local_date(s.start, zone)
        for s in sessions
        if s.plan_id == plan.id and s.status in ("booked", "completed") and s.id != moving
    )
    # A postponed session keeps its place (the day it was displaced from): v1.1's widening.
    postponed = tuple(local_date(s.start, zone) for s in sessions if s.id in plan.postponed)
    previous = None
    continuity = plan.preferred_therapist
    if moved is not None:
        ideal: date | None = local_date(moved.start, zone)
        continuity = moved.therapist_id
        earlier = [d for d in taken if ideal is not None and d <= ideal]
        previous = earlier[-1] if earlier else None
    else:
        held = [s for s in sessions if s.plan_id == plan.id and s.status in ("booked", "completed")]
        if held:
            continuity = held[-1].therapist_id
        previous = taken[-1] if taken else None
        ideal = today
        if previous is not None:
            ideal = max(today, previous + timedelta(days=(plan.min_days + plan.max_days) // 2))
    busy = tuple((s.start, s.end) for s in sessions if s.status == "booked" and s.id != moving)
    need = Need(
        place=plan.location,
        minutes=plan.session_minutes,
        speed_kmh=clinic.travel_speed_kmh,
        grid=clinic.slot_minutes,
        zone=zone,
        now=now,
        busy=busy,
        continuity=continuity,
        ideal=ideal,
        availability=patient.availability,
    )
    therapists = [
        _candidate(t)
        for t in staff
        if t.active
        and plan.specialization in t.specializations
        and (t.mobile or plan.setting != "home")
    ]
    note = _plan_note(plan, moving=moved is not None)
    if note:
        return Ask(
            plan,
            need,
            therapists,
            [],
            previous,
            moving,
            note,
            tuple(taken),
            postponed,
            clinic.location,
        )
    days = []
    for offset in range(days_ahead):
        day = today + timedelta(days=offset)
        if day > plan.expires_on:
            continue
        try:
            cadence_rule.check(day, taken, plan.min_days, plan.max_days, today, postponed=postponed)
        except CadenceBroken:
            continue
        days.append(day)
    return Ask(
        plan,
        need,
        therapists,
        days,
        previous,
        moving,
        taken=tuple(taken),
        postponed=postponed,
        clinic_location=clinic.location,
    )


def _plan_note(plan: PlanView, *, moving: bool) -> str:
    """Why the plan takes no session now ('' if it does): the command's plan checks."""
    if plan.status != "active":
        return f"the plan is {plan.status}: no session can be booked on it now"
    # A session a sick call displaced is held already: booking gives it a new time.
    if not moving and plan.sessions_left <= 0 and not plan.displaced:
        return (
            f"the plan holds {plan.sessions_held} sessions and has none left to book: "
            "ask the clinic about a renewed prescription"
        )
    return ""


async def read_model_frames(
    cache: DayCache, found: Ask, *, therapist_id: UUID | None = None
) -> tuple[Ask, Indexed] | None:
    """Who may take the session and their working days, from the clinic's days the
    cache keeps (`index.DayCache`: read from the read model once per change); None if
    the read model holds nobody qualified or predates the roster's columns (then the
    domain is asked: a clinic just opened, no projector running)."""
    plan, need = found.plan, found.need
    held = await cache.days(
        plan.clinic_id,
        zone=need.zone,
        location=found.clinic_location,
        today=local_date(need.now, need.zone),
    )
    members = [] if held is None else held.qualified(plan.specialization, plan.setting == "home")
    if held is None or not members:
        return None
    therapists = [Candidate(m.id, m.name, m.shifts, m.base, m.max_visits_per_day) for m in members]
    found = replace(found, therapists=therapists)
    chosen = [m for m in members if therapist_id in (None, m.id)]
    frames, changed = held.without(found.moving)
    return found, Indexed(frames, held.index, held.chosen(chosen, found.days), tuple(changed))


class Rostered(Protocol):
    """A therapist as `frames_of` needs them (`Candidate`, `index.Member`)."""

    @property
    def id(self) -> UUID: ...
    @property
    def name(self) -> str: ...
    @property
    def shifts(self) -> Mapping[str, Sequence[int]]: ...
    @property
    def base(self) -> Location: ...
    @property
    def max_visits_per_day(self) -> int: ...


def frames_of(
    zone: ZoneInfo,
    days: Sequence[date],
    therapists: Sequence[Rostered],
    stops: Mapping[tuple[UUID, date], list[route.Booked]],
    off: Mapping[tuple[UUID, date], list[tuple[datetime, datetime]]],
) -> list[DayFrame]:
    """Each therapist's working days among `days` (those with a shift), with their visits
    in start order and their time off."""
    frames = []
    shifts: dict[tuple[date, int, int], tuple[datetime, datetime]] = {}
    for therapist in therapists:
        for day in days:
            window = therapist.shifts.get(WEEKDAYS[day.weekday()])
            if window is None:
                continue
            key = (day, window[0], window[1])
            if key not in shifts:  # most therapists share a few shifts: convert each once
                shifts[key] = (wall_clock(day, window[0], zone), wall_clock(day, window[1], zone))
            shift = shifts[key]
            frames.append(
                DayFrame(
                    therapist_id=therapist.id,
                    name=therapist.name,
                    day=day,
                    shift=shift,
                    base=therapist.base,
                    max_visits=therapist.max_visits_per_day,
                    visits=tuple(sorted(stops.get((therapist.id, day), ()), key=lambda v: v[0])),
                    unavailable=tuple(off.get((therapist.id, day), ())),
                )
            )
    return frames


def domain_frames(
    app: Scheduling, found: Ask, *, therapist_id: UUID | None = None
) -> list[DayFrame]:
    """The therapists' working days from the domain (the embedded store's path): each
    qualified therapist's (or only `therapist_id`'s) days with a shift."""
    chosen = [t for t in found.therapists if therapist_id in (None, t.id)]
    stops: dict[tuple[UUID, date], list[route.Booked]] = {}
    off: dict[tuple[UUID, date], list[tuple[datetime, datetime]]] = {}
    for therapist in chosen:
        for day in found.days:
            if therapist.shifts.get(WEEKDAYS[day.weekday()]) is None:
                continue
            view = app.therapist_day(therapist.id, day)
            stops[therapist.id, day] = [
                (v.start, v.end, v.location) for v in view.visits if v.session_id != found.moving
            ]
            off[therapist.id, day] = [(a["start"], a["end"]) for a in view.unavailable]
    return frames_of(found.need.zone, found.days, chosen, stops, off)
