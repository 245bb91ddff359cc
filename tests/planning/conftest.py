"""The planner's tests run on PostgreSQL: the store the clinic runs on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scheduler.domain import Scheduling
from scheduler.store import migrate, postgres_settings

from .clinic import Clinic, build_clinic


@pytest.fixture
def clinic(pg_database: dict[str, str]) -> Iterator[Clinic]:
    """The small clinic in a fresh PostgreSQL database."""
    env = {**postgres_settings(pg_database["dsn"]), "CREATE_TABLE": "n"}
    migrate(env)
    app = Scheduling(env)
    try:
        yield build_clinic(app)
    finally:
        app.close()
