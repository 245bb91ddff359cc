"""Sub-commands for the clinic's records: `migrate`, `demo`, and `serve` (the HTTP API)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from scheduler.cli import serve as api_serve


def register(commands: Any) -> None:
    """Add `migrate`, `demo` and `serve` to the parser."""
    migrate = commands.add_parser(
        "migrate",
        help="create the event store's tables (once; idempotent)",
        description="Create the tables of the configured store: DATABASE_URL (PostgreSQL), "
        "the library's PERSISTENCE_MODULE/POSTGRES_* settings, or embedded SQLite in "
        "$SCHEDULER_DATA_DIR (default ./var). Servers never create tables themselves.",
    )
    migrate.set_defaults(run=run_migrate)
    demo = commands.add_parser(
        "demo",
        help="build a sample clinic, book and change sessions, print the week",
        description="Registers a new sample clinic (fresh ids every run, so re-running is "
        "safe), books home and clinic sessions, reschedules and cancels, changes a plan, "
        "then prints each therapist's week and one session's history. On the embedded "
        "SQLite default it creates the tables itself; on PostgreSQL run `migrate` first.",
    )
    demo.set_defaults(run=run_demo)
    # The HTTP API's own module defines `serve` (its options and start-up); registering it
    # here keeps one `serve` sub-command however the CLI's module list grows.
    api_serve.register(commands)


def _fail(command: str, error: Exception) -> int:
    print(f"scheduler {command}: {error}", file=sys.stderr)
    return 2


def run_migrate(args: argparse.Namespace) -> int:
    """Create the tables of the configured store."""
    from eventsourcing.persistence import PersistenceError  # noqa: PLC0415 - keeps --help instant

    from scheduler.store import StoreConfigError, migrate  # noqa: PLC0415 - keeps --help instant

    try:
        print(f"tables ready: {migrate()}")
        if os.environ.get("DATABASE_URL"):
            _migrate_read_model()
    except (StoreConfigError, PersistenceError, OSError) as error:
        return _fail("migrate", error)
    return 0


def _migrate_read_model() -> None:
    """The projector's tables, so API processes read them (empty, then filling) at once."""
    from scheduler.readside.projector import create_read_model  # noqa: PLC0415
    from scheduler.settings import Settings  # noqa: PLC0415

    # Only the store is needed here, not the API's secret: migrate jobs don't hold it.
    create_read_model(Settings.from_env(signs_tokens=False))
    print("read-model tables ready")


def run_demo(args: argparse.Namespace) -> int:
    """Build and print the sample clinic."""
    from eventsourcing.persistence import PersistenceError  # noqa: PLC0415 - keeps --help instant

    from scheduler import store  # noqa: PLC0415 - keeps --help instant
    from scheduler.demo import now_utc, run_demo  # noqa: PLC0415 - keeps --help instant

    try:
        env = store.environment()
        description = store.describe(env)
        if description.startswith("SQLite"):
            store.migrate(env)  # embedded default: the first run on a fresh checkout just works
        app = store.open_scheduling(env)
        print(f"store: {description}")
        try:
            run_demo(app, now_utc())
        finally:
            app.close()
    except PersistenceError as error:
        return _fail("demo", Exception(f"{error} (run `scheduler migrate` first?)"))
    except (store.StoreConfigError, OSError) as error:
        return _fail("demo", error)
    return 0
