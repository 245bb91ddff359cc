"""SIGTERM, as Kubernetes and compose send it: the projector and the solver worker stop
cleanly (exit 0) and the projector resumes where it stopped."""

from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from .cluster import Service
from .conftest import Running

pytestmark = [pytest.mark.system, pytest.mark.slow]


def _wait_for(service: Service, text: str, times: int = 1, timeout_s: float = 60) -> None:
    """Until the service's log holds `text` `times` times (its log spans restarts)."""
    deadline = time.monotonic() + timeout_s
    while service.log().count(text) < times:
        assert service.process is not None
        assert service.process.poll() is None, service.log()
        assert time.monotonic() < deadline, service.log()
        time.sleep(0.2)


def test_projector_and_worker_exit_cleanly_on_sigterm(running: Running) -> None:
    cluster = running.cluster
    worker = Service("worker", ["worker"], cluster.env(), cluster.root)
    worker.start()
    _wait_for(worker, "processing queue")
    projector = cluster.projector
    assert projector is not None
    if projector.process is None or projector.process.poll() is not None:
        projector.start()
    starts = projector.log().count("projecting the event store")
    _wait_for(projector, "projecting the event store", times=max(starts, 1))

    assert worker.terminate(timeout_s=30) == 0, worker.log()
    assert projector.terminate(timeout_s=30) == 0, projector.log()
    assert "projector stopped" in projector.log()
    projector.start()  # and it resumes for whatever runs next
    _wait_for(projector, "projecting the event store", times=max(starts, 1) + 1)


def test_an_open_live_board_does_not_hold_a_stopping_api_process(running: Running) -> None:
    cluster, clinic = running.cluster, running.clinic
    api = cluster.apis[1]
    lines: list[str] = []

    def listen() -> None:
        try:
            with httpx.stream(
                "GET",
                f"{cluster.base_url(api)}/clinics/{clinic.clinic}/board/live",
                headers=running.headers,
                timeout=httpx.Timeout(10, read=120),
            ) as stream:
                lines.extend(stream.iter_lines())
        except httpx.HTTPError as error:
            lines.append(type(error).__name__)

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    deadline = time.monotonic() + 30
    while not any(line.startswith("event: ready") for line in lines):
        assert time.monotonic() < deadline, lines
        time.sleep(0.1)
    assert api.process is not None
    api.process.terminate()
    # Well before an orchestrator's SIGKILL (30 s): the stream is cut, the process exits.
    exit_code = api.process.wait(timeout=25)
    cluster.restart_api(api)
    assert exit_code in (0, -signal.SIGTERM)
