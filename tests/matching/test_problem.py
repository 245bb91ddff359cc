"""The loader: a valid problem loads; each malformed case the spec names is refused."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.matching.problem import MalformedProblem, load_problem, read_problem

from .clinic import plan, problem, therapist


def test_valid_problem_loads_with_its_indexes() -> None:
    p = load_problem(problem())
    assert set(p.therapists) == {"t-1"}
    assert p.plans["p-1"].home
    assert p.plans["p-1"].sessions == 2
    assert p.therapists["t-1"].shifts[3].start == 540


def test_clinic_plan_sits_at_its_clinic_and_clinic_therapist_starts_there() -> None:
    doc = problem(
        therapists=[therapist(mobile=False)], plans=[plan(setting="clinic", clinic="c-1")]
    )
    p = load_problem(doc)
    assert p.plans["p-1"].location == (41.88, -87.63)
    assert p.therapists["t-1"].base == (41.88, -87.63)


def _broken(change: Any) -> dict[str, Any]:
    doc = problem()
    change(doc)
    return doc


MALFORMED = {
    "duration below 1": lambda d: d["plans"][0].update(duration=0),
    "window start after end": lambda d: d["plans"][0]["availability"][0].update(start=900, end=800),
    "shift start after end": lambda d: d["therapists"][0]["shifts"][0].update(start=900, end=800),
    "min_days above max_days": lambda d: d["plans"][0]["cadence"].update(min_days=5, max_days=2),
    "duplicate therapist": lambda d: d["therapists"].append(dict(d["therapists"][0])),
    "duplicate plan": lambda d: d["plans"].append(dict(d["plans"][0])),
    "duplicate clinic": lambda d: d["clinics"].append(dict(d["clinics"][0])),
    "fixed names no session": lambda d: d.update(
        fixed=[{"plan": "p-1", "session": 3, "therapist": "t-1", "day": 0, "start": 600}]
    ),
    "fixed names no plan": lambda d: d.update(
        fixed=[{"plan": "nope", "session": 1, "therapist": "t-1", "day": 0, "start": 600}]
    ),
    "missing key": lambda d: d["plans"][0].pop("cadence"),
    "wrong type": lambda d: d["plans"][0].update(sessions="two"),
    "location out of range": lambda d: d["plans"][0].update(location=[95.0, 0.0]),
    "unknown setting": lambda d: d["plans"][0].update(setting="spa"),
    "unknown clinic": lambda d: d["therapists"][0].update(mobile=False, clinic="nowhere"),
    "two shifts one day": lambda d: d["therapists"][0]["shifts"].append(
        {"day": 0, "start": 600, "end": 700}
    ),
    "zero speed": lambda d: d["travel"].update(speed_kmh=0),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_problem_is_refused_with_a_named_error(case: str) -> None:
    with pytest.raises(MalformedProblem):
        load_problem(_broken(MALFORMED[case]))


def test_unreadable_file_is_malformed(tmp_path: Any) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(MalformedProblem, match="cannot read JSON"):
        read_problem(bad)
