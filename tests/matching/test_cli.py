"""`scheduler plan` end to end on sample-small."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .clinic import CHECKER_PATH


def run(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from scheduler.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, "plan", *args], capture_output=True, text=True, check=False
    )


def test_plan_writes_a_result_the_checker_accepts(shared_dir: Path, tmp_path: Path) -> None:
    problem = shared_dir / "instances" / "sample-small.json"
    out = tmp_path / "result.json"
    done = run(str(problem), "--time-limit", "2", "--seed", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "scheduled" in done.stdout
    assert "travel_km" in done.stdout
    assert "scheduled" in done.stderr  # live progress lines
    checked = subprocess.run(
        [sys.executable, str(CHECKER_PATH), str(problem), str(out), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout[-2000:]
    again = run(str(problem), "--time-limit", "2", "--previous", str(out))
    assert again.returncode == 0
    assert "changes" in again.stdout


def test_malformed_problem_exits_2_with_one_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"days": 0}), encoding="utf-8")
    done = run(str(bad))
    assert done.returncode == 2
    assert done.stderr.startswith("scheduler plan: malformed input")
    assert not done.stdout
