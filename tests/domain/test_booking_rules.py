"""Every booking rule, on every store: allowed when kept, a named error and no event when broken."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from domain.world import ANA_HOME, MONDAY, NOW, PAT_HOME, QUINN_HOME, SAME_DAY, World, later
from scheduler.domain.errors import (
    Contraindicated,
    DayFull,
    EvaluationMissing,
    MissingSpecialization,
    NotMobile,
    OutsideShift,
    PatientBusy,
    PlanNotActive,
    PrescriptionExpired,
    SchedulingError,
    SessionsExhausted,
    TherapistBusy,
    TherapistUnavailable,
)
from scheduler.geo import travel_minutes

TUESDAY = MONDAY + timedelta(days=1)
SATURDAY = MONDAY + timedelta(days=5)


def rejected(world: World, error: type[SchedulingError], command: Callable[[], Any]) -> str:
    """Run `command`, expect `error`, and check that no event was written."""
    before = world.events()
    with pytest.raises(error) as raised:
        command()
    assert world.events() == before, "a rejected command must write no event"
    return str(raised.value)


def test_a_booking_records_the_session_and_counts_it_on_the_plan(world: World) -> None:
    session_id = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")

    session = world.app.get_session(session_id)
    assert (session.therapist_id, session.patient_id) == (world.ana, world.pat)
    assert session.start == world.local(MONDAY, "10:00")
    assert session.end - session.start == timedelta(minutes=60)
    assert session.location == PAT_HOME
    assert session.status == "booked"
    assert world.app.get_plan(world.pat_home_plan).sessions_held == 1
    day = world.app.therapist_day(world.ana, MONDAY)
    assert [visit.session_id for visit in day.visits] == [session_id]


def test_a_therapist_is_never_in_two_sessions_at_once(world: World) -> None:
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")

    message = rejected(
        world, TherapistBusy, lambda: world.book(world.quinn_home_plan, world.ana, MONDAY, "10:30")
    )
    assert "choose another time" in message
    # Quinn's own calendar is free, so another therapist or a later time works.
    world.book(world.quinn_home_plan, world.ana, MONDAY, "12:00")


def test_travel_time_between_home_visits_is_kept_to_the_minute(world: World) -> None:
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")  # ends 11:00 at Pat's
    drive = travel_minutes(PAT_HOME, QUINN_HOME, 30.0)
    assert drive > 0
    too_soon = f"11:{drive - 1:02d}"
    just_in_time = f"11:{drive:02d}"

    rejected(
        world, TherapistBusy, lambda: world.book(world.quinn_home_plan, world.ana, MONDAY, too_soon)
    )
    world.book(world.quinn_home_plan, world.ana, MONDAY, just_in_time)


def test_travel_before_the_next_visit_is_kept_too(world: World) -> None:
    world.book(world.quinn_home_plan, world.ana, MONDAY, "12:00")
    drive = travel_minutes(PAT_HOME, QUINN_HOME, 30.0)
    ends_too_late = world.local(MONDAY, "11:00") - timedelta(minutes=drive - 1)

    rejected(
        world,
        TherapistBusy,
        lambda: world.app.book_session(
            plan_id=world.pat_home_plan,
            therapist_id=world.ana,
            start=ends_too_late,
            actor="desk",
            now=NOW,
        ),
    )
    world.app.book_session(
        plan_id=world.pat_home_plan,
        therapist_id=world.ana,
        start=ends_too_late - timedelta(minutes=1),
        actor="desk",
        now=NOW,
    )


def test_a_patient_never_has_two_overlapping_sessions(world: World) -> None:
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")

    rejected(
        world, PatientBusy, lambda: world.book(world.pat_clinic_plan, world.ben, MONDAY, "10:30")
    )
    world.book(world.pat_clinic_plan, world.ben, MONDAY, "11:00")


def test_bookings_fall_inside_the_shift(world: World) -> None:
    rejected(
        world, OutsideShift, lambda: world.book(world.pat_home_plan, world.ana, SATURDAY, "10:00")
    )
    rejected(
        world, OutsideShift, lambda: world.book(world.pat_home_plan, world.ana, MONDAY, "16:30")
    )
    rejected(
        world, OutsideShift, lambda: world.book(world.pat_clinic_plan, world.ben, MONDAY, "07:45")
    )
    world.book(world.pat_clinic_plan, world.ben, MONDAY, "08:00")  # at base: no travel
    world.book(world.pat_clinic_plan, world.ben, SATURDAY, "15:15")  # ends at 16:00 sharp


def test_a_mobile_therapist_leaves_home_no_earlier_than_the_shift(world: World) -> None:
    drive = travel_minutes(ANA_HOME, PAT_HOME, 30.0)
    assert drive > 0

    rejected(
        world, OutsideShift, lambda: world.book(world.pat_home_plan, world.ana, MONDAY, "09:00")
    )
    world.book(world.pat_home_plan, world.ana, MONDAY, f"09:{drive:02d}")
    # ... and is back home by the end of the shift.
    back_late = world.local(MONDAY, "16:00") - timedelta(minutes=drive - 1)
    rejected(
        world,
        OutsideShift,
        lambda: world.app.book_session(
            plan_id=world.pat_home_plan,
            therapist_id=world.ana,
            start=back_late,
            actor="desk",
            now=NOW,
            overrides=SAME_DAY,
        ),
    )


def test_time_off_and_sick_days_block_bookings(world: World) -> None:
    world.app.record_time_off(
        world.ana,
        start=world.local(TUESDAY, "12:00"),
        end=world.local(TUESDAY, "14:00"),
        kind="sick",
        actor="ana",
        reason="migraine",
        now=NOW,
    )

    message = rejected(
        world,
        TherapistUnavailable,
        lambda: world.book(world.pat_home_plan, world.ana, TUESDAY, "13:30"),
    )
    assert "sick" in message
    world.book(world.pat_home_plan, world.ana, TUESDAY, "14:00")
    assert world.app.get_therapist(world.ana).time_off[0]["kind"] == "sick"
    assert world.app.therapist_day(world.ana, TUESDAY).unavailable[0]["reason"] == "migraine"


def test_time_off_over_several_days_marks_each_day(world: World) -> None:
    world.app.record_time_off(
        world.ana,
        start=world.local(MONDAY, "00:00"),
        end=world.local(MONDAY + timedelta(3), "00:00"),
        actor="ana",
        reason="vacation",
        now=NOW,
    )

    for offset in range(3):
        day = MONDAY + timedelta(days=offset)
        rejected(
            world,
            TherapistUnavailable,
            lambda day=day: world.book(world.pat_home_plan, world.ana, day, "11:00"),
        )
    world.book(world.pat_home_plan, world.ana, MONDAY + timedelta(days=3), "11:00")


def test_a_therapist_has_at_most_max_visits_per_day(world: World) -> None:
    for clock in ("10:00", "11:00", "12:00", "13:00"):  # same home: no travel between
        world.book(world.pat_home_plan, world.ana, MONDAY, clock, overrides=SAME_DAY)

    rejected(
        world,
        DayFull,
        lambda: world.book(world.pat_home_plan, world.ana, MONDAY, "14:00", overrides=SAME_DAY),
    )


def test_a_session_needs_the_plans_specialization(world: World) -> None:
    rejected(
        world,
        MissingSpecialization,
        lambda: world.book(world.pat_clinic_plan, world.ana, MONDAY, "10:00"),
    )


def test_home_visits_need_a_mobile_therapist(world: World) -> None:
    rejected(world, NotMobile, lambda: world.book(world.pat_home_plan, world.ben, MONDAY, "10:00"))


def test_a_session_needs_an_active_plan(world: World) -> None:
    world.app.pause_plan(world.pat_home_plan, actor="desk", reason="travelling", now=NOW)
    rejected(
        world, PlanNotActive, lambda: world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    )

    world.app.resume_plan(world.pat_home_plan, actor="desk", reason="back", now=later(5))
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")

    world.app.complete_plan(world.pat_home_plan, actor="dr-lee", reason="goals met", now=later(9))
    rejected(
        world, PlanNotActive, lambda: world.book(world.pat_home_plan, world.ana, TUESDAY, "10:00")
    )


def test_a_session_needs_a_completed_evaluation(world: World) -> None:
    app = world.app
    rosa = app.register_patient(
        clinic_id=world.clinic, name="Rosa", home=PAT_HOME, actor="desk", now=NOW
    )
    rx = app.record_prescription(
        rosa,
        condition="lymphedema",
        authorized_sessions=4,
        expires_on=MONDAY + timedelta(60),
        actor="desk",
        now=NOW,
    )
    plan = app.create_plan(
        patient_id=rosa,
        prescription_id=rx,
        specialization="lymphatic",
        sessions=4,
        session_minutes=45,
        min_days=3,
        max_days=7,
        setting="home",
        actor="desk",
        now=NOW,
    )

    rejected(world, EvaluationMissing, lambda: world.book(plan, world.ana, MONDAY, "10:00"))
    app.record_evaluation(
        rosa, condition="lymphedema", pain_level=3, contraindications=[], actor="dr-lee", now=NOW
    )
    world.book(plan, world.ana, MONDAY, "10:00")


def test_a_contraindication_rules_out_the_treatment_until_cleared(world: World) -> None:
    app = world.app
    app.record_evaluation(
        world.pat,
        condition="multiple sclerosis",
        pain_level=7,
        contraindications=["fever"],
        actor="dr-lee",
        now=later(1),
    )
    message = rejected(
        world, Contraindicated, lambda: world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    )
    assert "fever" in message

    # A flag that rules out another treatment does not block this one.
    app.record_evaluation(
        world.pat,
        condition="multiple sclerosis",
        pain_level=5,
        contraindications=["jaw_dislocation"],
        actor="dr-lee",
        now=later(2),
    )
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")


def test_a_session_needs_an_unexpired_prescription(world: World) -> None:
    # The knee prescription expires on Saturday 2026-10-31.
    last_friday = MONDAY + timedelta(days=25)
    next_monday = MONDAY + timedelta(days=28)

    rejected(
        world,
        PrescriptionExpired,
        lambda: world.book(world.pat_clinic_plan, world.ben, next_monday, "10:00"),
    )
    world.book(world.pat_clinic_plan, world.ben, last_friday, "10:00")


def test_booking_beyond_the_authorized_sessions_is_refused(world: World) -> None:
    # The knee plan plans 5 sessions but the prescription authorizes 3.
    first = world.book(world.pat_clinic_plan, world.ben, MONDAY, "10:00")
    world.book(world.pat_clinic_plan, world.ben, MONDAY + timedelta(2), "10:00")
    world.book(world.pat_clinic_plan, world.ben, MONDAY + timedelta(4), "10:00")

    rejected(
        world,
        SessionsExhausted,
        lambda: world.book(world.pat_clinic_plan, world.ben, MONDAY + timedelta(7), "10:00"),
    )
    world.app.cancel_session(first, actor="pat", reason="cannot come", now=NOW)
    world.book(world.pat_clinic_plan, world.ben, MONDAY + timedelta(7), "10:00")
    assert world.app.get_plan(world.pat_clinic_plan).sessions_held == 3


def test_rescheduling_moves_the_session_between_days_in_one_step(world: World) -> None:
    app = world.app
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")

    app.reschedule_session(
        session, start=world.local(TUESDAY, "15:00"), actor="desk", reason="asked", now=later(1)
    )

    assert app.therapist_day(world.ana, MONDAY).visits == ()
    assert [v.session_id for v in app.therapist_day(world.ana, TUESDAY).visits] == [session]
    assert app.get_session(session).start_local.strftime("%a %H:%M") == "Tue 15:00"
    assert app.get_plan(world.pat_home_plan).sessions_held == 1  # moved, not booked twice


def test_rescheduling_within_the_day_may_overlap_its_own_old_time(world: World) -> None:
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")

    world.app.reschedule_session(
        session, start=world.local(MONDAY, "10:30"), actor="desk", reason="", now=later(1)
    )

    visits = world.app.therapist_day(world.ana, MONDAY).visits
    assert [v.start_local.strftime("%H:%M") for v in visits] == ["10:30"]


def test_rescheduling_into_a_taken_slot_changes_nothing(world: World) -> None:
    moved = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    world.book(world.quinn_home_plan, world.ana, TUESDAY, "10:00")

    rejected(
        world,
        TherapistBusy,
        lambda: world.app.reschedule_session(
            moved, start=world.local(TUESDAY, "10:30"), actor="desk", reason="", now=later(1)
        ),
    )
    assert world.app.get_session(moved).start == world.local(MONDAY, "10:00")
    assert len(world.app.therapist_day(world.ana, MONDAY).visits) == 1


def test_rescheduling_to_another_therapist_checks_that_therapist(world: World) -> None:
    app = world.app
    cleo = app.register_therapist(
        clinic_id=world.clinic,
        name="Cleo",
        specializations=["sports_injury"],
        mobile=False,
        shifts={"mon": [600, 720]},
        actor="admin",
        now=NOW,
    )
    session = world.book(world.pat_clinic_plan, world.ben, MONDAY, "09:00")

    rejected(
        world,
        OutsideShift,
        lambda: app.reschedule_session(
            session,
            start=world.local(MONDAY, "09:00"),
            therapist_id=cleo,
            actor="desk",
            reason="Ben is away",
            now=later(1),
        ),
    )
    app.reschedule_session(
        session,
        start=world.local(MONDAY, "10:00"),
        therapist_id=cleo,
        actor="desk",
        reason="Ben is away",
        now=later(2),
    )
    assert app.get_session(session).therapist_id == cleo
    assert app.therapist_day(world.ben, MONDAY).visits == ()
    assert [v.session_id for v in app.therapist_day(cleo, MONDAY).visits] == [session]


def test_a_clinic_based_therapists_base_is_the_clinic_even_with_a_home_on_file(
    world: World,
) -> None:
    app = world.app
    dora = app.register_therapist(
        clinic_id=world.clinic,
        name="Dora",
        specializations=["sports_injury"],
        mobile=False,
        home=(42.30, -87.90),
        shifts={"mon": [480, 960]},
        actor="admin",
        now=NOW,
    )
    # Dora's home is far away; her day still starts at the clinic at 08:00.
    world.book(world.pat_clinic_plan, dora, MONDAY, "08:00")
    assert (
        app.therapist_day(dora, MONDAY).visits[0].location == app.get_clinic(world.clinic).location
    )
