"""The production shape for API tests: PostgreSQL and Redis, with the clinic seeded once.

A test module opts in by importing the three fixtures below (they replace the
embedded `settings` and `world` of `conftest.py`, which holds `seeded_postgres`).

Seeding hashes seven passwords; doing it once per test session into a template database
and copying that (`CREATE DATABASE … TEMPLATE`, a file copy inside PostgreSQL) gives each
test its own seeded database in a fraction of the time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import PG_ADMIN_DSN
from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET
from .world import World


def _dsn(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


@pytest.fixture
def seeded_database(seeded_postgres: tuple[str, World]) -> Iterator[str]:
    """A copy of the seeded template for one test (its DSN), dropped afterwards."""
    template, _ = seeded_postgres
    name = f"scheduler_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _dsn(name)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(name="settings")
def production_settings(tmp_path: Path, seeded_database: str, redis_prefix: str) -> Settings:
    """PostgreSQL (a seeded copy) and the real Redis under this test's own prefix."""
    return Settings(
        data_dir=tmp_path,
        database_url=seeded_database,
        jwt_secret=SECRET,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        store_threads=4,
    )


@pytest.fixture(name="world")
def production_world(settings: Settings, seeded_postgres: tuple[str, World]) -> World:
    """Ids of the seeded clinic (the copy in `settings`' database holds them)."""
    return seeded_postgres[1]
