"""Version conflicts between two applications on one store: retried, then reported."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.conftest import store_env
from domain.world import MONDAY, NOW, SAME_DAY, World, build_world, later
from scheduler.domain import Scheduling
from scheduler.domain.commands.store import SAVE_ATTEMPTS
from scheduler.domain.errors import BookingConflict, Contraindicated, TherapistBusy


class Interrupted(Scheduling):
    """An application whose next saves are preceded by another writer's command."""

    name = "Scheduling"  # the library names tables after the application

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self.interruptions: list[Callable[[], Any]] = []

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Let the other writer in between this writer's reads and its save."""
        if self.interruptions:
            self.interruptions.pop(0)()
        return super().save(*objs, **kwargs)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_writers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[World, Interrupted]]:
    """The sample clinic, plus a second application on the same store."""
    env = store_env(request.param, tmp_path, request)
    other = Scheduling(env)
    first = Interrupted(env)
    yield build_world(other), first
    first.close()
    other.close()


def book(app: Scheduling, world: World, plan: Any, clock: str) -> Any:
    return app.book_session(
        plan_id=plan,
        therapist_id=world.ana,
        start=world.local(MONDAY, clock),
        actor="desk",
        now=NOW,
        overrides=SAME_DAY,  # these tests are about one day's writers, not the cadence
    )


def test_a_writer_that_lost_the_slot_gets_the_rule_it_now_breaks(
    two_writers: tuple[World, Interrupted],
) -> None:
    world, first = two_writers
    first.interruptions.append(lambda: book(world.app, world, world.quinn_home_plan, "10:30"))

    before = world.events()
    with pytest.raises(TherapistBusy):
        book(first, world, world.pat_home_plan, "10:00")
    assert world.events() == before + 7  # only the winner's booking
    assert world.app.get_plan(world.pat_home_plan).sessions_held == 0


def test_a_version_clash_on_a_free_slot_is_retried_and_both_bookings_stand(
    two_writers: tuple[World, Interrupted],
) -> None:
    world, first = two_writers
    first.interruptions.append(lambda: book(world.app, world, world.quinn_home_plan, "14:00"))

    session = book(first, world, world.pat_home_plan, "10:00")

    assert len(world.app.therapist_day(world.ana, MONDAY).visits) == 2
    assert world.app.get_session(session).status == "booked"


def test_a_writer_that_keeps_losing_gets_booking_conflict_and_writes_nothing(
    two_writers: tuple[World, Interrupted],
) -> None:
    world, first = two_writers
    for n in range(SAVE_ATTEMPTS):
        first.interruptions.append(
            lambda n=n: world.app.change_cadence(
                world.pat_home_plan, min_days=1, max_days=2 + n, actor="dr", reason="", now=later(n)
            )
        )

    with pytest.raises(BookingConflict):
        book(first, world, world.pat_home_plan, "10:00")
    assert world.app.therapist_day(world.ana, MONDAY).visits == ()
    assert world.app.get_plan(world.pat_home_plan).sessions_held == 0


def test_a_writers_cached_copy_is_brought_up_to_date_before_it_decides(
    two_writers: tuple[World, Interrupted],
) -> None:
    world, first = two_writers
    book(first, world, world.pat_home_plan, "10:00")  # `first` now holds Ana's Monday
    book(world.app, world, world.quinn_home_plan, "13:00")  # ...which another writer changes

    with pytest.raises(TherapistBusy):
        book(first, world, world.pat_home_plan, "13:30")
    book(first, world, world.pat_home_plan, "15:00")
    visits = world.app.therapist_day(world.ana, MONDAY).visits
    assert [v.start_local.strftime("%H:%M") for v in visits] == ["10:00", "13:00", "15:00"]


def test_an_evaluation_recorded_during_a_booking_is_not_missed(
    two_writers: tuple[World, Interrupted],
) -> None:
    world, first = two_writers
    first.interruptions.append(
        lambda: world.app.record_evaluation(
            world.pat,
            condition="ms",
            pain_level=8,
            contraindications=["fever"],
            actor="dr",
            now=NOW,
        )
    )

    with pytest.raises(Contraindicated):
        book(first, world, world.pat_home_plan, "10:00")
    events = [entry.event for entry in world.app.history(world.pat_home_plan)]
    assert events[-1] == "EvaluationNoted"
    assert "SessionHeld" not in events
