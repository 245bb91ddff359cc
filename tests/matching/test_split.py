"""Soft: continuity of care — a plan keeps one therapist unless splitting is allowed."""

from __future__ import annotations

from typing import Any

from scheduler.matching.problem import load_problem
from scheduler.matching.solver import solve

from .clinic import check, plan, problem, therapist


def _week_split_in_two() -> dict[str, Any]:
    """t-1 works days 0-2, t-2 days 3-6; the plan's 2nd session falls 3-4 days after its
    1st (on day 0-2), so only t-2 can give it."""
    return problem(
        therapists=[
            therapist("t-1", shifts=[{"day": d, "start": 540, "end": 1020} for d in range(3)]),
            therapist("t-2", shifts=[{"day": d, "start": 540, "end": 1020} for d in range(3, 7)]),
        ],
        plans=[plan("p-1", cadence={"min_days": 3, "max_days": 4})],
    )


def _solve(doc: dict[str, Any], **options: Any) -> dict[str, Any]:
    result = solve(load_problem(doc), time_limit_s=1.0, seed=1, workers=1, **options).to_json()
    report = check(doc, result)
    assert report["feasible"], report["violations"]
    return result


def test_a_plan_one_therapist_can_take_whole_stays_with_them() -> None:
    doc = problem(therapists=[therapist("t-1"), therapist("t-2")], plans=[plan("p-1")])
    result = _solve(doc)
    assert len(result["visits"]) == 2
    assert len({v["therapist"] for v in result["visits"]}) == 1


def test_by_default_a_plan_is_not_split_to_place_more_sessions() -> None:
    doc = _week_split_in_two()
    result = _solve(doc)
    assert [(v["session"], v["therapist"]) for v in result["visits"]] == [(1, "t-1")]
    [why] = result["unscheduled"]
    assert (why["session"], why["rule"]) == (2, "continuity")
    assert "t-2" in why["reason"]


def test_split_plans_shares_a_plan_between_therapists_to_place_all() -> None:
    doc = _week_split_in_two()
    result = _solve(doc, split_plans=True)
    assert sorted((v["session"], v["therapist"]) for v in result["visits"]) == [
        (1, "t-1"),
        (2, "t-2"),
    ]
    assert check(doc, result)["continuity"] == 0.0
