"""`scheduler project`: keep the PostgreSQL read model up to date until stopped.

Needs `DATABASE_URL` (and the event store's tables: `scheduler migrate`); creates the
read-model tables itself. With `REDIS_URL` it also announces every session change to
the live board. SIGTERM or SIGINT stops it gracefully: the event being applied commits
or rolls back, and the next start resumes right after the last committed one. While
PostgreSQL is unreachable it retries every few seconds and resumes by itself.
Run one per deployment, beside `scheduler serve`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

RETRY_S = 2.0
"""Seconds between attempts to reach a store that is down."""


def register(commands: Any) -> None:
    """Add `project` to the parser."""
    parser = commands.add_parser(
        "project",
        help="project the event store into the read model (PostgreSQL), until stopped",
    )
    parser.set_defaults(run=run_project)


def run_project(args: argparse.Namespace) -> int:
    """Project until SIGTERM/SIGINT; exit code 2 without `DATABASE_URL`."""
    from scheduler.api.context import configure_logging  # noqa: PLC0415 - keeps --help instant
    from scheduler.api.store_breaker import STORE_DOWN  # noqa: PLC0415 - keeps --help instant
    from scheduler.readside.projector import Projector  # noqa: PLC0415 - keeps --help instant
    from scheduler.settings import Settings, SettingsError  # noqa: PLC0415

    try:
        settings = Settings.from_env(signs_tokens=False)
    except SettingsError as error:
        print(f"scheduler project: {error}", file=sys.stderr)
        return 2
    if settings.database_url is None:
        print(
            "scheduler project: DATABASE_URL is not set; on the embedded default the API "
            "reads the store directly and needs no projector",
            file=sys.stderr,
        )
        return 2
    # JSON lines on stderr: an event the projector keeps retrying shows there.
    configure_logging()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set():
        try:
            with Projector(settings) as projector:
                print("projecting the event store into the read model (Ctrl-C to stop)", flush=True)
                projector.run_until(stop)
        except STORE_DOWN as error:
            # PostgreSQL stopped or unreachable: wait and resume from the last committed
            # event, rather than exit and need a supervisor to notice.
            print(
                f"scheduler project: the store is unreachable ({type(error).__name__}); "
                f"retrying in {RETRY_S} s",
                file=sys.stderr,
                flush=True,
            )
            stop.wait(RETRY_S)
    print("projector stopped", flush=True)
    return 0
