"""`scheduler serve` as a real uvicorn process on a spare port: embedded store, demo seeded."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`python -m scheduler.cli.serve` on the embedded default, until the test ends."""
    port = _spare_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SCHEDULER_JWT_SECRET", "PERSISTENCE_MODULE")
    }
    env["SCHEDULER_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli.serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.communicate()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        yield base, tmp_path, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def test_serve_seeds_the_demo_and_answers_over_http(
    server: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base, data_dir, process = server
    logins = json.loads((data_dir / "demo-logins.json").read_text())
    assert set(logins) == {"dispatcher", "therapist", "patient", "admin"}
    assert oct((data_dir / "demo-logins.json").stat().st_mode & 0o777) == "0o600"
    with httpx.Client(base_url=base, timeout=10) as client:
        assert client.get("/ready").json()["status"] == "ready"
        tokens = {}
        for role, login in logins.items():
            response = client.post("/auth/login", json=login)
            assert response.status_code == 200, response.text
            tokens[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        me = client.get("/auth/me", headers=tokens["dispatcher"]).json()
        today = date.today()
        monday = today + timedelta(days=7 - today.weekday())
        board = client.get(
            f"/clinics/{me['clinic_id']}/board",
            params={"date": str(monday)},
            headers=tokens["dispatcher"],
        )
        assert board.status_code == 200
        assert sum(len(route["visits"]) for route in board.json()["routes"]) > 0
        assert client.get("/me/plans", headers=tokens["patient"]).json() != []
        assert client.get("/me/plans", headers=tokens["therapist"]).status_code == 403
        reply = client.get("/health", headers={"X-Request-ID": "over-the-wire"})
        assert reply.headers["x-request-id"] == "over-the-wire"
        assert client.get("/schema/openapi.json").status_code == 200
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=15)
    assert logins["patient"]["password"] in out
    access = [json.loads(line) for line in err.splitlines() if '"scheduler.access"' in line]
    assert any(line["request_id"] == "over-the-wire" for line in access)
    # The board above returned patients' names and conditions; the logs hold none.
    for private in ("Pat Lee", "Quinn Diaz", "Rosa Marsh", "multiple sclerosis", "lymphedema"):
        assert private not in err
