"""Re-plan keeps what still holds; suggestions are feasible bookings."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from scheduler.matching.problem import Visit, load_problem
from scheduler.matching.solver import solve
from scheduler.matching.suggest import UnknownPlan, suggest

from .clinic import check, plan, problem, therapist


@pytest.fixture(scope="module")
def small(shared_dir: Path) -> tuple[dict[str, Any], list[Visit]]:
    doc = json.loads((shared_dir / "instances" / "sample-small.json").read_text())
    return doc, solve(load_problem(doc), time_limit_s=2.0, seed=1).visits


@pytest.mark.parametrize("retime", [True, False])
def test_replan_after_a_sick_day_keeps_every_unaffected_visit(
    small: tuple[dict[str, Any], list[Visit]], retime: bool
) -> None:
    doc, visits = small
    sick = visits[0].therapist
    days = sorted({v.day for v in visits if v.therapist == sick})[:2]
    changed = copy.deepcopy(doc)
    for t in changed["therapists"]:
        if t["id"] == sick:
            t["shifts"] = [s for s in t["shifts"] if s["day"] not in days]
    # A booking of a plan losing an earlier session could contradict the changed problem.
    hit = {v.plan for v in visits if v.therapist == sick and v.day in days}
    changed["fixed"] = [f for f in changed["fixed"] if f["plan"] not in hit]
    result = solve(load_problem(changed), time_limit_s=2.0, seed=1, previous=visits, retime=retime)
    report = check(changed, result.to_json())
    assert report["feasible"], report["violation_list"][:5]
    displaced = {(v.plan, v.session) for v in visits if v.therapist == sick and v.day in days}
    now = set(result.visits)
    where = {(v.plan, v.session): (v.therapist, v.day) for v in result.visits}
    unaffected = [v for v in visits if (v.plan, v.session) not in displaced]
    lost = [v for v in unaffected if v not in now]
    # Sessions after a displaced one that could not be re-placed may move (rule 4: this
    # problem lists nothing as displaced, so nothing may be postponed); the other plans'
    # visits change within the budget (one per displaced session), none in strict mode.
    others_changed = [v for v in lost if v.plan not in hit]
    assert len(others_changed) <= len(displaced)
    if not retime:
        assert others_changed == []
    # Visits of the other plans that stay on their route keep their order on it.
    starts = {(v.plan, v.session): v.start for v in result.visits}
    stayed = [
        v
        for v in unaffected
        if v.plan not in hit and where.get((v.plan, v.session)) == (v.therapist, v.day)
    ]
    for a, b in itertools.combinations(stayed, 2):
        if (a.therapist, a.day) == (b.therapist, b.day):
            before = a.start < b.start
            assert before == (starts[a.plan, a.session] < starts[b.plan, b.session])
    assert result.changes is not None
    assert result.changes.kept >= len(unaffected) - len(lost)
    assert displaced, "the chosen days held visits"


def test_suggestions_are_feasible_when_booked(
    small: tuple[dict[str, Any], list[Visit]],
) -> None:
    doc, visits = small
    p = load_problem(doc)
    target = next(
        v.plan
        for v in visits
        if v.session == 2 and (v.plan, v.session) not in {(f.plan, f.session) for f in p.fixed}
    )
    booked = [v for v in visits if not (v.plan == target and v.session >= 2)]
    options = suggest(p, target, booked=booked, k=5)
    assert options
    assert all(o.session == 2 for o in options)
    assert [o.score for o in options] == sorted((o.score for o in options), reverse=True)
    for o in options:
        trial = [*booked, Visit(o.plan, o.session, o.therapist, o.day, o.start)]
        report = check(
            doc,
            {
                "visits": [
                    v.__dict__
                    if hasattr(v, "__dict__")
                    else {k: getattr(v, k) for k in Visit.__slots__}
                    for v in trial
                ]
            },
        )
        assert report["feasible"], (o, report["violation_list"][:3])


def test_suggest_prefers_the_same_therapist_and_names_the_reason() -> None:
    doc = problem(therapists=[therapist("t-1"), therapist("t-2")], plans=[plan(sessions=2)])
    p = load_problem(doc)
    options = suggest(p, "p-1", booked=[Visit("p-1", 1, "t-2", 0, 600)], k=3)
    assert options[0].therapist == "t-2"
    assert "same therapist" in options[0].reason
    assert all(2 <= o.day <= 4 for o in options)


def test_suggest_for_an_unknown_plan_is_a_named_error() -> None:
    with pytest.raises(UnknownPlan):
        suggest(load_problem(problem()), "nope", booked=[])
