"""Time: stored in UTC, shown in the clinic's zone, weekly plans keep local wall-clock time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.world import World
from scheduler.domain import Scheduling


def test_sessions_are_stored_in_utc_and_shown_in_the_clinics_zone(world: World) -> None:
    session = world.app.get_session(
        world.book(world.pat_home_plan, world.ana, date(2026, 10, 5), "10:00")
    )

    assert session.start == datetime(2026, 10, 5, 15, 0, tzinfo=UTC)  # CDT is UTC-5
    assert session.start_local.hour == 10
    assert str(session.start_local.tzinfo) == "America/Chicago"


def test_a_weekly_plan_across_the_fall_back_change_keeps_local_ten_oclock(world: World) -> None:
    # America/Chicago leaves daylight time on Sunday 2026-11-01.
    mondays = [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9)]
    sessions = [
        world.app.get_session(world.book(world.pat_home_plan, world.ana, monday, "10:00"))
        for monday in mondays
    ]

    assert [s.start_local.strftime("%H:%M") for s in sessions] == ["10:00"] * 4
    assert [s.start.hour for s in sessions] == [15, 15, 16, 16]  # UTC offsets differ
    assert sessions[2].start - sessions[1].start == timedelta(days=7, hours=1)


def test_shifts_follow_local_time_across_the_change(world: World) -> None:
    before, after = date(2026, 10, 30), date(2026, 11, 2)
    shift_before = world.app.therapist_day(world.ben, before).shift
    shift_after = world.app.therapist_day(world.ben, after).shift
    assert shift_before is not None
    assert shift_after is not None

    assert shift_before[0].astimezone(UTC).hour == 13  # 08:00 CDT
    assert shift_after[0].astimezone(UTC).hour == 14  # 08:00 CST
    world.book(world.pat_clinic_plan, world.ben, before, "08:00")  # the knee plan runs to Oct 31
    assert (
        world.app.get_session(
            world.app.get_plan(world.pat_clinic_plan).session_ids[0]
        ).start_local.hour
        == 8
    )


@pytest.mark.parametrize(
    ("zone", "before", "after", "utc_hours"),
    [
        ("Europe/Berlin", date(2026, 10, 19), date(2026, 10, 26), (8, 9)),  # CEST→CET on 10-25
        ("America/Chicago", date(2026, 3, 2), date(2026, 3, 9), (16, 15)),  # CST→CDT on 03-08
    ],
)
def test_weekly_plans_keep_local_time_in_other_zones(
    scheduling: Scheduling, zone: str, before: date, after: date, utc_hours: tuple[int, int]
) -> None:
    app = scheduling
    now = datetime(2026, 1, 5, tzinfo=UTC)
    clinic = app.register_clinic(
        name="Praxis",
        address="Hauptstr. 1",
        location=(52.52, 13.40),
        timezone=zone,
        actor="admin",
        now=now,
    )
    therapist = app.register_therapist(
        clinic_id=clinic,
        name="Greta",
        specializations=["fibromyalgia"],
        mobile=False,
        shifts={"mon": [480, 1080]},
        actor="admin",
        now=now,
    )
    patient = app.register_patient(
        clinic_id=clinic, name="Jonas", home=(52.5, 13.4), actor="a", now=now
    )
    app.record_evaluation(
        patient, condition="fibromyalgia", pain_level=5, contraindications=[], actor="dr", now=now
    )
    rx = app.record_prescription(
        patient,
        condition="fibromyalgia",
        authorized_sessions=8,
        expires_on=date(2026, 12, 31),
        actor="a",
        now=now,
    )
    plan = app.create_plan(
        patient_id=patient,
        prescription_id=rx,
        specialization="fibromyalgia",
        sessions=8,
        session_minutes=60,
        min_days=7,
        max_days=7,
        setting="clinic",
        actor="a",
        now=now,
    )

    starts = []
    for day in (before, after):
        session = app.book_session(
            plan_id=plan,
            therapist_id=therapist,
            start=app.local_time(clinic, day, 600),
            actor="a",
            now=now,
        )
        starts.append(app.get_session(session))
    assert [s.start_local.hour for s in starts] == [10, 10]
    assert (starts[0].start.hour, starts[1].start.hour) == utc_hours
