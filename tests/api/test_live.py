"""The live board: an SSE subscriber sees other clients' bookings and cancellations.

The app runs under a real uvicorn server (the test client buffers whole responses, and
an event stream never ends). Two deployments: the embedded default (each process follows
the notification log into in-process channels) and PostgreSQL + Redis (the projector
publishes to Redis pub/sub, every API process subscribes).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from litestar import Litestar

from scheduler.api import create_app
from scheduler.readside.projector import Projector
from scheduler.settings import Settings

from .conftest import REDIS_URL, SECRET
from .test_authorization import UNKNOWN
from .world import EMAILS, PASSWORD, Clock, World

pytestmark = pytest.mark.slow


@pytest.fixture(params=["embedded", "postgres+redis"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The embedded default, or PostgreSQL with Redis."""
    if request.param == "embedded":
        return Settings(data_dir=tmp_path, jwt_secret=SECRET, store_threads=4)
    request.applymarker(pytest.mark.postgres)
    return Settings(
        data_dir=tmp_path,
        database_url=request.getfixturevalue("pg_database")["dsn"],
        jwt_secret=SECRET,
        redis_url=REDIS_URL,
        redis_prefix=request.getfixturevalue("redis_prefix"),
        store_threads=4,
    )


@contextlib.contextmanager
def _served(app: Litestar) -> Iterator[str]:
    """`app` under uvicorn on a spare port, until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def base_url(app: Litestar, settings: Settings, world: World) -> Iterator[str]:
    """The app under uvicorn (and the projector, on PostgreSQL)."""
    with contextlib.ExitStack() as stack:
        if not settings.embedded:
            stack.enter_context(Projector(settings))
        yield stack.enter_context(_served(app))


@pytest.fixture
def other_process_url(base_url: str, settings: Settings, clock: Clock) -> Iterator[str]:
    """A second API instance on the same store (and Redis), with its own store threads,
    channels and follower, as another worker process has: its writes must reach the
    first instance's subscribers."""
    with _served(create_app(settings, clock=clock)) as url:
        yield url


def _sign_in(http: httpx.Client, who: str) -> dict[str, str]:
    response = http.post("/auth/login", json={"email": EMAILS[who], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event, data) pairs of a Server-Sent Events stream; comments are skipped."""
    event, data = "message", ""
    for line in lines:
        if line == "":
            if data:
                yield event, data
            event, data = "message", ""
        elif line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data += line.removeprefix("data:").strip()


def test_a_subscriber_sees_another_processs_booking_and_cancellation(
    base_url: str, other_process_url: str, world: World
) -> None:
    timeout = httpx.Timeout(20.0)
    with (
        httpx.Client(base_url=base_url, timeout=timeout) as desk_client,
        httpx.Client(base_url=other_process_url, timeout=timeout) as patient_client,
    ):
        desk, pat = _sign_in(desk_client, "dispatcher"), _sign_in(patient_client, "pat")
        path = f"/clinics/{world.clinic}/board/live"
        with desk_client.stream("GET", path, headers=desk) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream.iter_lines())
            assert next(events)[0] == "ready"
            booked = patient_client.post(
                f"/plans/{world.pat_plan}/sessions",
                json={
                    "therapist_id": str(world.ana),
                    "start": world.local["mon 10:00"].isoformat(),
                },
                headers=pat,
            )
            assert booked.status_code == 201, booked.text
            kind, data = next(events)
            change = json.loads(data)
            assert kind == "board"
            assert change["change"] == "booked"
            assert change["session_id"] == booked.json()["id"]
            assert change["therapist_id"] == str(world.ana)
            assert change["day"] == "2026-10-05"
            assert 0 < change["position"] <= int(booked.headers["x-position"])
            cancelled = patient_client.post(
                f"/sessions/{booked.json()['id']}/cancel", json={}, headers=pat
            )
            assert cancelled.status_code == 200, cancelled.text
            kind, data = next(events)
            assert kind == "board"
            assert json.loads(data)["change"] == "cancelled"


def test_only_the_clinics_dispatchers_and_admins_may_subscribe(base_url: str, world: World) -> None:
    # The authorization matrix's test client cannot hold a stream open: the live route's
    # rows are here. Allowed roles get the stream's first event; others 403; unknown 404.
    with httpx.Client(base_url=base_url, timeout=httpx.Timeout(20.0)) as client:
        path = f"/clinics/{world.clinic}/board/live"
        for who in ("admin", "dispatcher"):
            with client.stream("GET", path, headers=_sign_in(client, who)) as stream:
                assert stream.status_code == 200, who
                assert next(_events(stream.iter_lines()))[0] == "ready"
        for who in ("other_dispatcher", "ana", "ben", "pat", "quinn"):
            response = client.get(path, headers=_sign_in(client, who))
            assert response.status_code == 403, who
            assert str(world.clinic) not in response.text
        unknown = f"/clinics/{UNKNOWN}/board/live"
        response = client.get(unknown, headers=_sign_in(client, "admin"))
        assert response.status_code == 404
    # A new client: the one above holds the sign-in cookie.
    assert httpx.get(base_url + path, timeout=20.0).status_code == 401
