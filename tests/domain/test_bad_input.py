"""Bad input gets a clear, named error and writes nothing, on every store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.test_booking_rules import rejected
from domain.world import MONDAY, NOW, PAT_HOME, World
from scheduler.domain.errors import (
    InvalidDuration,
    InvalidInput,
    InvalidPainLevel,
    InvalidTimezone,
    NaiveDatetime,
    NotFound,
    SessionNotBooked,
    TooEarly,
    UnknownClinic,
    UnknownPatient,
    UnknownPlan,
    UnknownPrescription,
    UnknownSession,
    UnknownTherapist,
)


def test_unknown_ids_are_named_not_found(world: World) -> None:
    app, nobody = world.app, uuid4()
    start = world.local(MONDAY, "10:00")

    rejected(
        world,
        UnknownPlan,
        lambda: app.book_session(
            plan_id=nobody, therapist_id=world.ana, start=start, actor="d", now=NOW
        ),
    )
    rejected(
        world,
        UnknownTherapist,
        lambda: app.book_session(
            plan_id=world.pat_home_plan, therapist_id=nobody, start=start, actor="d", now=NOW
        ),
    )
    rejected(
        world, UnknownSession, lambda: app.cancel_session(nobody, actor="d", reason="", now=NOW)
    )
    rejected(world, UnknownPatient, lambda: app.get_patient(str(nobody)))
    rejected(world, UnknownClinic, lambda: app.list_therapists(nobody))
    rejected(world, NotFound, lambda: app.history(nobody))
    rejected(
        world,
        UnknownPrescription,
        lambda: app.create_plan(
            patient_id=world.pat,
            prescription_id=nobody,
            specialization="ms",
            sessions=2,
            session_minutes=60,
            min_days=1,
            max_days=3,
            setting="home",
            actor="d",
            now=NOW,
        ),
    )


def test_malformed_ids_and_ids_of_another_kind_are_not_found(world: World) -> None:
    message = rejected(world, UnknownTherapist, lambda: world.app.get_therapist("ana"))
    assert "not a valid id" in message
    message = rejected(world, UnknownTherapist, lambda: world.app.get_therapist(world.pat))
    assert "Patient" in message


def test_times_without_an_offset_are_refused(world: World) -> None:
    naive = datetime(2026, 10, 5, 10, 0)
    rejected(
        world,
        NaiveDatetime,
        lambda: world.app.book_session(
            plan_id=world.pat_home_plan, therapist_id=world.ana, start=naive, actor="d", now=NOW
        ),
    )


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", " America/Chicago", "CET+1"])
def test_an_unknown_time_zone_is_refused(world: World, zone: str) -> None:
    rejected(
        world,
        InvalidTimezone,
        lambda: world.app.register_clinic(
            name="Elsewhere", address="?", location=(0.0, 0.0), timezone=zone, actor="a", now=NOW
        ),
    )


@pytest.mark.parametrize("minutes", [0, -30, 24 * 60])
def test_session_lengths_must_be_positive_and_sane(world: World, minutes: int) -> None:
    rx = world.app.get_patient(world.pat).prescriptions[0].id
    rejected(
        world,
        InvalidDuration,
        lambda: world.app.create_plan(
            patient_id=world.pat,
            prescription_id=rx,
            specialization="ms",
            sessions=2,
            session_minutes=minutes,
            min_days=1,
            max_days=3,
            setting="home",
            actor="d",
            now=NOW,
        ),
    )


def test_time_off_must_end_after_it_starts(world: World) -> None:
    start = world.local(MONDAY, "12:00")
    rejected(
        world,
        InvalidDuration,
        lambda: world.app.record_time_off(
            world.ana, start=start, end=start - timedelta(hours=1), actor="a", reason="", now=NOW
        ),
    )


@pytest.mark.parametrize("pain", [-1, 11, 3.5, True])
def test_pain_levels_are_whole_numbers_from_0_to_10(world: World, pain: object) -> None:
    rejected(
        world,
        InvalidPainLevel,
        lambda: world.app.record_evaluation(
            world.pat,
            condition="ms",
            pain_level=pain,
            contraindications=[],  # type: ignore[arg-type]
            actor="dr",
            now=NOW,
        ),
    )


@pytest.mark.parametrize(
    "change",
    [
        {"specializations": ["reiki"]},
        {"shifts": {"someday": [540, 600]}},
        {"shifts": {"mon": [600, 540]}},
        {"shifts": {"mon": [540, 1500]}},
        {"home": (95.0, 0.0)},
        {"mobile": True, "home": None},
        {"max_visits_per_day": 0},
        {"name": "  "},
    ],
)
def test_malformed_therapist_records_are_refused(world: World, change: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "clinic_id": world.clinic,
        "name": "Cleo",
        "specializations": ["ms"],
        "mobile": True,
        "home": PAT_HOME,
        "shifts": {"mon": [540, 1020]},
        "actor": "a",
        "now": NOW,
    }
    fields.update(change)
    rejected(world, InvalidInput, lambda: world.app.register_therapist(**fields))  # type: ignore[arg-type]


def test_plan_values_are_checked(world: World) -> None:
    rx = world.app.get_patient(world.pat).prescriptions[0].id
    base: dict[str, object] = {
        "patient_id": world.pat,
        "prescription_id": rx,
        "specialization": "ms",
        "sessions": 2,
        "session_minutes": 60,
        "min_days": 1,
        "max_days": 3,
        "setting": "home",
        "actor": "d",
        "now": NOW,
    }
    for change in ({"setting": "spa"}, {"sessions": 0}, {"min_days": 5, "max_days": 2}):
        rejected(world, InvalidInput, lambda c=change: world.app.create_plan(**{**base, **c}))  # type: ignore[arg-type]
    rejected(
        world,
        InvalidInput,
        lambda: world.app.record_prescription(
            world.pat,
            condition="ms",
            authorized_sessions=0,
            expires_on=date(2027, 1, 1),
            actor="d",
            now=NOW,
        ),
    )
    rejected(
        world,
        InvalidInput,
        lambda: world.app.change_cadence(
            world.pat_home_plan, min_days=9, max_days=3, actor="d", reason="", now=NOW
        ),
    )
    rejected(
        world,
        InvalidInput,
        lambda: world.app.remove_sessions(
            world.pat_home_plan, count=10, actor="d", reason="", now=NOW
        ),
    )


def test_finished_sessions_cannot_change_and_none_finishes_early(world: World) -> None:
    app = world.app
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    rejected(
        world,
        TooEarly,
        lambda: app.complete_session(
            session, note="ok", pain_before=6, pain_after=3, actor="ana", now=NOW
        ),
    )
    after = world.local(MONDAY, "11:00")
    rejected(
        world,
        InvalidPainLevel,
        lambda: app.complete_session(
            session, note="ok", pain_before=6, pain_after=12, actor="ana", now=after
        ),
    )
    app.complete_session(
        session, note="calves looser", pain_before=6, pain_after=3, actor="ana", now=after
    )

    rejected(
        world,
        SessionNotBooked,
        lambda: app.cancel_session(session, actor="d", reason="", now=after),
    )
    rejected(
        world,
        SessionNotBooked,
        lambda: app.reschedule_session(
            session, start=world.local(MONDAY, "14:00"), actor="d", reason="", now=after
        ),
    )
    view = app.get_session(session)
    assert view.status == "completed"
    assert view.progress_note is not None
    assert {k: view.progress_note[k] for k in ("note", "pain_before", "pain_after")} == {
        "note": "calves looser",
        "pain_before": 6,
        "pain_after": 3,
    }
