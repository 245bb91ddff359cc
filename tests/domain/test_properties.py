"""Property: whatever sequence of bookings, moves and cancellations, no rule is ever broken."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.world import MONDAY, NOW, build_world
from scheduler.domain import Scheduling
from scheduler.domain.errors import SchedulingError
from scheduler.geo import travel_minutes
from scheduler.store import environment

command = st.tuples(
    st.sampled_from(["book", "book", "book", "reschedule", "cancel"]),
    st.integers(0, 2),  # which plan
    st.integers(0, 1),  # which therapist
    st.integers(0, 1),  # which day
    st.integers(7 * 12, 17 * 12),  # local start in 5-minute steps
    st.integers(0, 30),  # which earlier session
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(command, min_size=1, max_size=25))
def test_random_commands_never_double_book_or_skip_travel(commands: list[Any]) -> None:
    app = Scheduling(environment("memory"))
    world = build_world(app)
    plans = [world.pat_home_plan, world.pat_clinic_plan, world.quinn_home_plan]
    therapists = [world.ana, world.ben]
    sessions: list[Any] = []
    for kind, plan, therapist, day, step, earlier in commands:
        start = world.app.local_time(world.clinic, MONDAY + timedelta(days=day), step * 5)
        try:
            if kind == "book":
                sessions.append(
                    app.book_session(
                        plan_id=plans[plan],
                        therapist_id=therapists[therapist],
                        start=start,
                        actor="prop",
                        now=NOW,
                    )
                )
            elif sessions and kind == "reschedule":
                app.reschedule_session(
                    sessions[earlier % len(sessions)],
                    start=start,
                    actor="prop",
                    reason="",
                    now=NOW,
                )
            elif sessions:
                app.cancel_session(
                    sessions[earlier % len(sessions)], actor="prop", reason="", now=NOW
                )
        except SchedulingError:
            pass

    booked = [app.get_session(s) for s in sessions]
    booked = [s for s in booked if s.status == "booked"]
    by_therapist: dict[Any, list[Any]] = defaultdict(list)
    by_patient: dict[Any, list[Any]] = defaultdict(list)
    for session in booked:
        by_therapist[session.therapist_id, session.start_local.date()].append(session)
        by_patient[session.patient_id].append(session)
    for visits in by_patient.values():
        visits.sort(key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in pairwise(visits))
    for (therapist, day), visits in by_therapist.items():
        visits.sort(key=lambda s: s.start)
        for a, b in pairwise(visits):
            assert b.start - a.end >= timedelta(
                minutes=travel_minutes(a.location, b.location, 30.0)
            )
        calendar = app.therapist_day(therapist, day)
        assert [v.session_id for v in calendar.visits] == [s.id for s in visits]
        assert calendar.shift is not None
        assert calendar.shift[0] <= visits[0].start
        assert visits[-1].end <= calendar.shift[1]
    for plan in plans:
        assert app.get_plan(plan).sessions_held == sum(1 for s in booked if s.plan_id == plan)
