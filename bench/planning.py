"""Planning benchmark: solver vs greedy vs planted, re-plan, a 120-therapist clinic, suggest.

Usage: python3 -m uv run python bench/planning.py [--time-limit 60] [--big-time-limit 120]
       [--skip-big] [--seed 1] [--split] [--sick 5]
Every result is checked by ../shared/tools/check_plan.py; the table and
bench/results/planning.json hold the checker's own scores.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_clinic import generate
from scheduler.matching import replan, rules
from scheduler.matching.greedy import greedy_timetable
from scheduler.matching.problem import Problem, Visit, load_problem
from scheduler.matching.routes import Stop
from scheduler.matching.solver import solve
from scheduler.matching.suggest import suggest
from scheduler.matching.timetable import Timetable

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CHECKER = SHARED / "tools" / "check_plan.py"


def checked(problem: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The checker's JSON report, run as a separate process on temporary files."""
    with tempfile.TemporaryDirectory() as tmp:
        p, r = Path(tmp) / "p.json", Path(tmp) / "r.json"
        p.write_text(json.dumps(problem))
        r.write_text(json.dumps(result))
        out = subprocess.run(
            [sys.executable, str(CHECKER), str(p), str(r), "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
    report: dict[str, Any] = json.loads(out.stdout)
    return {
        k: report[k]
        for k in (
            "feasible",
            "scheduled",
            "continuity",
            "preferred",
            "travel_km",
            "placed",
            "requested",
            "violations",
        )
    }


def visits_json(visits: list[Visit]) -> dict[str, Any]:
    return {
        "visits": [
            {
                "plan": v.plan,
                "session": v.session,
                "therapist": v.therapist,
                "day": v.day,
                "start": v.start,
            }
            for v in visits
        ],
        "unscheduled": [],
    }


def compare(
    name: str,
    doc: dict[str, Any],
    planted: dict[str, Any],
    limit: float,
    seed: int,
    *,
    split: bool = False,
) -> tuple[dict[str, Any], list[Visit]]:
    """Greedy, solver and planted side by side on one instance (with `split`, also the
    solver letting plans be shared between therapists, `--split-plans`)."""
    problem = load_problem(doc)
    t0 = time.monotonic()
    greedy = greedy_timetable(problem)
    rows = {
        "greedy": dict(
            checked(doc, visits_json(greedy.visits())), seconds=round(time.monotonic() - t0, 2)
        )
    }
    result = solve(problem, time_limit_s=limit, seed=seed)
    rows["solver"] = dict(checked(doc, result.to_json()), seconds=result.timings["total_s"])
    if split:
        shared = solve(problem, time_limit_s=limit, seed=seed, split_plans=True)
        rows["split"] = dict(checked(doc, shared.to_json()), seconds=shared.timings["total_s"])
    rows["planted"] = checked(doc, planted)
    for row in rows.values():
        row["travel_ratio"] = round(row["travel_km"] / rows["planted"]["travel_km"], 3)
    print(f"\n== {name} (time limit {limit:g} s) ==")
    print(
        f"{'':8} {'feasible':>8} {'scheduled':>9} {'continuity':>10} {'preferred':>9} "
        f"{'travel_km':>10} {'vs planted':>10} {'seconds':>8}"
    )
    for who, r in rows.items():
        print(
            f"{who:8} {r['feasible']!s:>8} {r['scheduled']:9.4f} {r['continuity']:10.4f} "
            f"{r['preferred']:9.4f} {r['travel_km']:10.1f} {r['travel_ratio']:10.3f} "
            f"{r.get('seconds', ''):>8}"
        )
    return rows, result.visits


def with_free_slot(problem: Problem, visits: list[Visit], displaced: set[tuple[str, int]]) -> int:
    """Displaced sessions that fit somewhere with every other visit left exactly as it was.

    An upper bound on what a re-plan that moves nobody else can place: each session is
    tried alone (two of them may want the same gap), on every eligible therapist's free
    gaps, on the days its plan's neighbouring sessions allow (rule 4).
    """
    tt = Timetable(problem, replan.kept_visits(problem, visits))
    day_of = {(v.plan, v.session): v.day for v in visits}
    fits = 0
    for plan_id, session in sorted(displaced):
        plan = problem.plans[plan_id]
        first, last = rules.day_range(
            plan, session, day_of.get((plan_id, session - 1)), tt.fixed_days.get(plan_id)
        )
        location = tt.plan_location[plan_id]
        fits += any(
            route.best_insertion(
                Stop(plan_id, session, location, plan.duration, o.earliest, o.latest),
                tt.patient_busy(plan, o.day),
            )
            is not None
            for t in rules.eligible(problem, plan)
            for o in rules.options(plan, t, first, last)
            if (route := tt.routes.get((t.id, o.day))) is not None
        )
    return fits


def sick_scenario(
    doc: dict[str, Any], visits: list[Visit], sick: str
) -> tuple[dict[str, Any], list[int], set[tuple[str, int]]]:
    """The problem with `sick` off for their 2nd and 3rd working days, and what they lose."""
    days = sorted({v.day for v in visits if v.therapist == sick})[1:3]
    changed = copy.deepcopy(doc)
    for t in changed["therapists"]:
        if t["id"] == sick:
            t["shifts"] = [s for s in t["shifts"] if s["day"] not in days]
    displaced = {(v.plan, v.session) for v in visits if v.therapist == sick and v.day in days}
    # The clinic cancels the bookings of plans that lose a session (a later booking would
    # otherwise stand without the sessions before it, which rule 4 forbids).
    hit = {plan for plan, _ in displaced}
    changed["fixed"] = [f for f in changed.get("fixed", []) if f["plan"] not in hit]
    # v1.1: what the change took away is displaced, so it may be postponed (no cascade).
    lost = replan.lost_sessions(load_problem(changed), visits)
    changed["displaced"] = [{"plan": p, "session": n} for p, n in sorted(lost)]
    return changed, days, displaced


def replan_scenario(
    doc: dict[str, Any], visits: list[Visit], seed: int, sick: str, *, retime: bool
) -> dict[str, Any]:
    """One therapist off sick for two days on which they have visits; re-plan in < 10 s."""
    changed, days, displaced = sick_scenario(doc, visits, sick)
    hit = {plan for plan, _ in displaced}
    problem = load_problem(changed)
    started = time.monotonic()
    result = solve(problem, time_limit_s=8.0, seed=seed, previous=visits, retime=retime)
    wall = time.monotonic() - started
    now = {(v.plan, v.session): v for v in result.visits}
    unaffected = [v for v in visits if (v.plan, v.session) not in displaced]
    after = [(v, now[v.plan, v.session]) for v in unaffected if (v.plan, v.session) in now]
    retimed = [
        abs(w.start - v.start) for v, w in after if (v.therapist, v.day) == (w.therapist, w.day)
    ]
    retimed = [m for m in retimed if m]
    elsewhere = [v for v, w in after if (v.therapist, v.day) != (w.therapist, w.day)]
    placed = sum(1 for key in displaced if key in now)
    report = checked(changed, result.to_json())
    return {
        "sick_therapist": sick,
        "days": days,
        "retime": retime,
        "displaced": len(displaced),
        "displaced_placed": placed,
        "placed_share": round(placed / len(displaced), 4) if displaced else 1.0,
        "displaced_with_free_slot": with_free_slot(problem, visits, displaced),
        "others": len(unaffected),
        "others_unchanged": sum(1 for v, w in after if v == w),
        "others_retimed": len(retimed),
        "retimed_minutes_total": sum(retimed),
        "retimed_minutes_max": max(retimed, default=0),
        # Later sessions of a plan that lost one may follow it (rule 4); no other plan's.
        "moved_elsewhere_hit_plans": sum(1 for v in elsewhere if v.plan in hit),
        "moved_elsewhere_other_plans": sum(1 for v in elsewhere if v.plan not in hit),
        "others_dropped": len(unaffected) - len(after),
        "wall_s": round(wall, 2),
        "feasible": report["feasible"],
        "scheduled": report["scheduled"],
    }


def replan_table(doc: dict[str, Any], visits: list[Visit], seed: int, sick: int) -> dict[str, Any]:
    """Re-plan with and without re-timing for the `sick` busiest therapists, side by side."""
    counts: dict[str, int] = {}
    for v in visits:
        counts[v.therapist] = counts.get(v.therapist, 0) + 1
    rows = [
        replan_scenario(doc, visits, seed, t, retime=mode)
        for t in sorted(sorted(counts), key=lambda t: -counts[t])[:sick]
        for mode in (True, False)
    ]
    print(
        f"{'sick':6} {'days':7} {'mode':7} {'placed':>7} {'free':>4} {'unchanged':>10} "
        f"{'retimed':>7} {'min tot/max':>11} {'elsewhere':>9} {'dropped':>7} {'wall_s':>6} ok"
    )
    for r in rows:
        print(
            f"{r['sick_therapist']:6} {r['days']!s:7} {'retime' if r['retime'] else 'strict':7} "
            f"{r['displaced_placed']:>3}/{r['displaced']:<3} {r['displaced_with_free_slot']:>4} "
            f"{r['others_unchanged']:>5}/{r['others']:<4} {r['others_retimed']:>7} "
            f"{r['retimed_minutes_total']:>6}/{r['retimed_minutes_max']:<4} "
            f"{r['moved_elsewhere_hit_plans']:>4}+{r['moved_elsewhere_other_plans']:<4} "
            f"{r['others_dropped']:>7} {r['wall_s']:>6} {r['feasible']}"
        )
    total: dict[str, Any] = {}
    for mode in (True, False):
        mine = [r for r in rows if r["retime"] is mode]
        d, p = sum(r["displaced"] for r in mine), sum(r["displaced_placed"] for r in mine)
        total["retime" if mode else "strict"] = round(p / d, 4) if d else 1.0
    print(f"displaced placed share over all rows: {total}")
    return {"rows": rows, "placed_share": total}


def suggest_latency(seed: int) -> dict[str, Any]:
    """p50/p99 of `suggest` on a generated 100-therapist, 28-day clinic, greedy bookings."""
    doc, _ = generate(100, 28, seed)
    problem = load_problem(doc)
    booked = greedy_timetable(problem).visits()
    rng = random.Random(seed)
    plans = rng.sample(sorted(problem.plans), 200)
    times = []
    found = 0
    for pid in plans:
        mine = [v for v in booked if v.plan == pid]
        cut = max((v.session for v in mine), default=0)
        others = [v for v in booked if not (v.plan == pid and v.session == cut)]
        t0 = time.perf_counter()
        options = suggest(problem, pid, booked=others, k=5)
        times.append(time.perf_counter() - t0)
        found += bool(options)
    times.sort()
    out = {
        "therapists": 100,
        "calls": len(times),
        "with_options": found,
        "p50_ms": round(1000 * statistics.median(times), 2),
        "p99_ms": round(1000 * times[int(0.99 * (len(times) - 1))], 2),
        "booked_visits": len(booked),
    }
    print("\n== suggest latency ==")
    print(json.dumps(out))
    return out


def main() -> None:
    """Run every scenario and write bench/results/planning.json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--big-time-limit", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument(
        "--split",
        action="store_true",
        help="also run the solver with --split-plans (plans shared between therapists)",
    )
    parser.add_argument("--sick", type=int, default=5, help="re-plan scenarios (busiest first)")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for name, limit in (
        ("sample-small", min(args.time_limit, 20.0)),
        ("sample-medium", args.time_limit),
    ):
        doc = json.loads((SHARED / "instances" / f"{name}.json").read_text())
        planted = json.loads((SHARED / "instances" / f"{name}.planted.json").read_text())
        results[name], visits = compare(name, doc, planted, limit, args.seed, split=args.split)
        if name == "sample-medium":
            planted_visits = [Visit(**v) for v in planted["visits"]]
            results["replan"] = {}
            for who, previous in (("solver", visits), ("planted", planted_visits)):
                print(
                    f"\n== re-plan: busiest therapists off for two days, {who} plan as previous =="
                )
                results["replan"][who] = replan_table(doc, previous, args.seed, args.sick)
    if not args.skip_big:
        doc, planted = generate(120, 28, args.seed)
        results["generated-120x28"], _ = compare(
            "generated 120 therapists x 28 days",
            doc,
            planted,
            args.big_time_limit,
            args.seed,
            split=args.split,
        )
    results["suggest"] = suggest_latency(args.seed)
    out = ROOT / "bench" / "results" / "planning.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1))
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
