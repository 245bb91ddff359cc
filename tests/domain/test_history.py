"""History, time travel, late cancellation, plan changes and the directories."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.world import MONDAY, NOW, SAME_DAY, World, later
from scheduler.domain.errors import TooEarly


def test_a_sessions_history_says_who_did_what_when_and_why(world: World) -> None:
    app = world.app
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    app.reschedule_session(
        session,
        start=world.local(MONDAY, "13:00"),
        actor="pat",
        reason="dentist at 10",
        now=later(60),
    )
    late = app.cancel_session(session, actor="pat", reason="flu", now=world.local(MONDAY, "08:00"))

    history = app.history(session)
    assert [entry.event for entry in history] == ["Booked", "Rescheduled", "Cancelled"]
    assert [entry.actor for entry in history] == ["desk", "pat", "pat"]
    assert [entry.at for entry in history] == [NOW, later(60), world.local(MONDAY, "08:00")]
    assert history[1].reason == "dentist at 10"
    assert history[1].data["start"] == world.local(MONDAY, "13:00")
    assert history[2].data["late"] is True
    assert late is True


def test_cancellations_inside_the_policy_window_are_flagged_late(world: World) -> None:
    app = world.app
    early = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    close = world.book(world.pat_home_plan, world.ana, MONDAY, "12:00", overrides=SAME_DAY)
    start_early, start_close = world.local(MONDAY, "10:00"), world.local(MONDAY, "12:00")

    # The clinic's window is 24 hours.
    assert (
        app.cancel_session(early, actor="pat", reason="", now=start_early - timedelta(hours=24))
        is False
    )
    assert (
        app.cancel_session(
            close, actor="pat", reason="", now=start_close - timedelta(hours=23, minutes=59)
        )
        is True
    )
    assert app.get_session(early).late_cancel is False
    assert app.get_session(close).late_cancel is True
    assert app.get_plan(world.pat_home_plan).sessions_held == 0
    assert app.therapist_day(world.ana, MONDAY).visits == ()


def test_every_plan_change_is_an_event(world: World) -> None:
    app, plan = world.app, world.pat_home_plan
    app.change_cadence(
        plan, min_days=3, max_days=5, actor="dr-lee", reason="flare-up", now=later(1)
    )
    app.add_sessions(plan, count=2, actor="dr-lee", reason="slow progress", now=later(2))
    app.remove_sessions(plan, count=4, actor="dr-lee", reason="insurer cap", now=later(3))
    app.pause_plan(plan, actor="desk", reason="holiday", now=later(4))
    app.resume_plan(plan, actor="desk", reason="back", now=later(5))
    app.switch_therapist(
        plan, therapist_id=world.ana, actor="desk", reason="continuity", now=later(6)
    )
    app.complete_plan(plan, actor="dr-lee", reason="goals met", now=later(7))

    history = app.history(plan)
    assert [entry.event for entry in history] == [
        "Created",
        "CadenceChanged",
        "SessionsAdded",
        "SessionsRemoved",
        "Paused",
        "Resumed",
        "TherapistSwitched",
        "Completed",
    ]
    assert history[1].reason == "flare-up"
    assert history[1].actor == "dr-lee"
    view = app.get_plan(plan)
    assert (view.min_days, view.max_days, view.sessions) == (3, 5, 8)
    assert (view.preferred_therapist, view.status) == (world.ana, "completed")


def test_a_therapists_day_as_it_was_at_a_past_moment(world: World) -> None:
    app = world.app
    first = app.book_session(
        plan_id=world.pat_home_plan,
        therapist_id=world.ana,
        start=world.local(MONDAY, "10:00"),
        actor="desk",
        now=later(10),
    )
    second = app.book_session(
        plan_id=world.quinn_home_plan,
        therapist_id=world.ana,
        start=world.local(MONDAY, "13:00"),
        actor="desk",
        now=later(20),
    )
    app.cancel_session(first, actor="pat", reason="flu", now=later(30))

    def visits_as_of(minutes: int) -> list[object]:
        day = app.therapist_day(world.ana, MONDAY, as_of=later(minutes))
        return [visit.session_id for visit in day.visits]

    assert visits_as_of(5) == []
    assert visits_as_of(15) == [first]
    assert visits_as_of(25) == [first, second]
    assert visits_as_of(35) == [second]
    assert [v.session_id for v in app.therapist_day(world.ana, MONDAY).visits] == [second]


def test_the_week_shows_local_times_and_the_patients_sessions_are_listed(world: World) -> None:
    app = world.app
    monday = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    wednesday = world.book(world.quinn_home_plan, world.ana, MONDAY + timedelta(2), "14:30")
    clinic = world.book(world.pat_clinic_plan, world.ben, MONDAY + timedelta(1), "09:00")

    week = app.therapist_week(world.ana, MONDAY)
    assert [day.day for day in week] == [MONDAY + timedelta(n) for n in range(7)]
    assert [v.session_id for v in week[0].visits] == [monday]
    assert [v.start_local.strftime("%H:%M") for v in week[2].visits] == ["14:30"]
    assert week[5].shift is None  # Ana does not work on Saturdays
    assert [s.id for s in app.patient_sessions(world.pat)] == [monday, clinic]
    assert wednesday not in [s.id for s in app.patient_sessions(world.pat)]


def test_the_clinic_directory_lists_its_records(world: World) -> None:
    app = world.app
    assert [t.name for t in app.list_therapists(world.clinic)] == ["Ana", "Ben"]
    assert [p.name for p in app.list_patients(world.clinic)] == ["Pat", "Quinn"]
    assert {p.id for p in app.list_plans(world.clinic)} == {
        world.pat_home_plan,
        world.pat_clinic_plan,
        world.quinn_home_plan,
    }
    assert app.get_patient(world.pat).plans == (world.pat_home_plan, world.pat_clinic_plan)


def test_projections_can_follow_every_event_in_order(world: World) -> None:
    app = world.app
    before = world.events()
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")

    new = app.notification_log.select(start=before + 1, limit=10)
    # One transaction: both days opened and booked, the plan's and the prescription's
    # counts, the session.
    assert [n.id for n in new] == list(range(before + 1, before + 8))
    assert {n.originator_id for n in new} >= {session, world.pat_home_plan}
    assert any(n.topic.endswith("Session.Booked") for n in new)


def test_a_no_show_is_recorded_after_the_start_and_still_counts(world: World) -> None:
    app = world.app
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    start = world.local(MONDAY, "10:00")
    before = world.events()

    with pytest.raises(TooEarly):
        app.record_no_show(
            session, actor="ana", reason="nobody home", now=start - timedelta(minutes=1)
        )
    assert world.events() == before
    app.record_no_show(
        session, actor="ana", reason="nobody home", now=start + timedelta(minutes=15)
    )

    assert app.get_session(session).status == "no_show"
    assert app.get_plan(world.pat_home_plan).sessions_held == 1
    assert [v.session_id for v in app.therapist_day(world.ana, MONDAY).visits] == [session]
    last = app.history(session)[-1]
    assert (last.event, last.actor, last.reason) == ("NoShow", "ana", "nobody home")
