"""`scheduler project` refuses to run without PostgreSQL, with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.cli import main


def test_project_needs_database_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SCHEDULER_DATA_DIR", str(tmp_path))
    assert main(["project"]) == 2
    assert "DATABASE_URL is not set" in capsys.readouterr().err
