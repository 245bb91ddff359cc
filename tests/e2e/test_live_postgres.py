"""The live board in the production layout: PostgreSQL, Redis, a projector process.

A booking made through the JSON API reaches the dispatcher's open board without a
reload: the projector applies it to the read model and announces it on Redis, the API
streams it over SSE, and the page fetches its panel again (read from the projection).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from .conftest import Site, Visitor, spare_port

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

SCHEDULER = str(Path(sys.executable).with_name("scheduler"))
REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def production_site(pg_database: dict[str, str], tmp_path: Path) -> Iterator[Site]:
    """`scheduler migrate`, then `scheduler project` and `scheduler serve` (demo seeded)."""
    env = {k: v for k, v in os.environ.items() if k != "PERSISTENCE_MODULE"}
    env.update(
        DATABASE_URL=pg_database["dsn"],
        REDIS_URL=REDIS_URL,
        SCHEDULER_REDIS_PREFIX=f"e2e-{uuid.uuid4().hex[:10]}:",
        SCHEDULER_JWT_SECRET="e2e-secret-that-is-long-enough-0123456789abcdef",
        SCHEDULER_DATA_DIR=str(tmp_path),
        SCHEDULER_DEMO="1",
        SCHEDULER_STORE_THREADS="4",
    )
    subprocess.run([SCHEDULER, "migrate"], env=env, check=True, capture_output=True)
    port = spare_port()
    base = f"http://127.0.0.1:{port}"
    with ExitStack() as stack:
        for command in (["project"], ["serve", "--port", str(port)]):
            log = stack.enter_context((tmp_path / f"{command[0]}.log").open("w"))
            process = subprocess.Popen(
                [SCHEDULER, *command], env=env, stdout=log, stderr=subprocess.STDOUT
            )
            stack.callback(_stop, process)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.3)
        yield Site(base, json.loads((tmp_path / "demo-logins.json").read_text()))


def test_a_booking_through_the_api_appears_on_the_open_board(
    browser: Browser, production_site: Site
) -> None:
    with httpx.Client(base_url=production_site.base, timeout=30) as api:
        token = api.post("/auth/login", json=production_site.logins["patient"]).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        plan = api.get("/me/plans", headers=headers).json()[0]
        options = api.get(f"/me/plans/{plan['id']}/options?k=1", headers=headers).json()
        option = options["options"][0]
        day = option["start_local"][:10]

        visitor = Visitor(browser, production_site)
        try:
            board = visitor.page("dispatcher")
            board.goto(f"/app/board?date={day}")
            expect(board.locator("#board-panel[data-live-ready='1']")).to_have_count(1)
            board.evaluate("() => { window.notReloaded = true; }")

            booked = api.post(
                f"/plans/{plan['id']}/sessions",
                json={"therapist_id": option["therapist_id"], "start": option["start"]},
                headers=headers,
            )
            assert booked.status_code == 201, booked.text
            session_id = booked.json()["id"]

            visit = board.locator(f"#board-panel li[data-session='{session_id}']")
            expect(visit).to_contain_text("Pat Lee", timeout=20_000)
            assert board.evaluate("() => window.notReloaded === true")
            assert board.script_errors == []  # type: ignore[attr-defined]
        finally:
            visitor.close()
