"""The per-therapist CP-SAT model and the assignment LP, in trios."""

from __future__ import annotations

from typing import Any

from scheduler.matching.assign import assign, chain_days
from scheduler.matching.placement import place_plan
from scheduler.matching.problem import load_problem
from scheduler.matching.repack import repack
from scheduler.matching.timetable import Timetable

from .clinic import check, plan, problem, therapist


def visits(tt: Timetable) -> dict[str, Any]:
    return {
        "visits": [
            {
                "plan": v.plan,
                "session": v.session,
                "therapist": v.therapist,
                "day": v.day,
                "start": v.start,
            }
            for v in tt.visits()
        ]
    }


def one_a_day() -> dict[str, Any]:
    """One visit a day; plan a could go on day 0 or 1, plan b only on day 0."""
    return problem(
        therapists=[therapist(max_visits_per_day=1)],
        plans=[
            plan("a", sessions=1, first_day={"earliest": 0, "latest": 1}),
            plan("b", sessions=1, first_day={"earliest": 0, "latest": 0}),
        ],
    )


def test_repack_with_nothing_to_add_keeps_every_held_session() -> None:
    doc = one_a_day()
    tt = Timetable(load_problem(doc))
    place_plan(tt, tt.problem.plans["a"], ["t-1"])
    tt.begin()
    assert repack(tt, "t-1", [], time_limit_s=1.0, seed=1)
    assert [(v.plan, v.session, v.therapist) for v in tt.visits()] == [("a", 1, "t-1")]
    assert check(doc, visits(tt))["feasible"]


def test_repack_moves_a_held_session_to_make_room() -> None:
    doc = one_a_day()
    tt = Timetable(load_problem(doc))
    place_plan(tt, tt.problem.plans["a"], ["t-1"])  # insertion takes day 0 first
    assert tt.where["a"][1] == ("t-1", 0)
    tt.begin()
    assert repack(tt, "t-1", [tt.problem.plans["b"]], time_limit_s=2.0, seed=1)
    tt.commit()
    assert tt.where["a"][1] == ("t-1", 1)
    assert tt.where["b"][1] == ("t-1", 0)
    assert check(doc, visits(tt))["feasible"]


def test_repack_cannot_place_a_session_outside_every_shift() -> None:
    doc = one_a_day()
    doc["plans"][1]["availability"] = [{"day": 0, "start": 1080, "end": 1200}]
    tt = Timetable(load_problem(doc))
    place_plan(tt, tt.problem.plans["a"], ["t-1"])
    tt.begin()
    repack(tt, "t-1", [tt.problem.plans["b"]], time_limit_s=1.0, seed=1)
    assert "b" not in tt.where or not tt.where["b"]
    assert tt.placed_sessions("a") == 1


def test_chain_days_share_each_day_among_the_cadence_chains() -> None:
    windows = [{"day": d, "start": 540, "end": 1020} for d in (0, 2, 3)]
    p = load_problem(problem(plans=[plan(sessions=2, availability=windows)]))
    shares = chain_days(p.plans["p-1"], p.therapists["t-1"], {})
    assert shares == {0: 1.0, 2: 0.5, 3: 0.5}


def test_chain_days_is_empty_when_no_chain_fits() -> None:
    windows = [{"day": 0, "start": 540, "end": 1020}, {"day": 6, "start": 540, "end": 1020}]
    p = load_problem(problem(plans=[plan(sessions=2, availability=windows)]))
    assert chain_days(p.plans["p-1"], p.therapists["t-1"], {}) == {}


def test_assignment_prefers_the_nearer_therapist() -> None:
    doc = problem(
        therapists=[therapist("t-far", home=[42.3, -87.65]), therapist("t-near")],
        plans=[plan(sessions=2)],
    )
    tt = Timetable(load_problem(doc))
    ranked = assign(tt, {"p-1": ["t-far", "t-near"]})
    assert ranked["p-1"][0][0] == "t-near"
