"""The options' planning problem on the in-memory store: cadence, continuity, busy time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.world import MONDAY, NOW, PAT_HOME, WEEKDAYS_9_TO_5, World, build_world
from scheduler.domain import Scheduling
from scheduler.options.ranking import rank_options
from scheduler.store import environment

WEDNESDAY = MONDAY + timedelta(days=2)


@pytest.fixture
def world() -> World:
    """The domain suite's sample clinic, in memory."""
    return build_world(Scheduling(environment("memory")))


def test_the_previous_therapist_ranks_first_then_the_nearest(world: World) -> None:
    app = world.app
    cara = app.register_therapist(
        clinic_id=world.clinic,
        name="Cara",
        specializations=["ms"],
        mobile=True,
        home=(PAT_HOME[0] + 0.01, PAT_HOME[1]),  # around the corner from Pat
        shifts=WEEKDAYS_9_TO_5,
        actor="admin",
        now=NOW,
    )
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    options = rank_options(app, world.pat_home_plan, now=NOW, k=20, weeks=2).options
    therapists = [o.therapist_id for o in options]
    assert therapists[0] == world.ana
    assert cara in therapists
    assert therapists.index(cara) == therapists.count(world.ana)  # right after Ana's days
    for option in options:
        assert MONDAY + timedelta(days=2) <= option.start_local.date() <= MONDAY + timedelta(9)
        continuity = "same therapist as last time" in option.reason
        assert continuity == (option.therapist_id == world.ana)


def test_sick_days_and_the_patients_other_sessions_are_avoided(world: World) -> None:
    app = world.app
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    app.record_time_off(
        world.ana,
        start=world.local(WEDNESDAY, "00:00"),
        end=world.local(WEDNESDAY + timedelta(days=1), "00:00"),
        kind="sick",
        actor="desk",
        reason="flu",
        now=NOW,
    )
    knee = world.book(world.pat_clinic_plan, world.ben, WEDNESDAY + timedelta(days=1), "09:00")
    busy = app.get_session(knee)
    options = rank_options(app, world.pat_home_plan, now=NOW, k=20, weeks=2).options
    assert options
    assert all(o.start_local.date() != WEDNESDAY for o in options)
    for option in options:
        assert option.end <= busy.start or option.start >= busy.end
        app.check_booking(
            plan_id=world.pat_home_plan,
            therapist_id=option.therapist_id,
            start=option.start,
            now=NOW,
        )


def test_an_overdue_plan_is_offered_the_days_from_now_and_closed_plans_none(
    world: World,
) -> None:
    app = world.app
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    late = NOW + timedelta(days=20)  # the cadence (2..9 days) was missed
    options = rank_options(app, world.pat_home_plan, now=late, k=3, weeks=1).options
    assert [o.rank for o in options] == [1, 2, 3]
    assert all(late < o.start <= late + timedelta(days=7) for o in options)
    app.pause_plan(world.pat_home_plan, actor="desk", reason="holiday", now=late)
    paused = rank_options(app, world.pat_home_plan, now=late, k=3, weeks=1)
    assert paused.options == []
    assert "paused" in paused.note
