"""An empty clinic service for browser tests: no demo, the first admin made by the CLI.

The app runs under uvicorn in a thread of the test, so the test can move its clock: a
therapist completes a visit only once it has started, and the journey spans days. The
store is the embedded one in a temporary directory, created by `scheduler migrate`;
nothing is seeded but the admin (`scheduler accounts add`, run as a command).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn

from api.empty import first_admin
from api.world import Clock
from scheduler.api import create_app
from scheduler.settings import Settings

from .conftest import spare_port

SECRET = "browser-test-secret-that-is-long-enough-0123"


@dataclass(frozen=True)
class EmptySite:
    """The served app, its clock and store settings."""

    base: str
    clock: Clock
    settings: Settings


@contextmanager
def empty_site(data_dir: Path, clock: Clock, *, smtp_url: str | None = None) -> Iterator[EmptySite]:
    """An empty store with its first admin, served on a spare port until the block ends
    (mailing through `smtp_url`, with links to the site, when given)."""
    port = spare_port()
    settings = Settings(
        data_dir=data_dir,
        jwt_secret=SECRET,
        store_threads=4,
        login_limit=200,
        smtp_url=smtp_url,
        public_url=f"http://127.0.0.1:{port}" if smtp_url else None,
        notify_retry_s=1.0,
    )
    first_admin(settings)
    config = uvicorn.Config(
        create_app(settings, clock=clock), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="empty-site", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert thread.is_alive(), "the server stopped while starting"
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.2)
        yield EmptySite(base, clock, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
