"""`scheduler plan`: solve a planning problem file, showing progress and a score table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(commands: Any) -> None:
    """Add the `plan` sub-command to the parser."""
    parser = commands.add_parser(
        "plan",
        help="plan every session of a planning problem (JSON)",
        description="Solve PROBLEM.json (spec/planning-problem.md); progress on stderr, "
        "score table on stdout. With --previous, what the re-plan places or moves starts "
        "on the problem's optional 'slot_minutes' grid.",
    )
    parser.add_argument("problem", type=Path, metavar="PROBLEM.json")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        metavar="S",
        help="wall-time limit in seconds (default 60)",
    )
    parser.add_argument("--seed", type=int, default=1, metavar="N")
    parser.add_argument(
        "--previous",
        type=Path,
        metavar="R.json",
        help="an earlier result: re-plan, keeping its still-feasible visits",
    )
    parser.add_argument(
        "--keep-times",
        action="store_true",
        help="with --previous: never shift a kept visit's start to fit a displaced session",
    )
    parser.add_argument(
        "--budget",
        type=int,
        default=1,
        metavar="N",
        help="with --previous: at most N other visits changed per displaced session "
        "(default 1; -1: no limit)",
    )
    parser.add_argument(
        "--split-plans",
        action="store_true",
        help="let several therapists share a plan when that places more of its sessions "
        "(default: each plan keeps one therapist, for continuity of care)",
    )
    parser.add_argument("--out", type=Path, metavar="RESULT.json", help="write the result here")
    parser.add_argument(
        "--problem-out",
        type=Path,
        metavar="PROBLEM.json",
        help="with --previous: write the problem with its 'displaced' sessions filled in "
        "(what the change took away), the problem the result is checked against",
    )
    parser.set_defaults(run=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    """Run the planner; exit 2 with one message on malformed input."""
    from scheduler.matching.problem import MalformedProblem, read_problem, read_visit  # noqa: PLC0415 - keeps `scheduler --help` instant
    from scheduler.matching.replan import with_displaced  # noqa: PLC0415 - keeps `scheduler --help` instant
    from scheduler.matching.solver import solve  # noqa: PLC0415 - keeps `scheduler --help` instant
    from scheduler.matching.timetable import Score  # noqa: PLC0415 - keeps `scheduler --help` instant

    if args.time_limit <= 0:
        print("scheduler plan: --time-limit must be positive", file=sys.stderr)
        return 2
    try:
        problem = read_problem(args.problem)
        previous = None
        if args.previous is not None:
            try:
                doc = json.loads(args.previous.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise MalformedProblem(f"{args.previous}: cannot read JSON: {e}") from e
            if not isinstance(doc, dict) or not isinstance(doc.get("visits"), list):
                raise MalformedProblem(f"{args.previous}: expected a result with 'visits'")
            previous = [read_visit(v, f"previous.visits[{i}]") for i, v in enumerate(doc["visits"])]
            # The change's victims may be postponed (v1.1) so that no later session drops.
            problem = with_displaced(problem, previous)
    except MalformedProblem as e:
        print(f"scheduler plan: malformed input: {e}", file=sys.stderr)
        return 2

    def progress(seconds: float, score: Score) -> None:
        scheduled, continuity, preferred = score.shares()
        print(
            f"[{seconds:6.1f}s] scheduled {scheduled:.4f}  continuity {continuity:.4f}  "
            f"preferred {preferred:.4f}  travel_km {score.travel_km:.1f}",
            file=sys.stderr,
            flush=True,
        )

    result = solve(
        problem,
        time_limit_s=args.time_limit,
        seed=args.seed,
        previous=previous,
        progress=progress,
        retime=not args.keep_times,
        split_plans=args.split_plans,
        budget=None if args.budget < 0 else args.budget,
    )
    s = result.scores
    rows = [
        ("status", result.status),
        ("scheduled", f"{s.scheduled:.4f} ({s.placed}/{s.requested})"),
        ("continuity", f"{s.continuity:.4f}"),
        ("preferred", f"{s.preferred:.4f}"),
        ("travel_km", f"{s.travel_km:.1f}"),
        ("time_s", f"{result.timings['total_s']:.1f}"),
    ]
    if result.changes is not None:
        c = result.changes
        rows.append(
            (
                "changes",
                f"kept {c.kept} moved {c.moved} (re-timed {c.retimed}) added {c.added} "
                f"dropped {c.dropped}",
            )
        )
    for name, value in rows:
        print(f"{name:<11} {value}")
    if result.postponed:
        print(f"{'postponed':<11} {len(result.postponed)}")
    if result.broken:
        print(f"{'broken':<11} " + "; ".join(result.broken[:5]))
    if args.out is not None:
        args.out.write_text(json.dumps(result.to_json(), indent=1), encoding="utf-8")
    if args.problem_out is not None:
        document = json.loads(args.problem.read_text(encoding="utf-8"))
        document["displaced"] = [{"plan": p, "session": n} for p, n in sorted(problem.displaced)]
        args.problem_out.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return 0
