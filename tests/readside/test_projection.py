"""The projection's tables give the same board and week as a replay of the domain."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import msgspec
import pytest

from domain.world import MONDAY
from scheduler.api import readers
from scheduler.api.readmodel import board_of, week_of
from scheduler.domain import Scheduling
from scheduler.readside.projector import Projector, create_read_model
from scheduler.readside.reader import ReadModel
from scheduler.settings import Settings

from .conftest import busy_week

pytestmark = pytest.mark.postgres
WEEK = [MONDAY + timedelta(days=n) for n in range(7)]


async def _projected(settings: Settings, clinic, therapist):  # type: ignore[no-untyped-def]
    model = ReadModel(settings.database_url or "")
    await model.open()
    try:
        snapshot = await model.snapshot(clinic, WEEK[0], WEEK[-1])
        mine = await model.snapshot(clinic, WEEK[0], WEEK[-1], therapist_id=therapist)
        return snapshot, mine, await model.position()
    finally:
        await model.close()


def test_board_and_week_from_the_tables_equal_the_domain(
    settings: Settings, app: Scheduling
) -> None:
    world = busy_week(app)
    last = app.recorder.max_notification_id()
    assert last is not None
    with Projector(settings) as projector:
        projector.wait(last, timeout=30)
    snapshot, mine, position = asyncio.run(_projected(settings, world.clinic, world.ana))
    assert position == last
    assert snapshot is not None
    assert mine is not None
    for day in WEEK:
        expected = readers.board(app, world.clinic, day, None)
        assert msgspec.json.encode(board_of(snapshot, day)) == msgspec.json.encode(expected)
    assert msgspec.json.encode(week_of(mine, mine.therapists[0], MONDAY)) == msgspec.json.encode(
        readers.week(app, world.ana, MONDAY)
    )
    # The sample week is not empty: the comparison above compared real visits.
    monday = board_of(snapshot, MONDAY)
    assert sum(len(route.visits) for route in monday.routes) == 2
    # Pins show: the 13:00 visit stays pinned, the moved one was pinned and released.
    assert [v.pinned for v in monday.routes[0].visits] == [False, True]
    assert [v.pinned for r in board_of(snapshot, WEEK[1]).routes for v in r.visits] == [False]
    tuesday = board_of(snapshot, WEEK[1])
    assert [len(r.visits) for r in tuesday.routes] == [0, 1]
    assert tuesday.routes[0].unavailable[0]["kind"] == "time_off"


def test_a_restarted_projector_resumes_after_its_last_event(
    settings: Settings, app: Scheduling
) -> None:
    world = busy_week(app)
    first = app.recorder.max_notification_id()
    assert first is not None
    with Projector(settings) as projector:
        projector.wait(first, timeout=30)
    later = world.book(world.quinn_home_plan, world.ana, MONDAY + timedelta(days=3), "09:30")
    last = app.recorder.max_notification_id()
    assert last is not None
    assert last > first
    with Projector(settings) as projector:
        projector.wait(last, timeout=30)
    snapshot, _, position = asyncio.run(_projected(settings, world.clinic, world.ana))
    assert position == last
    assert snapshot is not None
    assert later in {visit.session_id for visit in snapshot.visits}


def test_the_read_model_can_be_created_before_the_projector_runs(
    settings: Settings, app: Scheduling
) -> None:
    busy_week(app)
    create_read_model(settings)
    create_read_model(settings)  # idempotent, as `scheduler migrate` is
    snapshot, _, position = asyncio.run(_projected(settings, uuid.uuid4(), uuid.uuid4()))
    assert snapshot is None
    assert position == 0


def test_a_sick_call_and_an_undone_one_project_like_the_domain(
    settings: Settings, app: Scheduling
) -> None:
    from domain.world import NOW  # noqa: PLC0415 - the domain suite's clock

    world = busy_week(app)
    wednesday, friday = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
    kept = world.book(world.quinn_home_plan, world.ana, wednesday, "10:00")
    back = world.book(world.quinn_home_plan, world.ana, friday, "10:00")
    app.record_sick_call(world.ana, days=[wednesday], actor="desk", reason="flu", now=NOW)
    undone = app.record_sick_call(world.ana, days=[friday], actor="desk", reason="flu", now=NOW)
    app.undo_sick_call(undone, actor="desk", reason="fit", now=NOW)
    assert app.get_session(kept).status == "displaced"
    assert app.get_session(back).status == "booked"
    last = app.recorder.max_notification_id()
    assert last is not None
    with Projector(settings) as projector:
        projector.wait(last, timeout=30)
    snapshot, mine, _ = asyncio.run(_projected(settings, world.clinic, world.ana))
    assert snapshot is not None
    assert mine is not None
    for day in WEEK:
        expected = readers.board(app, world.clinic, day, None)
        assert msgspec.json.encode(board_of(snapshot, day)) == msgspec.json.encode(expected)
    assert msgspec.json.encode(week_of(mine, mine.therapists[0], MONDAY)) == msgspec.json.encode(
        readers.week(app, world.ana, MONDAY)
    )
    ana_wednesday = next(
        r for r in board_of(snapshot, wednesday).routes if r.therapist_id == world.ana
    )
    assert (ana_wednesday.visits, [u["kind"] for u in ana_wednesday.unavailable]) == ([], ["sick"])
    ana_friday = next(r for r in board_of(snapshot, friday).routes if r.therapist_id == world.ana)
    assert ([v.session_id for v in ana_friday.visits], ana_friday.unavailable) == ([back], [])
