"""`scheduler migrate`, `demo` and `serve` from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.demo import run_demo
from scheduler.domain import Scheduling
from scheduler.store import environment


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty embedded data directory, with no other store configured."""
    for name in ("DATABASE_URL", "PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SCHEDULER_DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def test_the_demo_runs_on_a_fresh_checkout_and_again(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert main(["demo"]) == 0
    second = capsys.readouterr().out

    assert (data_dir / "scheduler.sqlite3").is_file()
    for output in (first, second):
        assert "late = True" in output
        assert "Rescheduled" in output
        assert "Completed" in output
    assert first.splitlines()[1] != second.splitlines()[1]  # a new clinic each run


def test_the_demo_builds_a_clinic_that_keeps_every_rule() -> None:
    app = Scheduling(environment("memory"))
    lines: list[str] = []
    clinic = run_demo(app, datetime(2026, 10, 20, 12, tzinfo=UTC), lines.append)

    assert len(app.list_therapists(clinic)) == 3
    assert len(app.list_plans(clinic)) == 4
    sessions = [s for p in app.list_patients(clinic) for s in app.patient_sessions(p.id)]
    statuses = sorted(s.status for s in sessions)
    assert statuses == ["booked"] * 4 + ["cancelled"] * 2 + ["completed"]
    assert sorted(s.late_cancel for s in sessions if s.status == "cancelled") == [False, True]
    # The week crosses no DST change here, so every visit prints at its booked local time.
    assert any("09:30-10:30 America/Chicago  Pat Lee" in line for line in lines)


def test_migrate_is_idempotent_and_serve_exists(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert main(["migrate"]) == 0
    assert "tables ready: SQLite" in capsys.readouterr().out
    with pytest.raises(SystemExit) as help_shown:
        main(["serve", "--help"])
    assert help_shown.value.code == 0
    assert "--port" in capsys.readouterr().out


def test_a_bad_database_url_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://clinic@db/scheduler")

    assert main(["migrate"]) == 2
    assert main(["demo"]) == 2
    assert "DATABASE_URL must look like postgresql://" in capsys.readouterr().err


@pytest.mark.postgres
def test_the_demo_on_postgres_needs_migrate_first(
    monkeypatch: pytest.MonkeyPatch, pg_database: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_database["dsn"])

    assert main(["demo"]) == 2
    assert "scheduler migrate" in capsys.readouterr().err
    assert main(["migrate"]) == 0
    assert main(["demo"]) == 0
