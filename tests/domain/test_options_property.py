"""Property: on random small clinics, the options are exactly the starts the commands accept.

Each example builds the behaviour suite's clinic, adds a random third therapist, random
bookings, time off and a random weekly availability for Pat, picks a random moment, plan
and filters, then:

- every offered start is accepted by the booking command (`check_booking`: the same body
  as `book_session`, nothing saved), or by the move command for a move's options;
- every start on the slot grid that the command accepts and the filters keep is offered
  (a brute-force scan of every therapist, day and grid minute of the search's days).
"""

from __future__ import annotations

from datetime import timedelta
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
clinics = st.fixed_dictionaries(
    {
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
)


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
            pass  # random bookings break rules now and then: the calendar refuses them
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
    if case["availability"]:
        app.change_availability(world.pat, availability=case["availability"], actor="pat", now=NOW)
    return world, therapists, plans


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clinics)
def test_options_are_exactly_the_starts_the_booking_command_accepts(case: dict[str, Any]) -> None:
    world, therapists, plans = _clinic(case)
    app = world.app
    now = NOW + timedelta(hours=case["now_hours"], minutes=7)
    plan_id = plans[case["plan"]]
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
