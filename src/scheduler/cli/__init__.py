"""The `scheduler` command: one sub-command per job, each registered by its own module.

Modules import their heavy dependencies (OR-Tools, the event store) inside the command
function, so `scheduler --help` stays instant.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from scheduler.cli import accounts, bench, clinic, notify, planning, project, worker


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="scheduler",
        description="Calendar, treatment plans and routes for medical-massage clinics.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (clinic, accounts, planning, bench, worker, project, notify):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; its return value is the process exit code."""
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
