"""Browser tests: a real `scheduler serve` process and Debian's chromium under Playwright.

The server runs on the embedded store in a temporary data directory, seeded with the demo
clinic and one login per role (`demo-logins.json`). Chromium is Debian's
(`/usr/bin/chromium`, `apt-get install chromium`), driven headless with the flags a
machine without internet needs. Screenshots go to `artifacts/screenshots/` (git-ignored).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = os.environ.get("SCHEDULER_CHROMIUM", "/usr/bin/chromium")
# A closed network stalls chromium's background fetches; these flags keep it quiet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@dataclass(frozen=True)
class Site:
    """The served app: its address and the demo logins per role."""

    base: str
    logins: dict[str, dict[str, str]]


def spare_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(data_dir: Path) -> Iterator[Site]:
    """`scheduler serve` on the embedded store in `data_dir`, until the block ends."""
    port = spare_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SCHEDULER_JWT_SECRET", "PERSISTENCE_MODULE")
    }
    env["SCHEDULER_DATA_DIR"] = str(data_dir)
    # The tests sign in more often than a person would.
    env["SCHEDULER_LOGIN_LIMIT"] = "200"
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli.serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (data_dir / "server.log").read_text()
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.3)
        logins = json.loads((data_dir / "demo-logins.json").read_text())
        yield Site(base, logins)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """`scheduler serve` on the embedded store, until the session ends."""
    with serving(tmp_path_factory.mktemp("site")) as served:
        yield served


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium."""
    assert Path(CHROMIUM).exists(), f"install chromium first: apt-get install chromium ({CHROMIUM})"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


class Visitor:
    """Browser contexts signed in as a role, closed when the test ends."""

    def __init__(self, browser: Browser, site: Site) -> None:
        self.browser = browser
        self.site = site
        self.contexts: list[BrowserContext] = []

    def page(self, role: str | None, *, viewport: dict[str, int] = DESKTOP) -> Page:
        """A new page in its own context, signed in as `role` (anonymous if None)."""
        context = self.browser.new_context(base_url=self.site.base, viewport=viewport)
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.script_errors = errors  # type: ignore[attr-defined]
        if role is not None:
            sign_in(page, self.site.logins[role])
        return page

    def close(self) -> None:
        """Close every context opened."""
        for context in self.contexts:
            context.close()


def sign_in(page: Page, login: dict[str, str]) -> None:
    """Sign in through the form and land on the role's home page."""
    page.goto("/app/login")
    page.get_by_label("E-mail address").fill(login["email"])
    page.get_by_label("Password").fill(login["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/app/login" not in url)


@pytest.fixture
def visitor(browser: Browser, site: Site) -> Iterator[Visitor]:
    """Signed-in pages for the test (closed afterwards)."""
    opened = Visitor(browser, site)
    yield opened
    opened.close()


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as `artifacts/screenshots/<name>-<width>.png`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
