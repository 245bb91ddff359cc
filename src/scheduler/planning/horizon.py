"""What the live calendar holds for a clinic's range of days, read once from `Scheduling`.

A `Horizon` is the planner's snapshot: each therapist's working window per day (shift
minus time off and sick time), each plan's sessions inside the range, the last session
before it (for the cadence) and whether more may be booked. Everything the problem
builder and the diff need, read in one store thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import ClinicView, PatientView, PlanView, Scheduling, SessionView
from scheduler.domain.errors import InvalidInput
from scheduler.domain.model.therapist import WEEKDAYS
from scheduler.domain.rules.care import ruled_out_by
from scheduler.domain.timekeeping import dates_between, local_date, minute_of_day
from scheduler.domain.views import TherapistView

MAX_DAYS = 31
"""Longest range one optimization plans: a month keeps a solve within its time limit."""

Window = tuple[int, int]


@dataclass(frozen=True)
class Booked:
    """A session inside the range that still takes (or took) place."""

    session: SessionView
    day: int  # index from the first day
    start: int  # local minutes after midnight
    pinned: bool
    started: bool  # begun before the solve: it can no longer move
    affected: bool  # its therapist is now off (sick, time off, no shift) at that time
    displaced: bool = False  # a sick call took its time: it waits for a new one


@dataclass
class PlanInRange:
    """A plan's sessions in the range and how many more it may have there."""

    plan: PlanView
    patient: PatientView
    booked: list[Booked]
    last_before: date | None
    more: int  # sessions the planner may add after the booked ones


@dataclass
class Horizon:
    """The live calendar of one clinic from `first` to `last` (local dates)."""

    clinic: ClinicView
    first: date
    last: date
    now: datetime
    therapists: dict[UUID, TherapistView]
    # (therapist, day index) -> working window in local minutes, time off removed.
    windows: dict[tuple[UUID, int], Window]
    plans: dict[UUID, PlanInRange] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's zone."""
        return ZoneInfo(self.clinic.timezone)

    @property
    def days(self) -> int:
        """How many days the range has."""
        return (self.last - self.first).days + 1

    def booked(self) -> list[Booked]:
        """Every booked or held session in the range."""
        return [b for entry in self.plans.values() for b in entry.booked]


def check_range(first: date, last: date, today: date) -> None:
    """Raise InvalidInput unless `first`..`last` is a range of at most MAX_DAYS from today."""
    if last < first:
        raise InvalidInput(f"'to' ({last}) is before 'from' ({first}): give from <= to")
    if first < today:
        raise InvalidInput(
            f"'from' ({first}) is in the past (today is {today} at the clinic): "
            "optimize today or later"
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a range of at most {MAX_DAYS} days can be optimized at once")


def _free_window(shift: Window, off: list[Window]) -> Window | None:
    """The longest part of `shift` outside every `off` span (one shift per day)."""
    parts = [shift]
    for off_start, off_end in off:
        parts = [
            piece
            for start, end in parts
            for piece in ((start, min(end, off_start)), (max(start, off_end), end))
            if piece[0] < piece[1]
        ]
    return max(parts, key=lambda part: part[1] - part[0]) if parts else None


def _windows(app: Scheduling, horizon: Horizon) -> None:
    zone = horizon.zone
    for therapist in horizon.therapists.values():
        for index, day in enumerate(dates_between(horizon.first, horizon.last)):
            shift = therapist.shifts.get(WEEKDAYS[day.weekday()])
            if shift is None:
                continue
            off = [
                (_minute_on(day, entry["start"], zone), _minute_on(day, entry["end"], zone))
                for entry in app.therapist_day(therapist.id, day).unavailable
            ]
            window = _free_window((shift[0], shift[1]), off)
            if window is not None:
                horizon.windows[therapist.id, index] = window


def _minute_on(day: date, instant: datetime, zone: ZoneInfo) -> int:
    """Local minutes of `instant` counted from `day`'s midnight (clipped to the day)."""
    here = local_date(instant, zone)
    if here < day:
        return 0
    if here > day:
        return 24 * 60
    return minute_of_day(instant, zone)


def _plan_in_range(
    app: Scheduling, horizon: Horizon, plan: PlanView, sessions: list[SessionView]
) -> PlanInRange:
    zone = horizon.zone
    patient = app.get_patient(plan.patient_id)
    booked: list[Booked] = []
    last_before: date | None = None
    later = False
    for session in sessions:
        day = local_date(session.start, zone)
        outside = day < horizon.first or day > horizon.last
        if session.status == "displaced" and outside:
            continue  # holds no time there: it is no neighbour for the cadence
        if day < horizon.first:
            last_before = max(day, last_before) if last_before else day
        elif day > horizon.last:
            later = True
        else:
            booked.append(_booked(app, horizon, session, (day - horizon.first).days))
    booked.sort(key=lambda b: b.session.start)
    cleared = patient.latest_evaluation is not None and not ruled_out_by(
        patient.contraindications, plan.specialization
    )
    # New sessions go after the plan's last booking; one booked beyond the range means
    # the range's free days come before it, which the cadence cannot express.
    more = plan.sessions_left if plan.status == "active" and cleared and not later else 0
    return PlanInRange(plan, patient, booked, last_before, max(0, more))


def _booked(app: Scheduling, horizon: Horizon, session: SessionView, day: int) -> Booked:
    start = minute_of_day(session.start, horizon.zone)
    end = start + int((session.end - session.start).total_seconds() // 60)
    window = horizon.windows.get((session.therapist_id, day))
    inside = window is not None and window[0] <= start and end <= window[1]
    displaced = session.status == "displaced"
    return Booked(
        session=session,
        day=day,
        start=start,
        pinned=session.pinned and not displaced,
        started=not displaced and (session.start <= horizon.now or session.status != "booked"),
        affected=displaced or not inside,
        displaced=displaced,
    )


def read_horizon(
    app: Scheduling, clinic_id: UUID | str, first: date, last: date, *, now: datetime
) -> Horizon:
    """The clinic's live calendar from `first` to `last` (local dates, both included).

    Raises InvalidInput for a range that is reversed, in the past or too long.
    """
    clinic = app.get_clinic(clinic_id)
    check_range(first, last, local_date(now, ZoneInfo(clinic.timezone)))
    therapists = {t.id: t for t in app.list_therapists(clinic.id)}
    plans = [
        (plan, [s for s in map(app.get_session, plan.session_ids) if s.status != "cancelled"])
        for plan in app.list_plans(clinic.id)
    ]
    # A plan of this clinic may be booked with another clinic's therapist: that
    # therapist's day is part of the problem too, or the booking could not stay.
    for _, sessions in plans:
        for session in sessions:
            if session.therapist_id not in therapists:
                therapists[session.therapist_id] = app.get_therapist(session.therapist_id)
    horizon = Horizon(clinic, first, last, now, therapists, {})
    _windows(app, horizon)
    for plan, sessions in plans:
        entry = _plan_in_range(app, horizon, plan, sessions)
        if entry.booked or entry.more:
            horizon.plans[plan.id] = entry
    return horizon
