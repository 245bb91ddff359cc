"""Answers lost in a crash, and retries when Redis is out of reach: never a 2nd booking,
never a refusal of one's own booking.

- An API process is SIGKILLed after its bookings committed and before it answered (the
  test-only `SCHEDULER_TEST_PAUSE_AFTER_COMMIT_S` holds its answers back). The clients
  retry at once with the same `Idempotency-Key` on another process: it outwaits the dead
  process's lease on the key, runs the request again, finds the receipt saved with the
  booking and answers the original 201 with the same session.
- Two API processes that cannot reach Redis: copies of one keyed booking or move sent to
  both at once, and retried on the other, run once (the event store's receipts).

Weeks 10 and 11 of the load clinic are this file's own.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from uuid import UUID

import httpx
import pytest

from scheduler.domain import Scheduling
from scheduler.store import postgres_settings

from .cluster import Cluster, Service, spare_port
from .conftest import Running
from .ledger import Booked, replay
from .load import Attempt, record_figures, run_load, statuses

pytestmark = [pytest.mark.system, pytest.mark.slow]

PAUSE = "SCHEDULER_TEST_PAUSE_AFTER_COMMIT_S"
PAUSED_LINE = "pausing after commit"


def _extra_api(cluster: Cluster, name: str, env: dict[str, str]) -> Service:
    """Another API process on the cluster's store, with `env` on top of the cluster's."""
    service = Service(name, [], {**cluster.env(), **env}, cluster.root)
    service.port = spare_port()
    service.args = ["serve", "--port", str(service.port)]
    service.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert service.process is not None
        if service.process.poll() is not None:
            raise RuntimeError(f"{name} exited:\n{service.log()}")
        try:
            # The store alone: a process without Redis is not ready by the full check.
            ready = httpx.get(cluster.base_url(service) + "/ready?require=store", timeout=2)
            if ready.status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{name} not ready:\n{service.log()}")


def _stop(service: Service) -> None:
    if service.process is not None and service.process.poll() is None:
        service.kill()


def _post(base: str, headers: dict[str, str], attempt: Attempt) -> httpx.Response | str:
    """One keyed booking; the transport error's name when no answer came."""
    try:
        return httpx.post(
            f"{base}/plans/{attempt.plan}/sessions",
            json=attempt.body(),
            headers={**headers, "Idempotency-Key": attempt.key},
            timeout=300,
        )
    except httpx.TransportError as error:
        return type(error).__name__


def test_killed_between_commit_and_answer_the_retry_gets_the_original_201(
    running: Running,
) -> None:
    cluster, clinic = running.cluster, running.clinic
    starts = clinic.starts(week=10)
    attempts = [Attempt(clinic.plans[i], clinic.therapists[i], starts[i]) for i in range(4)]
    paused = _extra_api(cluster, "api-paused", {PAUSE: "300"})
    try:
        with ThreadPoolExecutor(len(attempts)) as pool:
            lost = [
                pool.submit(_post, cluster.base_url(paused), running.headers, a) for a in attempts
            ]
            deadline = time.monotonic() + 60
            while paused.log().count(PAUSED_LINE) < len(attempts):
                assert time.monotonic() < deadline, paused.log()
                time.sleep(0.1)
            # Every booking is committed; none is answered.
            paused.kill()
            cut = [future.result() for future in lost]
    finally:
        _stop(paused)
    survivor, other = (cluster.base_url(api) for api in cluster.apis)
    committed = replay(cluster.postgres.url)
    retried = [_post(survivor, running.headers, a) for a in attempts]
    # Later, once more on the other process: the first response, now kept in Redis.
    again = [_post(other, running.headers, a) for a in attempts]

    ledger = replay(cluster.postgres.url)
    answers = [r for r in [*retried, *again] if isinstance(r, httpx.Response)]
    record_figures(
        "sigkill_between_commit_and_answer",
        {
            "bookings": len(attempts),
            "first_answers": dict(Counter(str(c) for c in cut)),
            "committed_before_retry": len(committed.live()),
            "retry_statuses": dict(Counter(r.status_code for r in answers)),
            "replayed": sum(r.headers.get("idempotent-replayed") == "true" for r in answers),
        },
    )
    assert all(isinstance(c, str) for c in cut), "the process answered before it was killed"
    for attempt, first, later in zip(attempts, retried, again, strict=True):
        assert isinstance(first, httpx.Response)
        assert isinstance(later, httpx.Response)
        assert first.status_code == later.status_code == 201, (first.text, later.text)
        session = UUID(first.json()["id"])
        assert UUID(later.json()["id"]) == session
        assert later.headers.get("idempotent-replayed") == "true"
        # The session the killed process committed, booked once: the retry ran nothing.
        # (Other system tests share the cluster and book on the same plans: count what
        # this attempt's slot holds.)
        stored = [s for s in ledger.live() if _holds(s, attempt, attempt.start)]
        assert [s.session_id for s in stored] == [session]
        assert committed.sessions[session].start == attempt.start
        assert ledger.booked_events[session] == 1
    assert ledger.overlaps() == []


def test_without_redis_same_key_retries_across_processes_run_once(running: Running) -> None:
    cluster, clinic = running.cluster, running.clinic
    starts = clinic.starts(week=11)
    # One booking per plan, on four therapists' hours: 8 bookings, none in another's way.
    attempts = [
        Attempt(clinic.plans[16 + i], clinic.therapists[i % 4], starts[i]) for i in range(8)
    ]
    nobody = f"redis://127.0.0.1:{spare_port()}/0"
    apis = [_extra_api(cluster, f"api-no-redis-{n}", {"REDIS_URL": nobody}) for n in range(2)]
    try:
        bases = [cluster.base_url(api) for api in apis]
        ready = httpx.get(bases[0] + "/ready", timeout=10)
        # Both copies of each booking at once, one to each process; then again on the other.
        copies = [a for a in attempts for _ in range(2)]
        raced = asyncio.run(
            run_load(copies, lambda i: bases[i % 2], running.headers, concurrency=16)
        )
        later = asyncio.run(run_load(attempts, lambda _: bases[1], running.headers, concurrency=8))
        sessions = {o.attempt.key: o.session_id for o in later}
        # Each session a day later, same hour and therapist.
        targets = {o.session_id: o.attempt.start + timedelta(days=1) for o in later if o.session_id}
        moves = asyncio.run(_move_on_both(bases, running.headers, targets))
    finally:
        for api in apis:
            _stop(api)

    ledger = replay(cluster.postgres.url)
    moved = _rescheduled(cluster, list(sessions.values()))
    record_figures(
        "idempotency_without_redis",
        {
            "bookings": len(attempts),
            "booking_requests": len(copies) + len(later),
            "booking_statuses": dict(statuses([*raced, *later])),
            "moves": len(sessions),
            "move_requests": len(moves),
            "move_statuses": dict(Counter(moves)),
            "moved_events_per_session": sorted(set(moved.values())),
        },
    )
    assert ready.status_code == 503
    assert ready.json()["redis"] == "unreachable"
    # Every copy of a booking answered 201 with its key's one session, whichever process.
    assert set(statuses([*raced, *later])) == {"201"}
    for outcome in [*raced, *later]:
        assert outcome.session_id == sessions[outcome.attempt.key]
    for attempt in attempts:
        moved_to = attempt.start + timedelta(days=1)
        stored = [
            s
            for s in ledger.live()
            if _holds(s, attempt, attempt.start) or _holds(s, attempt, moved_to)
        ]
        assert [s.session_id for s in stored] == [sessions[attempt.key]]
        assert ledger.booked_events[sessions[attempt.key]] == 1
    assert set(moves) == {200}
    assert all(moved[s] == 1 for s in sessions.values()), moved
    assert ledger.overlaps() == []


def _holds(session: Booked, attempt: Attempt, start: datetime) -> bool:
    """Whether a live session is the attempt's plan's, with its therapist at `start`."""
    return (
        session.plan_id == attempt.plan
        and session.therapist_id == attempt.therapist
        and session.start == start
    )


async def _move_on_both(
    bases: list[str], headers: dict[str, str], moves: dict[UUID, datetime]
) -> list[int]:
    """Each move, the same keyed request to both processes at once, then once more to the
    first; the statuses of all of them."""
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:

        async def move(base: str, session: UUID) -> int:
            answer = await client.post(
                f"{base}/sessions/{session}/move",
                json={"start": moves[session].isoformat()},
                headers={"Idempotency-Key": f"move-{session}"},
            )
            return answer.status_code

        raced = await asyncio.gather(*(move(base, s) for s in moves for base in bases))
        again = await asyncio.gather(*(move(bases[0], s) for s in moves))
        return [*raced, *again]


def _rescheduled(cluster: Cluster, sessions: list[UUID | None]) -> dict[UUID | None, int]:
    """How many times each session was moved, by its own events."""
    env = {**postgres_settings(cluster.postgres.url), "CREATE_TABLE": "n"}
    env["POSTGRES_POOL_SIZE"] = "1"
    app = Scheduling(env)
    try:
        return {
            s: sum(entry.event == "Rescheduled" for entry in app.history(str(s))) for s in sessions
        }
    finally:
        app.close()
