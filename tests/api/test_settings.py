"""Settings from the environment and the event store they name."""

from __future__ import annotations

import dataclasses
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


def test_the_public_url_defaults_to_where_the_service_listens(tmp_path: Path) -> None:
    base = {"SCHEDULER_DATA_DIR": str(tmp_path), "SCHEDULER_JWT_SECRET": SECRET}
    assert Settings.from_env(base).base_url == "http://127.0.0.1:8000"
    moved = Settings.from_env({**base, "SCHEDULER_HOST": "::1", "SCHEDULER_PORT": "9000"})
    assert moved.base_url == "http://[::1]:9000"
    given = Settings.from_env({**base, "SCHEDULER_PUBLIC_URL": "https://clinic.example/app/"})
    assert given.base_url == "https://clinic.example/app"


@pytest.mark.parametrize(
    "bad",
    [
        "clinic.example",  # no scheme
        "ftp://clinic.example",
        "https://",  # no host
        "https://clinic.example/?a=1",
        "https://clinic.example/#top",
        "https://user:pw@clinic.example",
        "https://clinic.example:port",
    ],
)
def test_a_public_url_that_cannot_start_links_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SettingsError, match="SCHEDULER_PUBLIC_URL"):
        Settings.from_env(
            {
                "SCHEDULER_DATA_DIR": str(tmp_path),
                "SCHEDULER_JWT_SECRET": SECRET,
                "SCHEDULER_PUBLIC_URL": bad,
            }
        )


def test_feed_coordinates_are_off_unless_the_clinic_opts_in(tmp_path: Path) -> None:
    base = {"SCHEDULER_DATA_DIR": str(tmp_path), "SCHEDULER_JWT_SECRET": SECRET}
    assert not Settings.from_env(base).feed_coordinates
    assert Settings.from_env({**base, "SCHEDULER_FEED_COORDINATES": "1"}).feed_coordinates
    with pytest.raises(SettingsError, match="SCHEDULER_FEED_COORDINATES"):
        Settings.from_env({**base, "SCHEDULER_FEED_COORDINATES": "maybe"})


def test_the_test_only_pause_after_commit_is_refused_on_a_reachable_server(
    tmp_path: Path,
) -> None:
    base = {
        "SCHEDULER_DATA_DIR": str(tmp_path),
        "SCHEDULER_JWT_SECRET": SECRET,
        "SCHEDULER_TEST_PAUSE_AFTER_COMMIT_S": "30",
    }
    assert Settings.from_env(base).test_pause_after_commit_s == 30
    assert (
        Settings.from_env(
            {**base, "SCHEDULER_TEST_PAUSE_AFTER_COMMIT_S": ""}
        ).test_pause_after_commit_s
        is None
    )
    for exposed in ({"SCHEDULER_HOST": "0.0.0.0"}, {"SCHEDULER_PUBLIC_URL": "https://a.example"}):
        with pytest.raises(SettingsError, match="tests only"):
            Settings.from_env({**base, **exposed})
    # `serve --host` replaces the host after reading the environment: refused there too.
    with pytest.raises(SettingsError, match="tests only"):
        dataclasses.replace(Settings.from_env(base), host="10.0.0.5")
