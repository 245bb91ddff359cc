"""Re-plan with re-timing: a displaced session may shift other visits inside their day.

A small clinic: t-1 saw p-1 on day 0 and is off sick that day; t-2 is the only other
therapist working day 0 (09:00-11:40) and already sees p-2 at 09:20. p-1 must start by
10:00, so it fits on t-2's day only if p-2 moves to after it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from scheduler.matching.problem import Visit, load_problem
from scheduler.matching.replan import changes
from scheduler.matching.retime import repair
from scheduler.matching.solver import solve

from .clinic import check, plan, problem, therapist


def clinic(*, p2_latest_end: int = 1020, t1_sick: bool = True) -> dict[str, Any]:
    """Both plans one session on day 0; p-1 09:00-11:00, p-2 09:00 to `p2_latest_end`."""
    t1_days = range(1, 7) if t1_sick else range(7)
    return problem(
        therapists=[
            therapist("t-1", shifts=[{"day": d, "start": 540, "end": 1020} for d in t1_days]),
            therapist("t-2", shifts=[{"day": 0, "start": 540, "end": 700}]),
        ],
        plans=[
            plan(
                "p-1",
                sessions=1,
                first_day={"earliest": 0, "latest": 0},
                availability=[{"day": 0, "start": 540, "end": 660}],
            ),
            plan(
                "p-2",
                sessions=1,
                location=[41.92, -87.67],
                first_day={"earliest": 0, "latest": 0},
                availability=[{"day": 0, "start": 540, "end": p2_latest_end}],
            ),
        ],
    )


PREVIOUS = [Visit("p-1", 1, "t-1", 0, 560), Visit("p-2", 1, "t-2", 0, 560)]


def replanned(doc: dict[str, Any], *, retime: bool = True) -> dict[tuple[str, int], Visit]:
    result = solve(load_problem(doc), time_limit_s=2.0, seed=1, previous=PREVIOUS, retime=retime)
    report = check(doc, result.to_json())
    assert report["feasible"], report["violation_list"]
    assert result.changes == changes(PREVIOUS, result.visits)
    return {(v.plan, v.session): v for v in result.visits}


def test_previous_plan_is_feasible_before_the_sick_day() -> None:
    report = check(clinic(t1_sick=False), {"visits": _json(PREVIOUS)})
    assert report["feasible"], report["violation_list"]


def test_nothing_displaced_changes_nothing() -> None:
    doc = clinic(t1_sick=False)
    result = solve(load_problem(doc), time_limit_s=2.0, seed=1, previous=PREVIOUS)
    assert check(doc, result.to_json())["feasible"]
    assert sorted(result.visits, key=str) == sorted(PREVIOUS, key=str)
    assert result.changes is not None
    assert (result.changes.moved, result.changes.retimed) == (0, 0)


def test_a_displaced_session_no_shift_can_fit_stays_unplaced_and_nothing_moves() -> None:
    # p-2 must end by 10:20: it can start no later than now, so nothing makes room.
    now = replanned(clinic(p2_latest_end=620))
    assert ("p-1", 1) not in now
    assert now["p-2", 1] == PREVIOUS[1]


def test_a_displaced_session_is_placed_by_re_timing_one_visit() -> None:
    now = replanned(clinic())
    placed, other = now["p-1", 1], now["p-2", 1]
    assert (placed.therapist, placed.day) == ("t-2", 0)
    assert (other.therapist, other.day) == ("t-2", 0)
    assert other.start > placed.start + 60  # p-2 now comes after p-1
    c = changes(PREVIOUS, list(now.values()))
    assert (c.kept, c.moved, c.retimed) == (0, 2, 1)


def test_strict_mode_re_times_nothing() -> None:
    now = replanned(clinic(), retime=False)
    assert ("p-1", 1) not in now
    assert now["p-2", 1] == PREVIOUS[1]


def test_keep_times_flag_reaches_the_solver(tmp_path: Path) -> None:
    doc, prev, out = tmp_path / "p.json", tmp_path / "prev.json", tmp_path / "out.json"
    doc.write_text(json.dumps(clinic()), encoding="utf-8")
    prev.write_text(json.dumps({"visits": _json(PREVIOUS)}), encoding="utf-8")
    code = "import sys; from scheduler.cli import main; sys.exit(main(sys.argv[1:]))"
    for flag, retimed in (([], 1), (["--keep-times"], 0)):
        args = ["plan", str(doc), "--time-limit", "2", "--previous", str(prev), "--out", str(out)]
        done = subprocess.run(
            [sys.executable, "-c", code, *args, *flag], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(out.read_text(encoding="utf-8"))["changes"]["retimed"] == retimed


def test_consecutive_displaced_sessions_are_placed_round_by_round_with_cadence() -> None:
    doc = problem(
        therapists=[
            therapist("t-1", shifts=[]),
            therapist("t-2", shifts=[{"day": d, "start": 540, "end": 700} for d in range(7)]),
        ],
        plans=[plan("p-1", sessions=3)],
    )
    previous = [Visit("p-1", s, "t-1", day, 600) for s, day in ((1, 0), (2, 2), (3, 4))]
    p = load_problem(doc)
    done = repair(
        p, [], [(v.plan, v.session) for v in previous], retime=True, time_limit_s=2.0, seed=1
    )
    assert (done.placed, done.retimed) == (3, 0)
    assert check(doc, {"visits": _json(done.visits)})["feasible"]


def test_a_day_keeps_its_order_even_when_a_swap_would_make_room() -> None:
    # On t-2's day (09:00-12:25) p-1 (start by 10:00) fits only as p-1, p-3, p-2: p-3
    # must start by 10:20, so p-2 and p-3 would have to swap places.
    doc = clinic()
    doc["therapists"][1]["shifts"] = [{"day": 0, "start": 540, "end": 745}]
    doc["plans"][1]["availability"] = [{"day": 0, "start": 540, "end": 760}]
    doc["plans"].append(
        plan(
            "p-3",
            sessions=1,
            location=[41.905, -87.64],
            first_day={"earliest": 0, "latest": 0},
            availability=[{"day": 0, "start": 540, "end": 680}],
        )
    )
    previous = [*PREVIOUS[:1], Visit("p-2", 1, "t-2", 0, 550), Visit("p-3", 1, "t-2", 0, 620)]
    swapped = [Visit("p-1", 1, "t-2", 0, 545), Visit("p-3", 1, "t-2", 0, 610)]
    swapped.append(Visit("p-2", 1, "t-2", 0, 676))
    assert check(doc, {"visits": _json(swapped)})["feasible"]  # the swap would place p-1
    p = load_problem(doc)
    done = repair(p, previous[1:], [("p-1", 1)], retime=True, time_limit_s=2.0, seed=1)
    assert (done.placed, done.retimed) == (0, 0)
    assert done.visits == previous[1:]


def _json(visits: list[Visit]) -> list[dict[str, Any]]:
    return [asdict(v) for v in visits]
