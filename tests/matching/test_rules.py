"""Per-rule trios (trivial, infeasible, feasible): every result passes the checker."""

from __future__ import annotations

import itertools
from typing import Any

from scheduler.matching.problem import load_problem
from scheduler.matching.solver import solve

from .clinic import check, plan, problem, therapist


def run(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Solve briefly on one core; return the result JSON and the checker's report."""
    result = solve(load_problem(doc), time_limit_s=0.5, seed=1, workers=1).to_json()
    report = check(doc, result)
    assert report["feasible"], report["violation_list"]
    return result, report


def reasons(result: dict[str, Any]) -> set[str]:
    """The rule that stopped each plan's first unscheduled session (later ones follow rule 4)."""
    first: dict[str, dict[str, Any]] = {}
    for u in sorted(result["unscheduled"], key=lambda u: u["session"]):
        first.setdefault(u["plan"], u)
    return {u["rule"] for u in first.values()}


def test_trivial_problem_without_plans_gives_empty_feasible_plan() -> None:
    result, report = run(problem(plans=[]))
    assert result["visits"] == []
    assert result["unscheduled"] == []
    assert report["scheduled"] == 1.0


# -- rule 1: skill, exclusion, mobile -------------------------------------------------------
def test_skill_missing_leaves_plan_unscheduled_by_rule1() -> None:
    result, _ = run(problem(plans=[plan(skill="prenatal")]))
    assert not result["visits"]
    assert reasons(result) == {"rule1"}


def test_excluded_therapist_and_non_mobile_for_home_are_refused() -> None:
    doc = problem(
        therapists=[therapist("t-1"), therapist("t-2", mobile=False)],
        plans=[plan(excluded_therapists=["t-1"])],
    )
    result, _ = run(doc)
    assert not result["visits"]
    assert reasons(result) == {"rule1"}


def test_eligible_therapist_takes_every_session_with_continuity() -> None:
    doc = problem(
        therapists=[therapist("t-1", skills=["tmj"]), therapist("t-2")], plans=[plan(sessions=3)]
    )
    result, report = run(doc)
    assert {v["therapist"] for v in result["visits"]} == {"t-2"}
    assert report["scheduled"] == 1.0
    assert report["continuity"] == 1.0


# -- rule 2: shifts and availability --------------------------------------------------------
def test_window_outside_every_shift_is_unscheduled_by_rule2() -> None:
    doc = problem(plans=[plan(sessions=1, availability=[{"day": 1, "start": 1080, "end": 1200}])])
    result, _ = run(doc)
    assert not result["visits"]
    assert reasons(result) == {"rule2"}


def test_visit_lands_inside_window_and_shift() -> None:
    doc = problem(plans=[plan(sessions=1, availability=[{"day": 1, "start": 840, "end": 1200}])])
    result, _ = run(doc)
    (visit,) = result["visits"]  # the checker verified the drive home before 17:00
    assert visit["day"] == 1
    assert 840 <= visit["start"] <= 1020 - 60


# -- rule 3: travel and max visits ----------------------------------------------------------
def test_max_visits_per_day_caps_the_route() -> None:
    plans = [plan(f"p-{i}", sessions=1, first_day={"earliest": 0, "latest": 0}) for i in range(4)]
    doc = problem(therapists=[therapist(max_visits_per_day=3)], plans=plans)
    result, report = run(doc)
    assert report["placed"] == 3
    assert reasons(result) == {"rule3"}


def test_far_visit_that_cannot_be_driven_in_a_shift_is_unscheduled() -> None:
    far = plan(sessions=1, location=[44.9, -93.2])  # ~570 km away: > 8 h each way at 30 km/h
    result, _ = run(problem(plans=[far]))
    assert not result["visits"]
    assert reasons(result) == {"rule3"}


def test_two_visits_in_a_day_leave_room_for_the_drive_between() -> None:
    plans = [
        plan("p-a", sessions=1, first_day={"earliest": 0, "latest": 0}),
        plan("p-b", sessions=1, location=[41.99, -87.70], first_day={"earliest": 0, "latest": 0}),
    ]
    _result, report = run(problem(plans=plans))
    assert report["placed"] == 2  # the checker verified the travel legs


# -- rule 4: cadence and first day ----------------------------------------------------------
def test_cadence_that_no_window_allows_stops_later_sessions() -> None:
    windows = [{"day": 0, "start": 540, "end": 1020}, {"day": 6, "start": 540, "end": 1020}]
    result, _ = run(problem(plans=[plan(sessions=2, availability=windows)]))
    assert [v["session"] for v in result["visits"]] == [1]
    assert reasons(result) == {"rule2"}


def test_sessions_follow_cadence_and_first_day() -> None:
    doc = problem(plans=[plan(sessions=3, first_day={"earliest": 1, "latest": 1})])
    result, report = run(doc)
    days = [v["day"] for v in sorted(result["visits"], key=lambda v: v["session"])]
    assert report["scheduled"] == 1.0
    assert days[0] == 1
    assert all(2 <= b - a <= 4 for a, b in itertools.pairwise(days))


# -- rule 5: one patient, several plans -----------------------------------------------------
def test_patient_with_two_plans_is_never_seen_twice_at_once() -> None:
    window = [{"day": 0, "start": 600, "end": 720}]
    plans = [
        plan(
            f"p-{i}",
            patient="pat-x",
            sessions=1,
            availability=window,
            first_day={"earliest": 0, "latest": 0},
        )
        for i in range(3)
    ]
    doc = problem(therapists=[therapist("t-1"), therapist("t-2"), therapist("t-3")], plans=plans)
    result, report = run(doc)
    assert report["placed"] == 2
    assert reasons(result) == {"rule5"}


# -- rule 6: fixed bookings -----------------------------------------------------------------
def test_fixed_visit_is_kept_exactly_and_the_rest_follows_it() -> None:
    fixed = [{"plan": "p-1", "session": 2, "therapist": "t-2", "day": 4, "start": 800}]
    doc = problem(
        therapists=[therapist("t-1"), therapist("t-2")], plans=[plan(sessions=3)], fixed=fixed
    )
    result, report = run(doc)
    assert fixed[0] in result["visits"]
    assert report["scheduled"] == 1.0
    assert report["continuity"] == 1.0
