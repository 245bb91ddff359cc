"""Fixtures shared by every suite: a fresh PostgreSQL database per test session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_ADMIN_DSN = os.environ.get("SCHEDULER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The `../shared` folder beside the project (specs, instances, checkers)."""
    assert SHARED.is_dir(), f"expected ../shared beside the project at {SHARED}"
    return SHARED


@pytest.fixture
def pg_database() -> Iterator[dict[str, str]]:
    """A new, empty PostgreSQL database, dropped afterwards.

    Yields its connection settings: `dsn` plus the parts `eventsourcing` reads
    (`dbname`, `host`, `port`, `user`). The shared server is never stopped; each test
    gets its own database so parallel runs cannot see each other's events.
    """
    name = f"scheduler_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {
            "dsn": f"postgresql://postgres@127.0.0.1:5432/{name}",
            "dbname": name,
            "host": "127.0.0.1",
            "port": "5432",
            "user": "postgres",
            "password": "",
        }
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
