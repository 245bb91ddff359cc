"""The continuity polish: a split plan goes back to one therapist when nothing is lost."""

from __future__ import annotations

import time
from typing import Any

from scheduler.matching import lns
from scheduler.matching.placement import place_plan
from scheduler.matching.problem import load_problem
from scheduler.matching.timetable import Timetable

from .clinic import check, plan, problem, therapist
from .test_repack_assign import visits


def _a_in_the_way_of_s(*others: dict[str, Any]) -> dict[str, Any]:
    """t-1 sees one patient a day; plan "a" (one session, day 1 or 2) and plan "s"
    (day 0, then day 1) both need t-1's day 1 when placed in that order."""
    return problem(
        therapists=[therapist("t-1", max_visits_per_day=1), *others],
        plans=[
            plan("a", sessions=1, first_day={"earliest": 1, "latest": 2}),
            plan(
                "s",
                first_day={"earliest": 0, "latest": 0},
                cadence={"min_days": 1, "max_days": 1},
            ),
        ],
    )


def test_polish_repacks_the_main_therapist_to_take_a_split_plan_whole() -> None:
    # t-1 sees one patient a day; t-2 works day 1 only. Plan "a" sits on t-1's day 1,
    # so plan "s" (days 0 and 1) is split unless t-1's "a" moves to day 2.
    doc = _a_in_the_way_of_s(therapist("t-2", shifts=[{"day": 1, "start": 540, "end": 1020}]))
    tt = Timetable(load_problem(doc))
    place_plan(tt, tt.problem.plans["a"], ["t-1"])
    place_plan(tt, tt.problem.plans["s"], ["t-1", "t-2"])
    assert tt.where["a"][1] == ("t-1", 1)
    assert tt.therapists_of("s") == {"t-1", "t-2"}

    lns.polish_continuity(tt, lns.Neighbourhoods(tt.problem), time.monotonic() + 5.0)

    assert tt.therapists_of("s") == {"t-1"}
    assert tt.placed_sessions("s") == 2
    assert tt.where["a"][1] == ("t-1", 2)
    report = check(doc, visits(tt))
    assert report["feasible"]
    assert report["continuity"] == 1.0


def test_tighten_repacks_a_therapist_to_finish_a_plan_it_holds() -> None:
    # t-1 alone, one patient a day. Plan "a" sits on day 1, where plan "s" (days 0 and 1)
    # needs its 2nd session; re-packing t-1's days moves "a" to day 2.
    doc = _a_in_the_way_of_s()
    tt = Timetable(load_problem(doc))
    place_plan(tt, tt.problem.plans["a"], ["t-1"])
    place_plan(tt, tt.problem.plans["s"], ["t-1"], split=False)
    assert tt.where["a"][1] == ("t-1", 1)
    assert tt.placed_sessions("s") == 1

    tried = lns.tighten(tt, lns.Neighbourhoods(tt.problem), time.monotonic() + 5.0)

    assert tried == 1
    assert tt.placed_sessions("s") == 2
    assert tt.where["a"][1] == ("t-1", 2)
    report = check(doc, visits(tt))
    assert report["feasible"]
    assert report["scheduled"] == 1.0


def test_tighten_leaves_a_therapist_that_cannot_do_better_as_it_was() -> None:
    # Plan "s" needs days 0 and 1 but t-1 works day 0 only: nothing to gain.
    doc = problem(
        therapists=[therapist("t-1", shifts=[{"day": 0, "start": 540, "end": 1020}])],
        plans=[
            plan(
                "s",
                first_day={"earliest": 0, "latest": 0},
                cadence={"min_days": 1, "max_days": 1},
            )
        ],
    )
    tt = Timetable(load_problem(doc))
    place_plan(tt, tt.problem.plans["s"], ["t-1"], split=False)
    before = tt.visits()

    lns.tighten(tt, lns.Neighbourhoods(tt.problem), time.monotonic() + 5.0)

    assert tt.visits() == before
