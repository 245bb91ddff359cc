"""`Scheduling.watching_reads`: what a cache of a query's answer is keyed on."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.world import MONDAY, NOW, build_world
from scheduler.domain import Scheduling
from scheduler.domain.errors import UnknownPlan
from scheduler.store import environment


def test_every_record_read_is_noted_at_its_version_and_read_once() -> None:
    app = Scheduling(environment("memory"))
    world = build_world(app)
    loads: list[object] = []
    get = app.repository.get

    def counted(*args: object, **kwargs: object) -> object:
        loads.append(args[0])
        return get(*args, **kwargs)

    app.repository.get = counted  # type: ignore[method-assign]
    with app.watching_reads() as seen:
        plan = app.get_plan(world.pat_home_plan)
        app.get_plan(world.pat_home_plan)
        app.get_patient(plan.patient_id)
    assert len(loads) == len(set(loads)), "each record loaded once while watched"
    assert seen[world.pat_home_plan] == app.repository.get(world.pat_home_plan).version
    assert seen[plan.patient_id] >= 1
    assert seen[plan.prescription_id] >= 1

    # A booking moves the plan's version: the noted one is then behind.
    app.book_session(
        plan_id=world.pat_home_plan,
        therapist_id=world.ana,
        start=app.local_time(world.clinic, MONDAY, 600),
        actor="desk",
        now=NOW,
    )
    assert app.repository.get(world.pat_home_plan).version > seen[world.pat_home_plan]

    # Outside the block nothing is noted or recalled.
    loads.clear()
    app.get_plan(world.pat_home_plan)
    app.get_plan(world.pat_home_plan)
    assert len(loads) > len(set(loads))


def test_a_record_that_does_not_exist_is_noted_at_version_zero() -> None:
    app = Scheduling(environment("memory"))
    build_world(app)
    missing = uuid4()
    with app.watching_reads() as seen, pytest.raises(UnknownPlan):
        app.get_plan(missing)
    assert seen == {missing: 0}


def test_watches_do_not_nest() -> None:
    app = Scheduling(environment("memory"))
    with app.watching_reads(), pytest.raises(RuntimeError), app.watching_reads():
        pass
