"""Fixtures of the read-side suite: a PostgreSQL store with a busy sample clinic."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.world import MONDAY, NOW, World, build_world
from scheduler.domain import Scheduling
from scheduler.settings import Settings

SECRET = "test-secret-that-is-long-enough-0123456789"


@pytest.fixture
def settings(tmp_path: Path, pg_database: dict[str, str]) -> Settings:
    """PostgreSQL, no Redis."""
    return Settings(
        data_dir=tmp_path, database_url=pg_database["dsn"], jwt_secret=SECRET, store_threads=2
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Scheduling]:
    """The domain on the test database (tables created, as `scheduler migrate` does)."""
    application = Scheduling(settings.store_env(create_table=True))
    yield application
    application.close()


def busy_week(app: Scheduling) -> World:
    """The sample clinic with bookings, a move, a cancellation, time off, a new
    evaluation and pins (one lifted again): every kind of event the board shows."""
    world = build_world(app)
    tuesday = MONDAY + timedelta(days=1)
    first = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    pinned = world.book(world.quinn_home_plan, world.ana, MONDAY, "13:00")
    app.pin_session(pinned, actor="desk", reason="patient's only free hour", now=NOW)
    moved = world.book(world.pat_clinic_plan, world.ben, MONDAY, "09:00")
    thursday = MONDAY + timedelta(days=3)  # the plan's cadence: 2-9 days apart
    cancelled = world.book(world.pat_clinic_plan, world.ben, thursday, "11:00")
    app.reschedule_session(
        moved, start=world.local(tuesday, "14:00"), actor="desk", reason="asked", now=NOW
    )
    app.cancel_session(cancelled, actor="desk", reason="ill", now=NOW)
    app.pin_session(moved, actor="desk", reason="keep it", now=NOW)
    app.unpin_session(moved, actor="desk", reason="free again", now=NOW)
    app.record_time_off(
        world.ana,
        start=world.local(tuesday, "12:00"),
        end=world.local(tuesday, "17:00"),
        kind="time_off",
        actor="admin",
        reason="dentist",
        now=NOW,
    )
    app.record_evaluation(
        world.pat,
        condition="multiple sclerosis",
        pain_level=4,
        contraindications=["open_wound"],
        notes="bruises easily",
        actor="dr-lee",
        now=NOW,
    )
    app.record_no_show(first, actor="ana", reason="not home", now=NOW + timedelta(days=5))
    return world
