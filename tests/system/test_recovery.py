"""Recovery without a restart: PostgreSQL stopped and started, the projector killed,
an API process stopped gracefully (SIGTERM) under load.
"""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import psycopg
import pytest

from .conftest import Running
from .ledger import replay
from .load import (
    REQUEST_TIMEOUT_S,
    Attempt,
    Outcome,
    acknowledged,
    record_figures,
    run_load,
    statuses,
)

pytestmark = [pytest.mark.system, pytest.mark.slow]


def _one_each(
    running: Running, attempts: list[Attempt], timeout_s: float = REQUEST_TIMEOUT_S
) -> list[Outcome]:
    """Send `attempts` two at a time, alternately to both processes."""
    bases = [running.cluster.base_url(api) for api in running.cluster.apis]
    return asyncio.run(
        run_load(
            attempts, lambda i: bases[i % 2], running.headers, concurrency=2, timeout_s=timeout_s
        )
    )


def test_postgres_down_answers_503_with_retry_after_and_service_resumes(
    running: Running,
) -> None:
    cluster, clinic = running.cluster, running.clinic
    starts = clinic.starts(week=4)
    during = [Attempt(clinic.plans[i], clinic.therapists[0], starts[i]) for i in range(8)]
    cluster.postgres.stop("immediate")
    try:
        # The first request on each process finds out (the store retries for a while)...
        began = time.monotonic()
        first = _one_each(running, during[:2], timeout_s=120)
        detected_after = time.monotonic() - began
        # ...after which requests are refused at once until the store answers again.
        began = time.monotonic()
        refused = _one_each(running, during[2:])
        refused_in = (time.monotonic() - began) / len(during[2:])
        ready = [
            httpx.get(cluster.base_url(api) + "/ready", timeout=10).status_code
            for api in cluster.apis
        ]
    finally:
        cluster.postgres.start()
    outcomes = [*first, *refused]
    # The same keys again, until both processes book (neither is restarted).
    began = time.monotonic()
    resumed: list[Outcome] = []
    while time.monotonic() - began < 60:
        resumed = _one_each(running, during)
        if all(o.status in (201, 409) for o in resumed):
            break
        time.sleep(0.5)
    resumed_after = time.monotonic() - began
    ledger = replay(cluster.postgres.url)
    stored = {s.session_id for s in ledger.live() if s.start in starts}
    projector = cluster.projector
    assert projector is not None
    assert projector.process is not None
    record_figures(
        "postgres_down",
        {
            "requests_during_outage": len(outcomes),
            "statuses_during_outage": dict(statuses(outcomes)),
            "retry_after": sorted({o.retry_after or "" for o in outcomes}),
            "first_503_after_s": round(detected_after, 1),
            "later_503_each_s": round(refused_in, 3),
            "ready_during_outage": ready,
            "resumed_after_s": round(resumed_after, 2),
            "statuses_after": dict(statuses(resumed)),
            "5xx_other_than_503": sum(
                1 for o in [*outcomes, *resumed] if o.status and o.status >= 500 and o.status != 503
            ),
            "projector_alive": projector.process.poll() is None,
        },
    )
    assert all(o.status == 503 and o.retry_after for o in outcomes), statuses(outcomes)
    assert {o.error for o in outcomes} == {"store_unavailable"}
    assert ready == [503, 503]
    assert all(o.status == 201 for o in resumed), statuses(resumed)
    assert {o.session_id for o in resumed} == stored
    assert ledger.overlaps() == []
    assert projector.process.poll() is None, projector.log()[-2000:]


def _read_model(running: Running) -> tuple[int, dict[object, tuple[object, object]], int]:
    """The projector's position, its visits (therapist, start) by session, and row count."""
    with psycopg.connect(running.cluster.postgres.url) as connection:
        position = connection.execute(
            "SELECT notification_id FROM readside_tracking WHERE application_name = 'Scheduling'"
        ).fetchone()
        rows = connection.execute(
            "SELECT session_id, therapist_id, start_utc FROM board_visits "
            "WHERE status <> 'cancelled'"
        ).fetchall()
    visits = {row[0]: (row[1], row[2]) for row in rows}
    return (position[0] if position else 0), visits, len(rows)


def test_projector_killed_and_restarted_catches_up_exactly_once(running: Running) -> None:
    cluster, clinic = running.cluster, running.clinic
    projector = cluster.projector
    assert projector is not None
    if projector.process is None or projector.process.poll() is not None:
        projector.start()  # a supervisor's restart, if an earlier fault stopped it
    bases = [cluster.base_url(api) for api in cluster.apis]
    attempts = clinic.contest(week=5)

    def kill_then_restart(done: int) -> None:
        if done == len(attempts) // 3:
            projector.kill()
        elif done == 2 * len(attempts) // 3:
            projector.start()

    outcomes = asyncio.run(
        run_load(
            attempts,
            lambda i: bases[i % 2],
            running.headers,
            concurrency=64,
            on_progress=kill_then_restart,
        )
    )
    ledger = replay(cluster.postgres.url)
    began = time.monotonic()
    position = 0
    while time.monotonic() - began < 60:
        position, visits, rows = _read_model(running)
        if position >= ledger.last_position:
            break
        time.sleep(0.5)
    caught_up_after = time.monotonic() - began
    live = {s.session_id: (s.therapist_id, s.start) for s in ledger.live()}
    record_figures(
        "projector_killed",
        {
            "attempts": len(attempts),
            "statuses": dict(statuses(outcomes)),
            "acknowledged": len(acknowledged(outcomes)),
            "events_in_store": ledger.last_position,
            "projected_position": position,
            "caught_up_after_s": round(caught_up_after, 2),
            "sessions_in_store": len(live),
            "rows_in_read_model": rows,
            "missing_rows": len(set(live) - set(visits)),
            "extra_rows": len(set(visits) - set(live)),
        },
    )
    assert set(statuses(outcomes)) <= {"201", "409"}
    assert position >= ledger.last_position
    assert rows == len(live)
    assert visits == live


def test_sigterm_under_load_finishes_in_flight_and_loses_nothing(running: Running) -> None:
    cluster, clinic = running.cluster, running.clinic
    survivor, stopping = cluster.apis
    bases = [cluster.base_url(api) for api in cluster.apis]
    attempts = clinic.contest(week=6)
    signalled_at: list[float] = []

    def terminate_midway(done: int) -> None:
        if done == len(attempts) // 3:
            assert stopping.process is not None
            stopping.process.terminate()  # SIGTERM, as Kubernetes and compose send it
            signalled_at.append(time.monotonic())

    outcomes = asyncio.run(
        run_load(
            attempts,
            lambda i: bases[i % 2],
            running.headers,
            concurrency=64,
            on_progress=terminate_midway,
        )
    )
    assert stopping.process is not None
    exit_code = stopping.process.wait(timeout=30)
    unanswered = [o.attempt for o in outcomes if o.status is None]
    retried = (
        asyncio.run(
            run_load(
                unanswered, lambda _: cluster.base_url(survivor), running.headers, concurrency=16
            )
        )
        if unanswered
        else []
    )
    cluster.restart_api(stopping)
    won = acknowledged([*outcomes, *retried])
    ledger = replay(cluster.postgres.url)
    contested = {(a.therapist, a.start) for a in attempts}
    stored = {s.session_id for s in ledger.live() if (s.therapist_id, s.start) in contested}
    stopping_base = cluster.base_url(stopping)
    finished_late = [
        o
        for o in outcomes
        if o.target == stopping_base and o.status is not None and o.answered_at > signalled_at[0]
    ]
    record_figures(
        "sigterm_api",
        {
            "attempts": len(attempts),
            "exit_code": exit_code,
            "answered_after_sigterm": len(finished_late),
            "statuses": dict(statuses(outcomes)),
            "transport_errors": sorted({o.error for o in outcomes if o.status is None}),
            "retried_same_key": len(retried),
            "acknowledged": len(won),
            "lost": len(set(won) - stored),
            "committed_unacknowledged": len(stored - set(won)),
            "5xx": sum(1 for o in [*outcomes, *retried] if o.status and o.status >= 500),
        },
    )
    assert signalled_at, "the load ended before the signal"
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert exit_code in (0, -signal.SIGTERM)
    # Requests in flight at the signal were answered; new ones found the port closed, or
    # (HTTP/1.1's keep-alive race) an idle connection closed as they were sent on it.
    assert finished_late
    assert {o.error for o in outcomes if o.status is None} <= {
        "ConnectError",
        "ReadError",
        "RemoteProtocolError",
    }
    # Each of those, sent again with its Idempotency-Key, got an answer.
    assert all(o.status is not None for o in retried)
    assert set(won) <= stored
    assert all(ledger.booked_events[s] == 1 for s in won)
    assert ledger.overlaps() == []
    assert not any(o.status and o.status >= 500 for o in [*outcomes, *retried])
