"""Property: on random small clinics, the options are exactly the starts the commands accept.

Each example builds the behaviour suite's clinic, adds a random third therapist, random
bookings, time off and a random weekly availability for Pat, picks a random moment, plan
and filters, then:

- every offered start is accepted by the booking command (`check_booking`: the same body
  as `book_session`, nothing saved), or by the move command for a move's options;
- every start on the slot grid that the command accepts and the filters keep is offered
  (a brute-force scan of every therapist, day and grid minute of the search's days).

Now and then a therapist calls in sick for a day, and the visits it displaced may be
postponed: the next booking gives a displaced visit its new time, and a postponed one
widens the cadence (v1.1), in the options as in the command.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.world import MONDAY, NOW, PAT_HOME, World, build_world
from scheduler.domain import Scheduling
from scheduler.domain.errors import SchedulingError
from scheduler.domain.timekeeping import local_date
from scheduler.options import ranking, sources
from scheduler.options.search import PARTS_OF_DAY, Filters, part_of_day
from scheduler.store import environment

pytestmark = pytest.mark.slow

HORIZON = 8
"""Days searched (the service searches 28; the scan is what makes the test slow)."""
SCAN = range(6 * 60, 20 * 60, 15)
"""Local grid minutes scanned: every shift here lies within 07:00-19:00."""

booking = st.tuples(
    st.integers(0, 2),  # which plan
    st.integers(0, 2),  # which therapist
    st.integers(0, 6),  # which day from Monday
    st.integers(8 * 4, 17 * 4),  # local start in quarter hours
)
CLINIC = {
    "extra": st.fixed_dictionaries(
        {
            "mobile": st.booleans(),
            "start": st.integers(7, 11),
            "hours": st.integers(3, 8),
            "days": st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri"]), min_size=1),
            "max_visits": st.integers(1, 5),
        }
    ),
    "bookings": st.lists(booking, max_size=12),
    "time_off": st.none() | st.tuples(st.integers(0, 2), st.integers(0, 6), st.integers(8, 15)),
    # The plans' cadence: the world's 2-9 days, or a short one (min, min + extra) so
    # that a postponed session's widening falls within the days searched.
    "cadence": st.none() | st.tuples(st.integers(0, 2), st.integers(0, 2)),
    # A sick call on the day of one of the bookings made (which one, postponed or not).
    "sick": st.none() | st.tuples(st.integers(0, 11), st.booleans()),
    "availability": st.dictionaries(
        st.sampled_from(["mon", "tue", "wed", "thu", "fri"]),
        st.sampled_from([[[540, 720]], [[780, 1020]], [[600, 900]]]),
        max_size=3,
    ),
    "now_hours": st.integers(0, 24 * 6),
    "plan": st.integers(0, 2),
    "move": st.booleans(),
    "therapist": st.none() | st.integers(0, 2),
    "part": st.none() | st.sampled_from(sorted(PARTS_OF_DAY)),
    "days": st.none() | st.tuples(st.integers(0, HORIZON - 1), st.integers(0, 3)),
}
clinics = st.fixed_dictionaries(CLINIC)


def _course(plan: int, days: list[int], quarter: int) -> list[tuple[int, int, int, int]]:
    """A home plan's sessions with Ana on `days`, in order (most keep a short cadence)."""
    return [(plan, 0, day, quarter) for day in sorted(days)]


courses = st.builds(
    _course,
    st.sampled_from([0, 2]),
    st.lists(st.integers(0, 6), min_size=3, max_size=5, unique=True),
    st.integers(9 * 4, 15 * 4),
)
after_sick_calls = st.fixed_dictionaries(
    {
        **CLINIC,
        "bookings": st.builds(lambda a, b: a + b, courses, st.lists(booking, max_size=6)),
        "cadence": st.tuples(st.integers(0, 1), st.integers(1, 2)),
        "sick": st.tuples(st.integers(0, 4), st.just(value=True)),
        "now_hours": st.integers(0, 24 * 4),
    }
)
"""Clinics where a sick call postponed a visit of a short course, searched on its plan."""


def _clinic(case: dict[str, Any]) -> tuple[World, list[UUID], list[UUID]]:
    app = Scheduling(environment("memory"))
    world = build_world(app)
    extra = case["extra"]
    cara = app.register_therapist(
        clinic_id=world.clinic,
        name="Cara",
        specializations=["ms", "sports_injury"],
        mobile=extra["mobile"],
        home=(PAT_HOME[0] + 0.02, PAT_HOME[1]) if extra["mobile"] else None,
        shifts={
            day: [extra["start"] * 60, (extra["start"] + extra["hours"]) * 60]
            for day in extra["days"]
        },
        max_visits_per_day=extra["max_visits"],
        actor="admin",
        now=NOW,
    )
    therapists = [world.ana, world.ben, cara]
    plans = [world.pat_home_plan, world.pat_clinic_plan, world.quinn_home_plan]
    if case["cadence"] is not None:
        low, extra = case["cadence"]
        for plan in plans:
            app.change_cadence(
                plan, min_days=low, max_days=low + extra, actor="desk", reason="short", now=NOW
            )
    made = []
    for plan, therapist, day, quarter in case["bookings"]:
        try:
            start = app.local_time(world.clinic, MONDAY + timedelta(days=day), quarter * 15)
            app.book_session(
                plan_id=plans[plan],
                therapist_id=therapists[therapist],
                start=start,
                actor="desk",
                now=NOW,
            )
        except SchedulingError:
            continue  # random bookings break rules now and then: the calendar refuses them
        made.append((therapists[therapist], MONDAY + timedelta(days=day)))
    if case["time_off"] is not None:
        who, day, hour = case["time_off"]
        app.record_time_off(
            therapists[who],
            start=world.local(MONDAY + timedelta(days=day), f"{hour}:00"),
            end=world.local(MONDAY + timedelta(days=day), f"{hour + 2}:00"),
            actor="desk",
            reason="errand",
            now=NOW,
        )
    if case["sick"] is not None and made:
        which, postpone = case["sick"]
        who, day = made[which % len(made)]
        _sick_call(app, who, day, postpone=postpone)
    if case["availability"]:
        app.change_availability(world.pat, availability=case["availability"], actor="pat", now=NOW)
    return world, therapists, plans


def _sick_call(app: Scheduling, therapist: UUID, day: date, *, postpone: bool) -> None:
    """The therapist is off sick on `day`; its visits are displaced (and, `postpone`,
    postponed: no re-plan found them a time)."""
    call = app.record_sick_call(therapist, days=[day], actor="desk", reason="flu", now=NOW)
    for session_id in app.get_sick_call(call).displaced if postpone else ():
        app.postpone_session(
            session_id, actor="desk", reason="no time", now=NOW, wait_until=NOW + timedelta(days=9)
        )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clinics)
def test_options_are_exactly_the_starts_the_booking_command_accepts(case: dict[str, Any]) -> None:
    world, therapists, plans = _clinic(case)
    _options_are_what_the_command_accepts(world, therapists, plans[case["plan"]], case)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(after_sick_calls)
def test_after_a_sick_call_the_options_are_still_the_starts_the_command_accepts(
    case: dict[str, Any],
) -> None:
    world, therapists, plans = _clinic(case)
    app = world.app
    waiting = [p for p in plans if app.get_plan(p).postponed]
    plan_id = waiting[0] if waiting else plans[case["plan"]]
    _options_are_what_the_command_accepts(world, therapists, plan_id, case)


def _options_are_what_the_command_accepts(
    world: World, therapists: list[UUID], plan_id: UUID, case: dict[str, Any]
) -> None:
    """Every option is accepted by the command, and every accepted start is an option."""
    app = world.app
    now = NOW + timedelta(hours=case["now_hours"], minutes=7)
    booked = [
        s.id
        for s in app.patient_sessions(app.get_plan(plan_id).patient_id)
        if s.plan_id == plan_id and s.status == "booked" and s.start > now
    ]
    moving = booked[0] if case["move"] and booked else None
    ask = sources.ask(app, plan_id, now=now, moving=moving, days_ahead=HORIZON)
    today = local_date(now, ask.need.zone)
    first = last = None
    if case["days"] is not None:
        first = today + timedelta(days=case["days"][0])
        last = first + timedelta(days=case["days"][1])
    therapist = therapists[case["therapist"]] if case["therapist"] is not None else None
    filters = Filters(therapist, case["part"], first, last)
    frames = sources.domain_frames(app, ask, therapist_id=therapist)
    offered = ranking.present(ask, frames, filters, size=100_000)

    def accepted(therapist_id: UUID, start: Any) -> bool:
        try:
            if moving is None:
                app.check_booking(plan_id=plan_id, therapist_id=therapist_id, start=start, now=now)
            else:
                app.check_move(session_id=moving, therapist_id=therapist_id, start=start, now=now)
        except SchedulingError:
            return False
        return True

    shown = {(o.therapist_id, o.start) for o in offered.options}
    assert len(shown) == len(offered.options) == offered.total
    for option in offered.options:
        assert accepted(option.therapist_id, option.start), option

    scanned = set()
    for who in therapists:
        if therapist is not None and who != therapist:
            continue
        for offset in range(HORIZON):
            day = today + timedelta(days=offset)
            if not filters.keeps_day(day):
                continue
            for minute in SCAN:
                if case["part"] is not None and part_of_day(minute) != case["part"]:
                    continue
                start = app.local_time(world.clinic, day, minute)
                if accepted(who, start):
                    scanned.add((who, start))
    assert scanned == shown
