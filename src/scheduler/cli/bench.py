"""`scheduler bench vrptw FILE.vrp... --time-limit S [--seed N]`: the router on the
public VRPTW yardstick (`spec/vrptw-bench.md`), one JSON line per instance as soon as
it is solved."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

SAFETY_S = 0.05
"""Wall time kept back from the limit for process start-up and the final check."""
SAFETY_SHARE = 0.005
"""Share of the limit kept back too: the spec allows 5 % over; we aim under."""


def register(commands: Any) -> None:
    """Add `bench vrptw` to the parser."""
    bench = commands.add_parser("bench", help="measure the engines on public benchmarks")
    kinds = bench.add_subparsers(dest="bench", required=True, metavar="BENCHMARK")
    vrptw = kinds.add_parser(
        "vrptw",
        help="route Solomon-style VRPTW instances (VRPLIB files)",
        description="Solve each VRPLIB file and print one JSON object per instance.",
    )
    vrptw.add_argument("files", nargs="+", metavar="FILE.vrp", help="VRPLIB CVRPTW instances")
    vrptw.add_argument(
        "--time-limit", type=float, required=True, metavar="S", help="seconds per instance"
    )
    vrptw.add_argument("--seed", type=int, default=0, help="seed of the first search (default 0)")
    vrptw.add_argument(
        "--workers", type=int, default=2, help="parallel searches per instance (default 2)"
    )
    vrptw.set_defaults(run=run_vrptw)


def run_vrptw(args: argparse.Namespace) -> int:
    """Solve every file in turn; exit code 2 (nothing solved) if any file is malformed
    or the limits make no sense."""
    # Imported here so `scheduler --help` does not load OR-Tools.
    from scheduler.matching.vrptw import InstanceError, read_vrplib, solve_vrptw  # noqa: PLC0415

    if args.time_limit <= 2 * SAFETY_S or args.workers < 1:
        print(
            "scheduler bench vrptw: --time-limit must exceed 0.1 s, --workers be ≥ 1",
            file=sys.stderr,
        )
        return 2
    try:
        for path in args.files:  # refuse a bad file before spending minutes on good ones
            read_vrplib(path)
    except InstanceError as error:
        print(f"scheduler bench vrptw: {error}", file=sys.stderr)
        return 2
    for path in args.files:
        started = time.monotonic()
        instance = read_vrplib(path)
        budget = args.time_limit * (1 - SAFETY_SHARE) - SAFETY_S - (time.monotonic() - started)
        solution = solve_vrptw(instance, time_limit_s=budget, seed=args.seed, workers=args.workers)
        line = {
            "instance": instance.name,
            "routes": [list(route) for route in solution.routes],
            "distance": solution.distance,
            "vehicles": solution.vehicles,
            "seconds": round(time.monotonic() - started, 3),
        }
        if not solution.feasible:
            line["status"] = solution.status
            line["unserved"] = list(solution.unserved)
        print(json.dumps(line), flush=True)
    return 0
