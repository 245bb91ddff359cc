"""Which event store the `Scheduling` application uses, chosen from the environment.

In order of precedence:

1. `DATABASE_URL=postgresql://user:password@host:port/dbname` → PostgreSQL.
2. The library's own settings (`PERSISTENCE_MODULE`, `POSTGRES_DBNAME`, `POSTGRES_HOST`…)
   when `PERSISTENCE_MODULE` is set → used as they are.
3. Otherwise embedded SQLite at `$SCHEDULER_DATA_DIR/scheduler.sqlite3` (default data
   directory `./var`, created on first use).

`"memory"` selects the in-process store of unit tests. Applications never create tables:
several processes starting at once would race on CREATE TABLE. Tables are created once by
`migrate()` (`scheduler migrate`), which is idempotent.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scheduler.domain import Scheduling

DEFAULT_DATA_DIR = "var"
SQLITE_FILE = "scheduler.sqlite3"


class StoreConfigError(ValueError):
    """Raised when DATABASE_URL (or the store settings) cannot name a usable store."""


def postgres_settings(url: str) -> dict[str, str]:
    """The library's POSTGRES_* settings for a `postgresql://` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
        raise StoreConfigError(
            f"DATABASE_URL must look like postgresql://user@host:5432/dbname, got {url!r}"
        )
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }


def sqlite_path() -> Path:
    """Where the embedded database lives (its directory is created if missing)."""
    data_dir = Path(os.environ.get("SCHEDULER_DATA_DIR") or DEFAULT_DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir / SQLITE_FILE


def environment(kind: str | None = None, *, create_table: bool = False) -> dict[str, str]:
    """Settings for `Scheduling(env)`: `kind` None (from the environment) or "memory"."""
    if kind == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if kind is not None:
        raise StoreConfigError(f"unknown store kind {kind!r}: use None or 'memory'")
    env = {"CREATE_TABLE": "y" if create_table else "n"}
    url = os.environ.get("DATABASE_URL")
    if url:
        env.update(postgres_settings(url))
    elif not os.environ.get("PERSISTENCE_MODULE"):
        env.update(
            {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(sqlite_path())}
        )
    return env


def describe(env: dict[str, str]) -> str:
    """A one-line, password-free description of the store `env` selects."""
    module = env.get("PERSISTENCE_MODULE") or os.environ.get("PERSISTENCE_MODULE", "")
    if module.endswith("sqlite"):
        return f"SQLite {env.get('SQLITE_DBNAME') or os.environ.get('SQLITE_DBNAME')}"
    if module.endswith("postgres"):
        host = env.get("POSTGRES_HOST") or os.environ.get("POSTGRES_HOST")
        name = env.get("POSTGRES_DBNAME") or os.environ.get("POSTGRES_DBNAME")
        return f"PostgreSQL {host}/{name}"
    return "in-memory store"


def open_scheduling(env: dict[str, str] | None = None) -> Scheduling:
    """The application on the configured store (tables must exist: see `migrate`)."""
    return Scheduling(environment() if env is None else env)


def migrate(env: dict[str, str] | None = None) -> str:
    """Create the event store's tables if missing (idempotent); returns the store's name.

    Both applications' tables: the clinic's records and the sign-in accounts (servers
    open both with CREATE_TABLE off, so a table missing here fails every start), and
    the notifications' outbox.
    """
    from scheduler.accounts import Accounts, create_tables  # noqa: PLC0415 - argon2 only when migrating
    from scheduler.notify.account_mail import ACCOUNTS  # noqa: PLC0415
    from scheduler.notify.outbox import Outbox  # noqa: PLC0415

    settings = dict(environment() if env is None else env)
    settings["CREATE_TABLE"] = "y"
    app = open_scheduling(settings)
    try:
        end = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    create_tables(settings)
    accounts = Accounts(settings)
    try:
        accounts_end = accounts.recorder.max_notification_id() or 0
    finally:
        accounts.close()
    outbox = Outbox.from_store_env(settings)
    if outbox is not None:
        outbox.create_tables()
        outbox.begin(end)  # notifications are for what happens from now on
        outbox.begin(accounts_end, ACCOUNTS)  # and the accounts' mails likewise
    return describe(settings)
