"""`scheduler migrate` on PostgreSQL creates the read model's tables too, with no JWT secret."""

from __future__ import annotations

import psycopg
import pytest

from scheduler.cli import main


@pytest.mark.postgres
def test_migrate_creates_event_store_and_read_model_tables(
    pg_database: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_database["dsn"])
    # A migrate job holds the database's credentials, not the API's signing secret.
    monkeypatch.delenv("SCHEDULER_JWT_SECRET", raising=False)

    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0  # idempotent

    with psycopg.connect(pg_database["dsn"]) as connection:
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
    assert "board_visits" in tables
    assert "scheduling_events" in tables
