"""Whole-solver tests: the samples as regressions, random small clinics as properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.matching.greedy import greedy_timetable
from scheduler.matching.problem import load_problem
from scheduler.matching.solver import solve

from .clinic import check, plan, problem, therapist


def test_sample_small_passes_the_checker_and_beats_the_greedy(shared_dir: Path) -> None:
    doc = json.loads((shared_dir / "instances" / "sample-small.json").read_text())
    p = load_problem(doc)
    result = solve(p, time_limit_s=3.0, seed=1).to_json()
    report = check(doc, result)
    assert report["feasible"], report["violation_list"][:5]
    # A 3 s solve reliably places > 0.9 on this 2-core machine; the 60 s targets are in bench/.
    assert report["scheduled"] >= 0.9
    assert report["scheduled"] >= greedy_timetable(p).score().placed / report["requested"]
    assert result["scores"]["placed"] == report["placed"]
    assert abs(result["scores"]["travel_km"] - report["travel_km"]) < 1e-3
    assert all(doc_fixed in result["visits"] for doc_fixed in doc["fixed"])
    placed = {(v["plan"], v["session"]) for v in result["visits"]}
    missing = {(u["plan"], u["session"]) for u in result["unscheduled"]}
    assert not placed & missing
    assert len(placed | missing) == report["requested"]


def test_explanations_cover_every_visit(shared_dir: Path) -> None:
    doc = json.loads((shared_dir / "instances" / "sample-small.json").read_text())
    result = solve(load_problem(doc), time_limit_s=1.0, seed=2, workers=1).to_json()
    explained = {(e["plan"], e["session"]) for e in result["explanations"]}
    assert explained == {(v["plan"], v["session"]) for v in result["visits"]}


@st.composite
def small_clinics(draw: st.DrawFn) -> dict[str, Any]:
    """1-3 therapists, 1-6 plans with random skills, windows, cadences and locations."""
    skills = ["ms", "tmj"]
    therapists = [
        therapist(
            f"t-{i}",
            skills=draw(st.lists(st.sampled_from(skills), min_size=1, max_size=2, unique=True)),
            mobile=draw(st.booleans()),
            home=[41.9 + draw(st.integers(-5, 5)) / 100, -87.65],
            shifts=[
                {"day": d, "start": 480 + 30 * draw(st.integers(0, 2)), "end": 960}
                for d in range(7)
                if draw(st.booleans())
            ],
            max_visits_per_day=draw(st.integers(1, 4)),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    plans = []
    for i in range(draw(st.integers(1, 6))):
        lo = draw(st.integers(0, 3))
        windows = [
            {"day": d, "start": s, "end": s + draw(st.integers(60, 240))}
            for d in range(7)
            if draw(st.booleans())
            for s in [draw(st.integers(480, 840))]
        ]
        home = draw(st.booleans())
        extra: dict[str, Any] = (
            {"setting": "home"} if home else {"setting": "clinic", "clinic": "c-1"}
        )
        plans.append(
            plan(
                f"p-{i}",
                patient=f"pat-{draw(st.integers(0, 3))}",
                skill=draw(st.sampled_from(skills)),
                sessions=draw(st.integers(1, 3)),
                duration=draw(st.sampled_from([30, 45, 60])),
                location=[41.9 + draw(st.integers(-8, 8)) / 100, -87.66],
                cadence={"min_days": lo, "max_days": lo + draw(st.integers(0, 3))},
                first_day={"earliest": 0, "latest": draw(st.integers(0, 3))},
                availability=windows,
                **extra,
            )
        )
    return problem(therapists=therapists, plans=plans)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_clinics())
def test_every_result_on_random_small_clinics_passes_the_checker(doc: dict[str, Any]) -> None:
    result = solve(load_problem(doc), time_limit_s=0.3, seed=3, workers=1).to_json()
    report = check(doc, result)
    assert report["feasible"], report["violation_list"]
    assert len(result["visits"]) + len(result["unscheduled"]) == report["requested"]
