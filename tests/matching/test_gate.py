"""The feasibility gate and our validator: no result leaves the engine infeasible.

Trios: a feasible result passes unchanged; sessions missing before a booking are
placed; a booking the input itself makes impossible is reported (`infeasible_fixed`)
with the rule. Property: our validator and the shared checker agree on random results.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.matching.gate import gate
from scheduler.matching.problem import Visit, load_problem
from scheduler.matching.solver import solve
from scheduler.matching.validate import violations

from .clinic import check, plan, problem, therapist


def booked_second_session(*, first_window: bool = True) -> dict[str, Any]:
    """p-1's session 2 is booked on day 4; session 1 fits on days 0..2 only if
    `first_window` (else the patient has no window before the booking)."""
    windows = [{"day": 4, "start": 540, "end": 1020}]
    if first_window:
        windows.append({"day": 1, "start": 540, "end": 700})
    return problem(
        plans=[plan("p-1", availability=windows, cadence={"min_days": 2, "max_days": 4})],
        fixed=[{"plan": "p-1", "session": 2, "therapist": "t-1", "day": 4, "start": 600}],
    )


def test_a_feasible_result_passes_unchanged() -> None:
    doc = booked_second_session()
    visits = [Visit("p-1", 1, "t-1", 1, 560), Visit("p-1", 2, "t-1", 4, 600)]
    out = gate(load_problem(doc), visits)
    assert (out.visits, out.broken, out.mended, out.removed) == (visits, [], 0, 0)


def test_a_session_missing_before_a_booking_is_placed() -> None:
    doc = booked_second_session()
    out = gate(load_problem(doc), [Visit("p-1", 2, "t-1", 4, 600)])
    assert out.broken == []
    assert out.mended == 1
    assert check(doc, {"visits": [asdict(v) for v in out.visits]})["feasible"]


def test_a_booking_the_input_makes_impossible_is_reported_with_its_rule() -> None:
    doc = booked_second_session(first_window=False)
    result = solve(load_problem(doc), time_limit_s=1.0, seed=1)
    assert result.status == "infeasible_fixed"
    assert result.broken
    assert "rule4" in result.broken[0]
    assert result.broken[0].startswith("[rule4] p-1 s2")


def test_a_visit_that_breaks_a_rule_is_taken_out_and_a_displaced_one_postponed() -> None:
    doc = problem(plans=[plan("p-1", sessions=3)], displaced=[{"plan": "p-1", "session": 2}])
    p = load_problem(doc)
    # Session 2 overlaps nothing but lies outside every shift: out, and postponed.
    visits = [
        Visit("p-1", 1, "t-1", 0, 600),
        Visit("p-1", 2, "t-1", 3, 1000),
        Visit("p-1", 3, "t-1", 6, 600),
    ]
    out = gate(p, visits)
    assert out.removed == 1
    assert out.postponed == [("p-1", 2)]
    result = {
        "visits": [asdict(v) for v in out.visits],
        "postponed": [{"plan": "p-1", "session": 2}],
    }
    assert check(doc, result)["feasible"]


def random_result(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any], list[Visit]]:
    """A small clinic and a random (often infeasible) set of visits on it."""
    therapists = [
        therapist(f"t-{i}", mobile=rng.random() < 0.7, skills=rng.sample(["ms", "tmj"], 1))
        for i in range(2)
    ]
    plans = [
        plan(
            f"p-{i}",
            patient=f"pat-{i % 2}",
            skill=rng.choice(["ms", "tmj"]),
            setting=rng.choice(["home", "clinic"]),
            clinic="c-1",
            sessions=3,
            duration=rng.choice([30, 60]),
            availability=[
                {"day": d, "start": 540 + 60 * rng.randint(0, 3), "end": 900} for d in range(7)
            ],
        )
        for i in range(3)
    ]
    displaced = [{"plan": "p-0", "session": 2}]
    doc = problem(therapists=therapists, plans=plans, displaced=displaced)
    visits = [
        Visit(
            f"p-{i}",
            s,
            f"t-{rng.randint(0, 1)}",
            rng.randint(0, 6),
            rng.choice([480, 540, 560, 600, 660, 840]),
        )
        for i in range(3)
        for s in range(1, 4)
        if rng.random() < 0.6
    ]
    postponed = [{"plan": "p-0", "session": 2}] if rng.random() < 0.5 else []
    result = {"visits": [asdict(v) for v in visits], "postponed": postponed}
    return doc, result, visits


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**6))
def test_our_validator_agrees_with_the_shared_checker_and_the_gate_mends_all(seed: int) -> None:
    doc, result, visits = random_result(random.Random(seed))
    p = load_problem(doc)
    postponed = [(d["plan"], d["session"]) for d in result["postponed"]]
    ours = violations(p, visits, postponed)
    assert (not ours) == check(doc, result)["feasible"], ours
    out = gate(p, visits)
    mended = {
        "visits": [asdict(v) for v in out.visits],
        "postponed": [{"plan": a, "session": b} for a, b in out.postponed],
    }
    assert out.broken == []
    assert violations(p, out.visits, out.postponed) == []
    assert check(doc, mended)["feasible"], check(doc, mended)["violation_list"]
