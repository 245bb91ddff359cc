"""Schemathesis, strict, as an integrator would run it: the API checked against its own
OpenAPI document, signed in as each of the four roles.

The app serves on a real port (uvicorn, in a thread of this process, over the seeded
clinic) and the `st` command runs against it, every operation of the document (new
routes included, with no list here), through its examples, coverage and fuzzing phases,
with the issue's strict checks. Path parameters name the seeded clinic's records, so
requests reach the handlers rather than stop at 404. Two operations are left out: the
live board (a stream that never ends) and sign-out (it would sign the run itself out;
`test_sign_out.py` covers it).

`SCHEDULER_SCHEMA_EXAMPLES` sets the examples per operation (CI: 2; the coverage phase
as the dispatcher only); the `slow` variant runs 25, every phase as every role.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from scheduler.api import create_app
from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .world import EMAILS, PASSWORD, Clock, World

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "negative_data_rejection",
        "ignored_auth",
        "missing_required_header",
        "allow_header_conformance",
    ]
)
ROLES = {"patient": "pat", "therapist": "ana", "dispatcher": "dispatcher", "admin": "admin"}
ST = str(Path(sys.executable).with_name("st"))
FIGURES = Path(__file__).resolve().parents[2] / "artifacts" / "schemathesis-strict.json"


@dataclass
class Served:
    """The app on a port, and the records its paths should name."""

    base_url: str
    records: dict[str, str]
    solve_records: dict[str, str]


@pytest.fixture
def served(settings: Settings, world: World, clock: Clock) -> Iterator[Served]:
    """The API over the seeded store on a free port; limits high enough for fuzzing."""
    settings = replace(settings, booking_limit=1_000_000, login_limit=1_000_000)
    config = uvicorn.Config(
        create_app(settings, clock=clock), host="127.0.0.1", port=0, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start in 30 s"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    try:
        yield Served(base_url, _records(settings, world, base_url), _solve_records(world))
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _records(settings: Settings, world: World, base_url: str) -> dict[str, str]:
    """Ids for every path parameter that names one of the seeded records."""
    desk = _token(base_url, "dispatcher")
    booked = httpx.post(
        f"{base_url}/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers={"Authorization": f"Bearer {desk}"},
        timeout=30,
    )
    assert booked.status_code == 201, booked.text
    app = Scheduling(settings.store_env(create_table=False))
    try:
        prescription = app.get_plan(world.pat_plan).prescription_id
    finally:
        app.close()
    return {
        "clinic_id": str(world.clinic),
        "therapist_id": str(world.ana),
        "patient_id": str(world.pat),
        "plan_id": str(world.pat_plan),
        "session_id": booked.json()["id"],
        "prescription_id": str(prescription),
    }


SOLVES = ("optimizeDays", "reportSick")
"""Operations that start a solve, which takes a core for its time limit (up to 600 s):
they run on their own, on a clinic and a therapist with nothing to plan."""


def _solve_records(world: World) -> dict[str, str]:
    return {"clinic_id": str(world.other_clinic), "therapist_id": str(world.ben)}


def _token(base_url: str, who: str) -> str:
    response = httpx.post(
        f"{base_url}/auth/login", json={"email": EMAILS[who], "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def run_strict(
    served: Served,
    role: str,
    examples: int,
    workdir: Path,
    *,
    phases: str,
    every_method: bool,
    solves: bool = False,
) -> dict[str, Any]:
    """`st run` as `role`; its JSON report. Without `every_method`, the methods a path
    does not have are tried as OPTIONS only (its `Allow` answer), not one by one.
    `solves`: only the operations that start a solve, else all the others."""
    records = served.solve_records if solves else served.records
    lines = ["[parameters]", *(f'"path.{name}" = "{value}"' for name, value in records.items())]
    if not every_method:
        lines = ["[phases.coverage]", 'unexpected-methods = ["OPTIONS"]', *lines]
    name = f"{role}-solves" if solves else role
    config = workdir / f"{name}.toml"
    config.write_text("\n".join(lines) + "\n")
    report = workdir / f"{name}.json"
    token = _token(served.base_url, ROLES[role])
    selection = [f"--{'include' if solves else 'exclude'}-operation-id={o}" for o in SOLVES]
    command = [
        ST,
        "--config-file",
        str(config),
        "run",
        f"{served.base_url}/schema/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(examples),
        "--phases",
        phases,
        "--seed",
        "1",
        "--workers",
        "1",
        *selection,
        "--exclude-path-regex",
        "/board/live$",
        "--exclude-path",
        "/auth/logout",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    done = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=900, check=False
    )
    assert report.exists(), done.stdout + done.stderr
    result: dict[str, Any] = json.loads(report.read_text())
    result["output"] = done.stdout
    return result


def _check(served: Served, role: str, examples: int, workdir: Path, variant: str) -> None:
    long = variant == "long"
    # In CI the coverage phase (every boundary of every parameter) runs as the dispatcher,
    # who reaches most routes; examples and fuzzing run as every role.
    phases = "examples,coverage,fuzzing" if long or role == "dispatcher" else "examples,fuzzing"
    report = run_strict(served, role, examples, workdir, phases=phases, every_method=long)
    solves = run_strict(
        served, role, examples, workdir, phases=phases, every_method=long, solves=True
    )
    figures = {
        "phases": phases,
        "operations": report["operations"]["tested"] + solves["operations"]["tested"],
        "test_cases": report["test_cases"]["generated"] + solves["test_cases"]["generated"],
        "failures": report["test_cases"]["unique_failures"]
        + solves["test_cases"]["unique_failures"],
        "errors": len(report["errors"]) + len(solves["errors"]),
        "seconds": round(report["running_time"] + solves["running_time"], 1),
    }
    print(f"\n[schemathesis strict, {variant}] {role}: {json.dumps(figures)}")
    FIGURES.parent.mkdir(exist_ok=True)
    known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    known.setdefault(variant, {})[role] = figures
    FIGURES.write_text(json.dumps(known, indent=2, sort_keys=True))
    for run in (report, solves):
        assert run["exit_code"] == 0, run["output"][-20000:]
        assert run["failures"] == [], run["output"][-20000:]
        assert run["errors"] == [], run["output"][-20000:]
    assert report["operations"]["tested"] > 60
    assert solves["operations"]["tested"] == len(SOLVES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_the_api_as_documented(served: Served, role: str, tmp_path: Path) -> None:
    examples = int(os.environ.get("SCHEDULER_SCHEMA_EXAMPLES", "2"))
    _check(served, role, examples, tmp_path, "ci")


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_the_api_as_documented_at_length(
    served: Served, role: str, tmp_path: Path
) -> None:
    _check(served, role, 25, tmp_path, "long")
