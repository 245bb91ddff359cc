"""v1.1: displaced sessions may be postponed, so a sick call never cascades.

t-1 sees p-1 (4 sessions, every 2..4 days) on days 0, 3, 6, 9; t-1 is off sick on day
3. Whatever happens to session 2, sessions 3 and 4 keep their places.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from scheduler.matching.problem import MalformedProblem, Visit, load_problem
from scheduler.matching.replan import lost_sessions, with_displaced
from scheduler.matching.solver import solve

from .clinic import check, plan, problem, therapist

DAYS = 10
PREVIOUS = [Visit("p-1", s, "t-1", day, 600) for s, day in ((1, 0), (2, 3), (3, 6), (4, 9))]


def week(days: range, start: int = 540, end: int = 1020) -> list[dict[str, int]]:
    return [{"day": d, "start": start, "end": end} for d in days]


def clinic(*, sick: bool = True, windows: range = range(DAYS), others: int = 0) -> dict[str, Any]:
    """t-1 (off on day 3 when `sick`) and `others` colleagues who work day 4 only."""
    therapists = [therapist("t-1", shifts=week(range(DAYS) if not sick else _but(3)))]
    therapists += [therapist(f"t-{i + 2}", shifts=week(range(4, 5))) for i in range(others)]
    return problem(
        days=DAYS,
        therapists=therapists,
        plans=[
            plan(
                "p-1",
                sessions=4,
                cadence={"min_days": 2, "max_days": 4},
                first_day={"earliest": 0, "latest": 0},
                availability=week(windows),
            )
        ],
    )


def _but(day: int) -> range | list[int]:
    return [d for d in range(DAYS) if d != day]


def replan(doc: dict[str, Any], *, displaced: bool = True) -> tuple[dict[str, Any], Any]:
    """Solve with PREVIOUS; with `displaced`, the problem lists what the change took."""
    p = load_problem(doc)
    if displaced:
        p = with_displaced(p, PREVIOUS)
        doc = dict(doc, displaced=[{"plan": a, "session": b} for a, b in sorted(p.displaced)])
    result = solve(p, time_limit_s=2.0, seed=1, previous=PREVIOUS)
    report = check(doc, result.to_json())
    assert report["feasible"], report["violation_list"]
    assert result.status == "feasible"
    return doc, result


def test_a_problem_without_displaced_sessions_postpones_nothing() -> None:
    _, result = replan(clinic(sick=False))
    assert result.postponed == []
    assert sorted(result.visits, key=str) == sorted(PREVIOUS, key=str)


def test_a_displaced_session_with_no_place_is_postponed_and_later_ones_stay() -> None:
    # The patient can only be seen on the days already booked: session 2 has nowhere to go.
    _, result = replan(clinic(windows=range(0, DAYS, 3)))
    assert result.postponed == [("p-1", 2)]
    assert [(u.plan, u.session, u.rule) for u in result.unscheduled] == [("p-1", 2, "postponed")]
    assert sorted(result.visits, key=str) == sorted(
        [v for v in PREVIOUS if v.session != 2], key=str
    )
    assert result.changes is not None
    assert result.changes.dropped == 1  # session 2 only: no cascade


def test_a_displaced_session_goes_to_its_therapist_on_another_day() -> None:
    _, result = replan(clinic())
    now = {(v.plan, v.session): v for v in result.visits}
    assert now["p-1", 2].therapist == "t-1"  # continuity
    assert now["p-1", 2].day in {2, 4}  # 2..4 days from day 0 and from day 6, not the sick day
    assert [now["p-1", s] for s in (1, 3, 4)] == [v for v in PREVIOUS if v.session != 2]
    assert result.postponed == []


def test_without_displaced_in_the_problem_the_later_sessions_are_cut_as_before() -> None:
    # v1 problems: nothing may be postponed, so rule 4 drops what follows the gap.
    _, result = replan(clinic(windows=range(0, DAYS, 3)), displaced=False)
    assert {v.session for v in result.visits} == {1}


def test_what_the_change_took_away_is_what_becomes_displaced() -> None:
    assert lost_sessions(load_problem(clinic()), PREVIOUS) == {("p-1", 2)}
    assert lost_sessions(load_problem(clinic(sick=False)), PREVIOUS) == frozenset()


def test_a_displaced_entry_that_names_no_session_is_malformed() -> None:
    with pytest.raises(MalformedProblem, match="displaced"):
        load_problem(clinic() | {"displaced": [{"plan": "p-1", "session": 9}]})
    with pytest.raises(MalformedProblem, match="displaced"):
        load_problem(clinic() | {"displaced": [{"plan": "nope", "session": 1}]})


def test_a_re_homed_session_starts_on_the_clinics_slot_grid() -> None:
    doc = clinic() | {"slot_minutes": 15}
    doc["therapists"][0]["home"] = [41.95, -87.70]  # travel makes the earliest start odd
    _, result = replan(doc)
    now = {(v.plan, v.session): v for v in result.visits}
    assert now["p-1", 2].start % 15 == 0
    assert [now["p-1", s] for s in (1, 3, 4)] == [v for v in PREVIOUS if v.session != 2]


def test_a_grid_below_one_minute_is_malformed() -> None:
    with pytest.raises(MalformedProblem, match="slot_minutes"):
        load_problem(clinic() | {"slot_minutes": 0})


def test_plan_previous_fills_displaced_and_writes_the_problem_it_solved(tmp_path: Path) -> None:
    doc = clinic(windows=range(0, DAYS, 3))  # session 2 has nowhere to go: postponed
    paths = {name: tmp_path / f"{name}.json" for name in ("p", "prev", "out", "solved")}
    paths["p"].write_text(json.dumps(doc), encoding="utf-8")
    previous = {"visits": [asdict(v) for v in PREVIOUS]}
    paths["prev"].write_text(json.dumps(previous), encoding="utf-8")
    code = "import sys; from scheduler.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["plan", str(paths["p"]), "--time-limit", "2", "--previous", str(paths["prev"])]
    args += ["--out", str(paths["out"]), "--problem-out", str(paths["solved"])]
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    solved = json.loads(paths["solved"].read_text(encoding="utf-8"))
    result = json.loads(paths["out"].read_text(encoding="utf-8"))
    assert solved["displaced"] == [{"plan": "p-1", "session": 2}]
    assert result["postponed"] == [{"plan": "p-1", "session": 2}]
    assert check(solved, result)["feasible"]
    assert not check(doc, result)["feasible"]  # against the v1 problem it would not be
