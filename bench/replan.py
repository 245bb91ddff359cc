"""Sick-call re-plan benchmark: two therapists off for two days, on planted plans.

Usage: python3 -m uv run python bench/replan.py [--time-limit 8] [--seeds 1 2 3]
       [--therapists 40] [--kinds sample-medium planted weekly] [--sick 2]
For each clinic (the shared sample-medium; generated 40 x 28 clinics whose patients give
`planted` windows around their visits (inflexible) or `weekly` ones, see gen_clinic.py),
`--sick` therapists are off on their 2nd and 3rd working days; the planted result is the
previous plan and the problem lists what the change took away as `displaced` (v1.1).
Each case is re-planned by default and with --keep-times and checked by
../shared/tools/check_plan.py. Reports: displaced placed, other visits changed by kind
(start shifted / other therapist / other day), later sessions dropped (must be 0),
feasible (must be all), wall time. Writes bench/results/replan.json.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_clinic import generate
from scheduler.matching.problem import Visit, load_problem
from scheduler.matching.replan import lost_sessions
from scheduler.matching.solver import solve

SHARED = Path(__file__).resolve().parents[2] / "shared"


def checked(problem: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The shared checker's report (../shared/tools/check_plan.py, imported by path)."""
    spec = importlib.util.spec_from_file_location("check_plan", SHARED / "tools" / "check_plan.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report: dict[str, Any] = module.check(problem, result)
    return report


def sick_call(
    doc: dict[str, Any], visits: list[Visit], seed: int, sick: int
) -> tuple[dict[str, Any], list[str], set[tuple[str, int]]]:
    """`sick` therapists (drawn by `seed`) off on their 2nd and 3rd working days; the
    problem with their shifts gone and what they lose listed as `displaced`."""
    rng = random.Random(seed)
    working = sorted({v.therapist for v in visits})
    who = rng.sample(working, sick)
    changed = copy.deepcopy(doc)
    off: set[tuple[str, int]] = set()
    for t in changed["therapists"]:
        if t["id"] in who:
            days = sorted({v.day for v in visits if v.therapist == t["id"]})[1:3]
            off |= {(t["id"], d) for d in days}
            t["shifts"] = [s for s in t["shifts"] if s["day"] not in days]
    changed["fixed"] = [
        f for f in changed.get("fixed", []) if (f["therapist"], f["day"]) not in off
    ]
    lost = lost_sessions(load_problem(changed), visits)
    changed["displaced"] = [{"plan": p, "session": s} for p, s in sorted(lost)]
    return changed, who, set(lost)


def run_case(
    doc: dict[str, Any], visits: list[Visit], limit: float, seed: int, *, retime: bool
) -> dict[str, Any]:
    """One re-plan and what it did to the previous plan."""
    problem = load_problem(doc)
    started = time.monotonic()
    result = solve(problem, time_limit_s=limit, seed=seed, previous=visits, retime=retime)
    wall = time.monotonic() - started
    now = {(v.plan, v.session): v for v in result.visits}
    postponed = set(result.postponed)
    displaced = problem.displaced
    kinds = {"unchanged": 0, "time": 0, "therapist": 0, "day": 0, "dropped": 0}
    for v in visits:
        key = (v.plan, v.session)
        if key in displaced:
            continue
        w = now.get(key)
        if w is None:
            kinds["dropped"] += 1
        elif w == v:
            kinds["unchanged"] += 1
        elif w.day != v.day:
            kinds["day"] += 1
        elif w.therapist != v.therapist:
            kinds["therapist"] += 1
        else:
            kinds["time"] += 1
    before = {(v.plan, v.session): v.therapist for v in visits}
    placed = [now[k] for k in displaced if k in now]
    report = checked(doc, result.to_json())
    return {
        "mode": "default" if retime else "keep-times",
        "displaced": len(displaced),
        "placed": len(placed),
        "share": round(len(placed) / len(displaced), 4) if displaced else 1.0,
        "same_therapist": sum(1 for v in placed if before.get((v.plan, v.session)) == v.therapist),
        "postponed": len(postponed),
        "others_changed": {k: kinds[k] for k in ("time", "therapist", "day")},
        "later_dropped": kinds["dropped"],
        "feasible": report["feasible"],
        "violations": report["violations"],
        "status": result.status,
        "wall_s": round(wall, 2),
    }


def clinic(kind: str, seed: int, therapists: int) -> tuple[dict[str, Any], list[Visit]]:
    """A clinic and its planted (previous) plan."""
    if kind == "sample-medium":
        doc = json.loads((SHARED / "instances" / "sample-medium.json").read_text())
        planted = json.loads((SHARED / "instances" / "sample-medium.planted.json").read_text())
    else:
        doc, planted = generate(therapists, 28, seed, availability=kind)
    return doc, [Visit(**v) for v in planted["visits"]]


def main() -> None:
    """Run every (kind, seed, mode) case; print a table; write bench/results/replan.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--therapists", type=int, default=40)
    parser.add_argument("--sick", type=int, default=2)
    parser.add_argument("--kinds", nargs="+", default=["sample-medium", "planted", "weekly"])
    args = parser.parse_args()
    rows = []
    print(
        f"{'clinic':14} {'seed':>4} {'mode':10} {'placed':>8} {'share':>6} {'same_t':>6} "
        f"{'postp':>5} {'time/ther/day':>13} {'dropped':>7} {'ok':>5} {'wall_s':>6}"
    )
    for kind in args.kinds:
        for seed in args.seeds:
            doc, visits = clinic(kind, seed, args.therapists)
            changed, who, _ = sick_call(doc, visits, seed, args.sick)
            for retime in (True, False):
                row = run_case(changed, visits, args.time_limit, seed, retime=retime)
                row.update(clinic=kind, seed=seed, sick=who)
                rows.append(row)
                c = row["others_changed"]
                print(
                    f"{kind:14} {seed:>4} {row['mode']:10} "
                    f"{row['placed']:>3}/{row['displaced']:<4} "
                    f"{row['share']:6.3f} {row['same_therapist']:>6} {row['postponed']:>5} "
                    f"{c['time']:>4}/{c['therapist']}/{c['day']:<5} {row['later_dropped']:>7} "
                    f"{row['feasible']!s:>5} {row['wall_s']:>6}",
                    flush=True,
                )
    summary = {}
    for kind in args.kinds:
        for mode in ("default", "keep-times"):
            mine = [r for r in rows if r["clinic"] == kind and r["mode"] == mode]
            if mine:
                summary[f"{kind}/{mode}"] = {
                    "mean_share": round(statistics.mean(r["share"] for r in mine), 4),
                    "feasible": f"{sum(r['feasible'] for r in mine)}/{len(mine)}",
                    "dropped": sum(r["later_dropped"] for r in mine),
                    "max_wall_s": max(r["wall_s"] for r in mine),
                }
    print(json.dumps(summary, indent=1))
    out = Path(__file__).resolve().parent / "results" / "replan.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "summary": summary}, indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
