"""An empty store on either backend, set up as a clinic would: `scheduler migrate`, then
the first admin made by `scheduler accounts add` (both run as commands, not Python calls)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import PG_ADMIN_DSN
from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET

ADMIN_EMAIL = "owner@clinic.example"
ADMIN_PASSWORD = "a long admin password"


def scheduler(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the `scheduler` command against the store `settings` name."""
    env = {
        **os.environ,
        "SCHEDULER_DATA_DIR": str(settings.data_dir),
        "SCHEDULER_DEMO": "0",
    }
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    return subprocess.run(
        [sys.executable, "-m", "scheduler.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def first_admin(settings: Settings) -> None:
    """`scheduler migrate` and `scheduler accounts add --role admin`, as the README says."""
    migrated = scheduler(settings, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    added = scheduler(
        settings,
        "accounts",
        "add",
        "--role",
        "admin",
        "--email",
        ADMIN_EMAIL,
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert ADMIN_EMAIL in added.stdout


@pytest.fixture(name="empty_settings", params=["sqlite", "postgres"])
def empty_backend(
    request: pytest.FixtureRequest, tmp_path: Path, redis_prefix: str
) -> Iterator[Settings]:
    """Each backend, empty but for the first admin: SQLite, and PostgreSQL with Redis."""
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp_path, jwt_secret=SECRET, store_threads=4)
        first_admin(settings)
        yield settings
        return
    name = f"scheduler_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        settings = Settings(
            data_dir=tmp_path,
            database_url=f"postgresql://postgres@127.0.0.1:5432/{name}",
            jwt_secret=SECRET,
            redis_url=REDIS_URL,
            redis_prefix=redis_prefix,
            store_threads=4,
        )
        first_admin(settings)
        yield settings
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
