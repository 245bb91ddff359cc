"""Settings from the environment and the event store they name."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.settings import Settings, SettingsError
from scheduler.store import SQLITE_FILE

SECRET = "s" * 40


def test_embedded_store_lives_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"SCHEDULER_DATA_DIR": str(tmp_path), "SCHEDULER_JWT_SECRET": SECRET}
    )
    env = settings.store_env(create_table=True)
    assert settings.embedded
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / SQLITE_FILE)
    assert env["CREATE_TABLE"] == "y"


def test_postgres_pool_matches_the_store_threads(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "SCHEDULER_DATA_DIR": str(tmp_path),
            "SCHEDULER_JWT_SECRET": SECRET,
            "DATABASE_URL": "postgresql://clinic:pw@db.internal:5433/scheduler",
            "SCHEDULER_STORE_THREADS": "12",
        }
    )
    env = settings.store_env(create_table=False)
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == (
        "db.internal",
        "5433",
        "scheduler",
    )
    assert env["POSTGRES_POOL_SIZE"] == "12"
    assert env["POSTGRES_MAX_OVERFLOW"] == "0"
    assert env["CREATE_TABLE"] == "n"


def test_production_needs_a_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SCHEDULER_JWT_SECRET"):
        Settings.from_env(
            {"SCHEDULER_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://h/db"}
        )
    with pytest.raises(SettingsError, match="32"):
        Settings.from_env({"SCHEDULER_DATA_DIR": str(tmp_path), "SCHEDULER_JWT_SECRET": "short"})


def test_embedded_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    first = Settings.from_env({"SCHEDULER_DATA_DIR": str(tmp_path)})
    second = Settings.from_env({"SCHEDULER_DATA_DIR": str(tmp_path)})
    assert first.jwt_secret == second.jwt_secret
    assert len(first.jwt_secret) >= 32
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o777 == 0o600


def test_bad_numbers_are_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SCHEDULER_PORT"):
        Settings.from_env(
            {
                "SCHEDULER_DATA_DIR": str(tmp_path),
                "SCHEDULER_JWT_SECRET": SECRET,
                "SCHEDULER_PORT": "eighty",
            }
        )
