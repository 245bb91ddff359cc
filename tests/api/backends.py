"""Both backends for one test: the embedded default and the production shape.

A test module opts in by importing the three fixtures below: each test
then runs twice, on SQLite (a copy of the seeded store) and on PostgreSQL (a copy of
the seeded template database) with Redis under the test's own key prefix.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import PG_ADMIN_DSN
from scheduler.settings import Settings
from scheduler.store import SQLITE_FILE

from .conftest import REDIS_URL, SECRET
from .world import World


@pytest.fixture(name="settings", params=["sqlite", "postgres"])
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Each backend: the embedded default, and PostgreSQL (a seeded copy) with Redis."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path, jwt_secret=SECRET, store_threads=4)
        return
    template, _ = request.getfixturevalue("seeded_postgres")
    name = f"scheduler_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield Settings(
            data_dir=tmp_path,
            database_url=f"postgresql://postgres@127.0.0.1:5432/{name}",
            jwt_secret=SECRET,
            redis_url=REDIS_URL,
            redis_prefix=request.getfixturevalue("redis_prefix"),
            store_threads=4,
        )
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(name="world")
def backend_world(
    request: pytest.FixtureRequest, settings: Settings, seeded_store: tuple[Path, World]
) -> World:
    """The seeded clinic in this backend's store."""
    if settings.embedded:
        return request.getfixturevalue("world_embedded")  # type: ignore[no-any-return]
    return request.getfixturevalue("seeded_postgres")[1]  # type: ignore[no-any-return]


@pytest.fixture
def world_embedded(settings: Settings, seeded_store: tuple[Path, World]) -> World:
    """The seeded SQLite store copied into this test's data directory."""
    template, seeded = seeded_store
    shutil.copyfile(template, settings.data_dir / SQLITE_FILE)
    return seeded
