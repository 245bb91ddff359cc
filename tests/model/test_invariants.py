"""The model's checker can fail: records written around the domain's rules are found."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.domain.model.session import Session
from scheduler.store import environment

from .invariants import Acknowledged, check_store
from .world import ModelWorld, seed

NOW = datetime(2026, 10, 3, 15, 0, tzinfo=UTC)
MONDAY = date(2026, 10, 5)


def _world() -> tuple[Scheduling, ModelWorld]:
    app = Scheduling(environment("memory"))
    return app, seed(app, NOW, MONDAY + timedelta(days=60))


def _at(app: Scheduling, world: ModelWorld, day: int, minute: int) -> datetime:
    return app.local_time(world.clinic, MONDAY + timedelta(days=day), minute)


def _forged(app: Scheduling, world: ModelWorld, plan: str, start: datetime, at: datetime) -> UUID:
    """A session saved on its own, as if no day or plan had checked it."""
    view = app.get_plan(world.plans[plan])
    session = Session(
        clinic_id=world.clinic,
        kind="treatment",
        number=0,
        reassessment=False,
        visit_reason="",
        plan_id=view.id,
        patient_id=view.patient_id,
        prescription_id=view.prescription_id,
        therapist_id=world.therapists["ana"],
        start=start,
        end=start + timedelta(minutes=view.session_minutes),
        therapist_day=start.date(),
        patient_day=start.date(),
        latitude=view.location[0],
        longitude=view.location[1],
        setting=view.setting,
        overrides={},
        actor="forger",
        reason="",
        at=at,
    )
    app.save(session)
    return session.id


def test_a_store_kept_by_the_domain_passes() -> None:
    app, world = _world()
    booked = app.book_session(
        plan_id=world.plans["pat-ms"],
        therapist_id=world.therapists["ana"],
        start=_at(app, world, 0, 600),
        actor="desk",
        now=NOW,
    )
    assert check_store(app.recorder, [Acknowledged("booked", booked)]) == []


def test_double_booking_past_bookings_and_cadence_are_found() -> None:
    app, world = _world()
    app.book_session(
        plan_id=world.plans["pat-ms"],
        therapist_id=world.therapists["ana"],
        start=_at(app, world, 0, 600),
        actor="desk",
        now=NOW,
    )
    _forged(app, world, "quinn-arm", _at(app, world, 0, 630), NOW)  # Ana is with Pat
    _forged(app, world, "pat-ms", _at(app, world, 1, 600), NOW)  # one day after Pat's first
    _forged(app, world, "rae-ankle", NOW - timedelta(days=1), NOW)  # in the past
    problems = " | ".join(check_store(app.recorder, []))
    assert "overlaps" in problems
    assert "days after the previous session" in problems
    assert "before the command" in problems


def test_over_authorized_prescriptions_and_missing_acknowledgements_are_found() -> None:
    app, world = _world()
    for day in (0, 2, 4):
        app.book_session(
            plan_id=world.plans["quinn-arm"],
            therapist_id=world.therapists["cleo"],
            start=_at(app, world, day, 600),
            actor="desk",
            now=NOW,
        )
    _forged(app, world, "quinn-leg", _at(app, world, 7, 600), NOW)  # a 4th of 3 authorized
    problems = check_store(app.recorder, [Acknowledged("cancelled", UUID(int=7))])
    assert any("holds 4 sessions, 3 authorized" in p for p in problems)
    assert any("acknowledged cancelled" in p for p in problems)


def test_a_postponed_session_widens_the_cadence_as_far_as_v1_1_allows() -> None:
    app, world = _world()
    plan, ana = world.plans["pat-ms"], world.therapists["ana"]  # 2-5 days
    for day in (0, 2):
        app.book_session(
            plan_id=plan, therapist_id=ana, start=_at(app, world, day, 600), actor="desk", now=NOW
        )
    call = app.record_sick_call(
        ana, days=[MONDAY + timedelta(days=2)], actor="desk", reason="flu", now=NOW
    )
    (waiting,) = app.get_sick_call(call).displaced
    app.postpone_session(
        waiting, actor="desk", reason="no time", now=NOW, wait_until=NOW + timedelta(days=9)
    )
    # Up to 2 x 5 days after Monday, across the postponed one: beyond is found...
    forged = _forged(app, world, "pat-ms", _at(app, world, 11, 600), NOW)
    # ...within is what the domain books (the postponed session's new time).
    moved = app.book_session(
        plan_id=plan, therapist_id=ana, start=_at(app, world, 9, 600), actor="desk", now=NOW
    )
    assert moved == waiting
    problems = check_store(app.recorder, [])
    assert len(problems) == 1, problems
    assert f"session {forged}" in problems[0]
    assert "11 days after the previous session" in problems[0]
