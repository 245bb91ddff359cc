"""Ranked options for a plan's next session, shared by the JSON API and the patient's page.

The options come from the matching engine's `suggest` over a small planning problem built
from the live calendar (`problem.py`: the days the plan's cadence allows, the
therapists who may take it, their shifts and every visit already booked, pinned). The
engine ranks (continuity, preference, added travel, earliest); the calendar decides: each
option is then tried against the booking rules without saving (`check_booking`), so
every option shown can be booked right after, unless someone else books the slot first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from scheduler.domain import Scheduling
from scheduler.domain.errors import SchedulingError
from scheduler.matching.suggest import Suggestion, suggest
from scheduler.options import problem as options_problem

TRIED_PER_OPTION = 4
"""Engine suggestions tried per option asked for, in case the calendar refuses some."""

ROUND_TO = 15
"""Minutes an option's start is rounded up to, when the calendar allows it."""


class SessionOption(msgspec.Struct):
    """One bookable (therapist, time) for the plan's next session, and why it ranks here."""

    rank: int
    therapist_id: UUID
    therapist_name: str
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    reason: str


class SessionOptions(msgspec.Struct):
    """The best options for the plan's next session within the next weeks."""

    plan_id: UUID
    timezone: str
    searched_from: datetime
    searched_to: datetime
    options: list[SessionOption]
    note: str = ""


def _reason(suggestion: Suggestion, name: str, local: datetime) -> str:
    """ "Ana Alvarez: same therapist as last time, adds 2.1 km to the day's route,
    Tuesday 6 October 10:00"; the engine's own "<weekday> (day n) hh:mm" ending is
    replaced by the calendar date, and a drive of 0 km (a clinic session) is not news."""
    why = [
        part
        for part in suggestion.reason.rsplit(", ", 1)[0].split(", ")
        if part and not part.startswith("adds 0.0 km")
    ]
    return f"{name}: {', '.join(why or ['the earliest free time'])}, {local:%A %-d %B %H:%M}"


def _start(
    app: Scheduling,
    suggestion: Suggestion,
    *,
    clinic_id: UUID,
    plan_id: UUID,
    day: date,
    now: datetime,
) -> datetime | None:
    """The option's start: the engine's earliest start rounded up to a quarter hour when
    the calendar allows it (patients book 10:15, not 10:07); None if neither is bookable."""
    rounded = -(-suggestion.start // ROUND_TO) * ROUND_TO
    for minute in dict.fromkeys((rounded, suggestion.start)):
        start = app.local_time(clinic_id, day, minute)
        try:
            app.check_booking(
                plan_id=plan_id, therapist_id=suggestion.therapist, start=start, now=now
            )
        except SchedulingError:
            continue  # the engine's model is coarser than the calendar here
        return start
    return None


def rank_options(
    app: Scheduling, plan_id: UUID, *, now: datetime, k: int, weeks: int
) -> SessionOptions:
    """Up to `k` options for the plan's next session, best first: on the days its cadence
    allows after its last session (at most `weeks` weeks of them, from today on)."""
    plan = app.get_plan(plan_id)
    clinic = app.get_clinic(plan.clinic_id)
    zone = ZoneInfo(clinic.timezone)
    answer = SessionOptions(
        plan_id=plan.id, timezone=clinic.timezone, searched_from=now, searched_to=now, options=[]
    )
    if plan.status != "active" or plan.sessions_left <= 0:
        answer.note = f"the plan is {plan.status} and holds {plan.sessions_held} sessions: "
        answer.note += "no further session can be booked on it"
        return answer
    built = options_problem.build(app, plan, now=now, weeks=weeks)
    if built is None:
        answer.note = "the plan's prescription expires before its next session could be"
        return answer
    answer.searched_from = max(now, app.local_time(clinic.id, built.first, 0))
    answer.searched_to = app.local_time(
        clinic.id, built.first + timedelta(days=built.problem.days), 0
    )
    suggestions = suggest(
        built.problem, built.plan_key, booked=built.booked, k=k * TRIED_PER_OPTION
    )
    names = built.names
    first = built.first
    for suggestion in suggestions:
        day = first + timedelta(days=suggestion.day)
        start = _start(app, suggestion, clinic_id=clinic.id, plan_id=plan.id, day=day, now=now)
        if start is None:
            continue
        end = start + timedelta(minutes=plan.session_minutes)
        answer.options.append(
            SessionOption(
                rank=len(answer.options) + 1,
                therapist_id=UUID(suggestion.therapist),
                therapist_name=names[suggestion.therapist],
                start=start,
                end=end,
                start_local=start.astimezone(zone),
                end_local=end.astimezone(zone),
                reason=_reason(suggestion, names[suggestion.therapist], start.astimezone(zone)),
            )
        )
        if len(answer.options) == k:
            break
    if not answer.options:
        answer.note = "no free time fits the plan in this range: try more weeks or the waitlist"
    return answer
