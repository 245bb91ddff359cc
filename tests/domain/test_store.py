"""Which store the environment selects, and that only `migrate` creates tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.persistence import PersistenceError

from scheduler.domain import Scheduling
from scheduler.store import (
    StoreConfigError,
    describe,
    environment,
    migrate,
    postgres_settings,
)


@pytest.fixture(autouse=True)
def no_store_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from an environment that names no store."""
    for name in ("DATABASE_URL", "PERSISTENCE_MODULE", "SCHEDULER_DATA_DIR", "SQLITE_DBNAME"):
        monkeypatch.delenv(name, raising=False)


def test_database_url_selects_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://clinic:s%40cret@db.internal:6543/scheduler")

    env = environment()

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.internal", "6543")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("clinic", "s@cret")
    assert env["POSTGRES_DBNAME"] == "scheduler"
    assert env["CREATE_TABLE"] == "n"
    assert "s@cret" not in describe(env)


@pytest.mark.parametrize("url", ["mysql://x@h/db", "postgresql://user@host:5432/", "nonsense"])
def test_a_malformed_database_url_is_refused(url: str) -> None:
    with pytest.raises(StoreConfigError):
        postgres_settings(url)


def test_the_librarys_own_settings_are_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.postgres")

    assert environment() == {"CREATE_TABLE": "n"}


def test_the_default_is_sqlite_in_a_data_directory_created_on_first_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data" / "dir"
    monkeypatch.setenv("SCHEDULER_DATA_DIR", str(data_dir))

    env = environment()

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert Path(env["SQLITE_DBNAME"]) == data_dir / "scheduler.sqlite3"
    assert data_dir.is_dir()


def test_applications_do_not_create_tables_and_migrate_does_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SCHEDULER_DATA_DIR", str(tmp_path))
    app = Scheduling(environment())
    with pytest.raises(PersistenceError):
        app.recorder.max_notification_id()
    app.close()

    assert migrate().startswith("SQLite ")
    assert migrate().startswith("SQLite ")  # idempotent
    app = Scheduling(environment())
    assert not app.recorder.max_notification_id()
    app.close()


@pytest.mark.postgres
def test_migrate_on_postgres_is_idempotent(pg_database: dict[str, str]) -> None:
    env = {**postgres_settings(pg_database["dsn"]), "CREATE_TABLE": "n"}

    assert migrate(env) == f"PostgreSQL 127.0.0.1/{pg_database['dbname']}"
    migrate(env)
    app = Scheduling(env)
    assert not app.recorder.max_notification_id()
    app.close()


def test_an_unknown_store_kind_is_refused() -> None:
    with pytest.raises(StoreConfigError):
        environment("redis")
