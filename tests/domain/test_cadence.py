"""The booking cadence after a sick call: a postponed session widens the gap it lies in.

The planning format's v1.1 rule 4: the placed sessions on either side of p postponed
ones may be up to `max_days * (p + 1)` apart. A postponed session's place among the
plan's sessions is the day it was displaced from. The rule alone first, then through
the booking commands on every store.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.world import MONDAY, NOW, World
from scheduler.domain.errors import CadenceBroken
from scheduler.domain.rules import cadence

D0 = date(2026, 10, 5)
TODAY = date(2026, 10, 1)


def day(offset: int) -> date:
    return D0 + timedelta(days=offset)


def keeps(
    offset: int, others: list[int], postponed: tuple[int, ...] = (), today: date = TODAY
) -> bool:
    """Whether a session `offset` days after D0 keeps the 2-5 day cadence."""
    try:
        cadence.check(
            day(offset),
            [day(o) for o in others],
            2,
            5,
            today,
            postponed=[day(p) for p in postponed],
        )
    except CadenceBroken:
        return False
    return True


def test_without_a_postponed_session_the_gap_is_min_to_max() -> None:
    assert [o for o in range(12) if keeps(o, [0])] == [2, 3, 4, 5]
    assert [o for o in range(-8, 12) if keeps(o, [10])] == [5, 6, 7, 8]


def test_one_postponed_session_after_the_last_one_doubles_the_longest_gap() -> None:
    # The session on day 3 was displaced and postponed: the next may come up to 2 x 5
    # days after day 0 (the v1.1 widening); the shortest gap stays 2 days.
    assert [o for o in range(14) if keeps(o, [0], postponed=(3,))] == list(range(2, 11))


def test_each_postponed_session_between_widens_the_gap_by_max_days() -> None:
    assert [o for o in range(20) if keeps(o, [0], postponed=(3, 6))] == list(range(2, 16))


def test_a_postponed_session_widens_only_the_gap_it_lies_in() -> None:
    # Its place before the previous session: no widening after that one.
    assert [o for o in range(4, 16) if keeps(o, [0, 4], postponed=(2,))] == [6, 7, 8, 9]
    # Its place after the new day: the gap before the new day is not widened...
    assert not keeps(7, [0], postponed=(9,))
    # ...but the gap from the new day to the session after the place is.
    assert [o for o in range(-4, 14) if keeps(o, [14], postponed=(9,))] == list(range(4, 13))
    assert [o for o in range(-4, 14) if keeps(o, [14])] == [9, 10, 11, 12]


def test_the_shortest_gap_is_never_widened() -> None:
    assert not keeps(1, [0], postponed=(1,))
    assert not keeps(9, [10], postponed=(9,))


def test_overdue_counts_from_the_widened_bound() -> None:
    # Today is 7 days after the last session: past max_days (5) but within 2 x 5, so the
    # plan is not overdue yet and the widened bound holds.
    today = day(7)
    assert keeps(10, [0], postponed=(3,), today=today)
    assert not keeps(11, [0], postponed=(3,), today=today)
    # Without the postponed session it is overdue: any day from today on.
    assert keeps(11, [0], today=today)
    # Past the widened bound too: overdue again.
    assert keeps(20, [0], postponed=(3,), today=day(11))


def test_the_refusal_says_how_far_the_postponed_session_stretches_the_gap() -> None:
    with pytest.raises(CadenceBroken) as refused:
        cadence.check(day(11), [day(0)], 2, 5, TODAY, postponed=[day(3)])
    message = str(refused.value)
    assert "up to 10 across 1 postponed session(s)" in message
    assert f"choose a day up to {day(10)}" in message


# --- through the commands ---------------------------------------------------------------
def _postponed_after(world: World, *, later: date | None = None) -> tuple[UUID, UUID]:
    """Pat's home plan (2-9 days) with Ana on Monday and Wednesday (and `later`); Ana
    calls in sick on Wednesday and the Wednesday visit is postponed."""
    app = world.app
    first = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    wednesday = world.book(world.pat_home_plan, world.ana, MONDAY + timedelta(days=2), "10:00")
    if later is not None:
        world.book(world.pat_home_plan, world.ana, later, "10:00")
    app.record_sick_call(
        world.ana, days=[MONDAY + timedelta(days=2)], actor="desk", reason="flu", now=NOW
    )
    app.postpone_session(
        wednesday, actor="desk", reason="no time", now=NOW, wait_until=NOW + timedelta(days=9)
    )
    return first, wednesday


def test_a_displaced_session_that_is_not_postponed_keeps_the_strict_cadence(
    world: World,
) -> None:
    app = world.app
    world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    world.book(world.pat_home_plan, world.ana, MONDAY + timedelta(days=2), "10:00")
    app.record_sick_call(
        world.ana, days=[MONDAY + timedelta(days=2)], actor="desk", reason="flu", now=NOW
    )
    with pytest.raises(CadenceBroken):
        world.book(world.pat_home_plan, world.ana, MONDAY + timedelta(days=15), "10:00")


def test_the_postponed_session_takes_a_day_of_the_widened_gap(world: World) -> None:
    app = world.app
    _, wednesday = _postponed_after(world)
    before = world.events()
    # Monday + 18 days is the widened bound (2 x 9): the Monday after it is refused...
    with pytest.raises(CadenceBroken, match="across 1 postponed"):
        world.book(world.pat_home_plan, world.ana, MONDAY + timedelta(days=21), "10:00")
    assert world.events() == before
    # ...and a day 15 days after Monday (beyond 9) is the postponed session's new time.
    booked = world.book(world.pat_home_plan, world.ana, MONDAY + timedelta(days=15), "10:00")
    assert booked == wednesday
    session = app.get_session(wednesday)
    assert (session.status, session.start) == (
        "booked",
        world.local(MONDAY + timedelta(days=15), "10:00"),
    )
    # Placed again, it no longer widens anything.
    assert app.get_plan(world.pat_home_plan).postponed == ()


def test_a_later_session_may_move_across_the_postponed_ones_place(world: World) -> None:
    app = world.app
    friday = MONDAY + timedelta(days=4)
    _postponed_after(world, later=friday)
    third = next(
        s.id
        for s in app.patient_sessions(world.pat)
        if s.plan_id == world.pat_home_plan and s.start == world.local(friday, "10:00")
    )

    def move(days: int) -> None:
        start = world.local(MONDAY + timedelta(days=days), "10:00")
        app.reschedule_session(third, start=start, actor="desk", reason="later", now=NOW)

    with pytest.raises(CadenceBroken):
        move(21)  # beyond Monday + 2 x 9
    move(16)
    assert app.get_session(third).start == world.local(MONDAY + timedelta(days=16), "10:00")


def test_the_postponed_sessions_place_is_rebuilt_from_the_events(world: World) -> None:
    _postponed_after(world)
    plan = world.app.repository.get(world.pat_home_plan)
    assert plan.postponed_places() == [MONDAY + timedelta(days=2)]
