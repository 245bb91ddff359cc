"""The behaviour suite runs on every store: in-memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.world import World, build_world
from scheduler.domain import Scheduling
from scheduler.store import environment, migrate, postgres_settings


def store_env(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings for a fresh, migrated store of `kind`."""
    if kind == "memory":
        return environment("memory")
    if kind == "sqlite":
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp_path / "scheduler.sqlite3"),
            "CREATE_TABLE": "n",
        }
    else:
        database = request.getfixturevalue("pg_database")
        env = {**postgres_settings(database["dsn"]), "CREATE_TABLE": "n"}
    migrate(env)
    return env


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def scheduling(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scheduling]:
    """A `Scheduling` application on an empty store of each kind."""
    app = Scheduling(store_env(request.param, tmp_path, request))
    yield app
    app.close()


@pytest.fixture
def world(scheduling: Scheduling) -> World:
    """The sample clinic registered in `scheduling`."""
    return build_world(scheduling)
