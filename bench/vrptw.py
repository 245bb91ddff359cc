"""Our VRPTW router against PyVRP on Solomon's instances, side by side, same time limit.

    python3 -m uv run python bench/vrptw.py [--time-limit 10] [--instances R101 C201 ...]
        [--workers 2] [--seed 0] [--no-pyvrp]

Ours runs through the real command (`scheduler bench vrptw`, one subprocess, JSON lines,
seconds measured by the command including file reading); PyVRP (bench-only dependency,
HGS, single-threaded) reads the same files with the same DIMACS convention (`dimacs`:
scaled by 10, truncated) and stops at the same wall limit. Both solutions are re-checked and
re-measured by our route validator, so the distances compare like for like. The two
never run at the same time. Prints a markdown table and writes it, with the raw JSON,
under bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLOMON = ROOT.parent / "shared" / "bench" / "solomon"
sys.path.insert(0, str(ROOT / "src"))

import pyvrp  # noqa: E402
from pyvrp.stop import MaxRuntime  # noqa: E402

from scheduler.matching.vrptw import check_routes, read_vrplib  # noqa: E402


def best_known() -> dict[str, float]:
    with (SOLOMON / "bks.csv").open() as file:
        return {row["instance"]: float(row["bks_distance"]) for row in csv.DictReader(file)}


def run_ours(files: list[Path], limit: float, seed: int, workers: int) -> dict[str, dict]:
    # `python -m scheduler.cli` has no __main__ module; call the entry point directly.
    entry = "import sys; from scheduler.cli import main; sys.exit(main(sys.argv[1:]))"
    options = ["--time-limit", str(limit), "--seed", str(seed), "--workers", str(workers)]
    command = [sys.executable, "-c", entry, "bench", "vrptw", *map(str, files), *options]
    results = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT) as process:
        assert process.stdout is not None
        for line in process.stdout:
            result = json.loads(line)
            results[result["instance"]] = result
            print(
                f"  ours  {result['instance']:6} {result['distance']:8.1f} "
                f"{result['seconds']:6.2f}s",
                flush=True,
            )
    if process.returncode != 0:
        raise SystemExit(f"scheduler bench vrptw exited with {process.returncode}")
    return results


def run_pyvrp(path: Path, limit: float, seed: int) -> dict:
    started = time.monotonic()
    data = pyvrp.read(path, round_func="dimacs")
    remaining = limit - (time.monotonic() - started)
    result = pyvrp.solve(data, stop=MaxRuntime(remaining), seed=seed, display=False)
    routes = [
        [a.idx + data.num_depots for a in route if a.is_client()] for route in result.best.routes()
    ]
    return {
        "routes": routes,
        "seconds": round(time.monotonic() - started, 3),
        "pyvrp_feasible": result.is_feasible(),
    }


def judge(path: Path, routes: list[list[int]], bks: float) -> dict:
    check = check_routes(read_vrplib(path), routes)
    return {
        "distance": check.distance,
        "gap": 100 * (check.distance / bks - 1),
        "vehicles": len([r for r in routes if r]),
        "feasible": check.feasible,
        "problems": list(check.problems[:3])
        + [f"unserved {list(check.unserved)}"] * bool(check.unserved),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", nargs="*", default=sorted(best_known()))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-pyvrp", action="store_true")
    args = parser.parse_args()
    bks = best_known()
    files = [SOLOMON / f"{name}.vrp" for name in args.instances]
    load_before = os.getloadavg()[0]
    print(f"ours ({args.workers} processes), {args.time_limit} s per instance:", flush=True)
    ours = run_ours(files, args.time_limit, args.seed, args.workers)
    rows = []
    for name, path in zip(args.instances, files, strict=True):
        row = {"instance": name, "bks": bks[name], "ours_seconds": ours[name]["seconds"]}
        row.update(
            {f"ours_{k}": v for k, v in judge(path, ours[name]["routes"], bks[name]).items()}
        )
        rows.append(row)
    if not args.no_pyvrp:
        print(f"PyVRP (1 process), {args.time_limit} s per instance:", flush=True)
        for row, path in zip(rows, files, strict=True):
            theirs = run_pyvrp(path, args.time_limit, args.seed)
            row["pyvrp_seconds"] = theirs["seconds"]
            row.update(
                {f"pyvrp_{k}": v for k, v in judge(path, theirs["routes"], row["bks"]).items()}
            )
            print(
                f"  pyvrp {row['instance']:6} {row['pyvrp_distance']:8.1f} "
                f"{theirs['seconds']:6.2f}s",
                flush=True,
            )
    report(args, rows, load_before)


def yes(feasible: bool) -> str:
    return "yes" if feasible else "NO"


def report(args: argparse.Namespace, rows: list[dict], load_before: float) -> None:
    with_pyvrp = "pyvrp_distance" in rows[0]
    head = "| instance | BKS | ours | gap % | veh | ok | s |"
    rule = "|---|---:|---:|---:|---:|:-:|---:|"
    if with_pyvrp:
        head += " PyVRP | gap % | veh | ok | s | ours/PyVRP |"
        rule += "---:|---:|---:|:-:|---:|---:|"
    lines = [head, rule]
    for r in rows:
        line = (
            f"| {r['instance']} | {r['bks']:.1f} | {r['ours_distance']:.1f} | "
            f"{r['ours_gap']:.2f} | {r['ours_vehicles']} | {yes(r['ours_feasible'])} | "
            f"{r['ours_seconds']:.2f} |"
        )
        if with_pyvrp:
            line += (
                f" {r['pyvrp_distance']:.1f} | {r['pyvrp_gap']:.2f} | {r['pyvrp_vehicles']} | "
                f"{yes(r['pyvrp_feasible'])} | {r['pyvrp_seconds']:.2f} | "
                f"{r['ours_distance'] / r['pyvrp_distance']:.4f} |"
            )
        lines.append(line)
    summary = {
        "time_limit_s": args.time_limit,
        "ours_workers": args.workers,
        "seed": args.seed,
        "ours_mean_gap_pct": statistics.mean(r["ours_gap"] for r in rows),
        "ours_all_feasible": all(r["ours_feasible"] for r in rows),
        "ours_max_seconds": max(r["ours_seconds"] for r in rows),
        "load_average_1min_before": load_before,
        "load_average_1min_after": os.getloadavg()[0],
    }
    if with_pyvrp:
        summary["pyvrp_mean_gap_pct"] = statistics.mean(r["pyvrp_gap"] for r in rows)
        summary["pyvrp_all_feasible"] = all(r["pyvrp_feasible"] for r in rows)
        summary["distance_ratio_ours_over_pyvrp"] = statistics.geometric_mean(
            r["ours_distance"] / r["pyvrp_distance"] for r in rows
        )
    lines.append("")
    lines.append(
        f"mean gap to best known: ours {summary['ours_mean_gap_pct']:.3f} %"
        + (
            f", PyVRP {summary['pyvrp_mean_gap_pct']:.3f} %; distance ratio ours/PyVRP "
            f"(geometric mean) {summary['distance_ratio_ours_over_pyvrp']:.4f}"
            if with_pyvrp
            else ""
        )
    )
    lines.append(
        f"ours used {args.workers} processes per instance, PyVRP 1 (it is "
        "single-threaded); the machine is shared: 1-min load average "
        f"{load_before:.1f} before, {summary['load_average_1min_after']:.1f} after."
    )
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"vrptw-{stamp}.md").write_text(text + "\n")
    (out / f"vrptw-{stamp}.json").write_text(
        json.dumps({"summary": summary, "rows": rows}, indent=1)
    )
    print(f"written to bench/results/vrptw-{stamp}.md and .json")


if __name__ == "__main__":
    main()
