"""Faults under load: an API process killed or stopped, Redis and PostgreSQL down.

Each test books on a week of its own and restores what it broke before it ends. The
truth is the event store, replayed (`ledger.replay`), never the API's answers.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
import pytest

from .conftest import Running
from .ledger import replay
from .load import Attempt, Outcome, acknowledged, record_figures, run_load, statuses

pytestmark = [pytest.mark.system, pytest.mark.slow]


def _retry_unanswered(running: Running, outcomes: list[Outcome], base: str) -> list[Outcome]:
    """Send the attempts that got no answer again, same Idempotency-Key, to `base`."""
    unanswered = [o.attempt for o in outcomes if o.status is None]
    if not unanswered:
        return []
    return asyncio.run(run_load(unanswered, lambda _: base, running.headers, concurrency=16))


def test_sigkill_of_an_api_process_loses_no_acknowledged_booking(running: Running) -> None:
    cluster, clinic = running.cluster, running.clinic
    survivor, victim = cluster.apis
    bases = [cluster.base_url(api) for api in cluster.apis]
    attempts = clinic.contest(week=1)

    def kill_midway(done: int) -> None:
        if done == len(attempts) // 3:
            victim.kill()

    outcomes = asyncio.run(
        run_load(
            attempts,
            lambda i: bases[i % 2],
            running.headers,
            concurrency=64,
            on_progress=kill_midway,
        )
    )
    retried = _retry_unanswered(running, outcomes, cluster.base_url(survivor))
    cluster.restart_api(victim)

    won = acknowledged([*outcomes, *retried])
    ledger = replay(cluster.postgres.url)
    contested = {(a.therapist, a.start) for a in attempts}
    stored = {s.session_id for s in ledger.live() if (s.therapist_id, s.start) in contested}
    lost = set(won) - stored
    record_figures(
        "sigkill_api",
        {
            "attempts": len(attempts),
            "statuses": dict(statuses(outcomes)),
            "retried_same_key": len(retried),
            "retry_statuses": dict(statuses(retried)),
            "acknowledged": len(won),
            "recovered": len(set(won) & stored),
            "lost": len(lost),
            "committed_unacknowledged": len(stored - set(won)),
            "5xx": sum(1 for o in [*outcomes, *retried] if o.status and o.status >= 500),
        },
    )
    assert statuses(outcomes)["transport"] > 0, "the kill happened after the load"
    assert lost == set()
    assert all(ledger.booked_events[s] == 1 for s in won)
    assert ledger.overlaps() == []
    assert not any(o.status and o.status >= 500 for o in [*outcomes, *retried])


def test_same_idempotency_key_on_both_processes_books_once(running: Running) -> None:
    cluster, clinic = running.cluster, running.clinic
    bases = [cluster.base_url(api) for api in cluster.apis]
    starts = clinic.starts(week=2)
    # 32 distinct bookings (plan i at hour i % 8 with therapist i // 8: every
    # therapist-hour once), each sent 4 times at once, alternately to both processes,
    # with one key per booking.
    wanted = [
        Attempt(plan, clinic.therapists[i // len(starts)], starts[i % len(starts)])
        for i, plan in enumerate(clinic.plans[: len(starts) * len(clinic.therapists)])
    ]
    copies = [a for a in wanted for _ in range(4)]

    outcomes = asyncio.run(
        run_load(copies, lambda i: bases[i % 2], running.headers, concurrency=64)
    )
    # And once more, later, to the process that did not answer the first copy.
    later = asyncio.run(run_load(wanted, lambda i: bases[1], running.headers, concurrency=16))

    ledger = replay(cluster.postgres.url)
    sessions_by_key: dict[str, set[object]] = {}
    for outcome in [*outcomes, *later]:
        if outcome.session_id is not None:
            sessions_by_key.setdefault(outcome.attempt.key, set()).add(outcome.session_id)
    stored = [s for s in ledger.live() if s.start in starts]
    record_figures(
        "idempotency_across_processes",
        {
            "bookings": len(wanted),
            "requests": len(copies) + len(later),
            "statuses": dict(statuses([*outcomes, *later])),
            "replayed": sum(o.replayed for o in [*outcomes, *later]),
            "sessions_in_store": len(stored),
        },
    )
    assert set(statuses([*outcomes, *later])) <= {"201", "409"}
    # Every key booked exactly one session, whichever process answered.
    assert all(len(ids) == 1 for ids in sessions_by_key.values())
    assert len(stored) == len(sessions_by_key) == len(wanted)
    assert all(o.status == 201 and o.replayed for o in later)
    # A 409 here is only ever "the first copy is still running", never a second booking.
    assert {o.error for o in outcomes if o.status == 409} <= {"request_in_progress"}


def test_redis_down_mid_run_bookings_continue_and_caches_and_live_recover(
    running: Running,
) -> None:
    cluster, clinic = running.cluster, running.clinic
    bases = [cluster.base_url(api) for api in cluster.apis]
    attempts = clinic.contest(week=3)

    def stop_redis(done: int) -> None:
        if done == len(attempts) // 4:
            cluster.redis.stop()

    try:
        outcomes = asyncio.run(
            run_load(
                attempts,
                lambda i: bases[i % 2],
                running.headers,
                concurrency=64,
                on_progress=stop_redis,
            )
        )
    finally:
        cluster.redis.start()
    counted = statuses(outcomes)
    won = acknowledged(outcomes)
    ledger = replay(cluster.postgres.url)
    contested = {(a.therapist, a.start) for a in attempts}
    stored = {s.session_id for s in ledger.live() if (s.therapist_id, s.start) in contested}

    recovery = _redis_recovery(running)
    record_figures(
        "redis_down",
        {
            "attempts": len(attempts),
            "statuses": dict(counted),
            "acknowledged": len(won),
            "lost": len(set(won) - stored),
            "5xx": sum(v for k, v in counted.items() if k.startswith("5")),
            **recovery,
        },
    )
    assert set(counted) <= {"201", "409"}, counted
    assert set(won) == stored
    assert ledger.overlaps() == []
    assert recovery["cached_after_s"] is not None
    assert recovery["live_event_after_s"] is not None


def _redis_recovery(running: Running) -> dict[str, float | None]:
    """Seconds until the board is cached in Redis again, and until a live event arrives."""
    import redis  # noqa: PLC0415

    cluster, clinic = running.cluster, running.clinic
    client = redis.Redis.from_url(cluster.redis.url)
    base = cluster.base_url(cluster.apis[0])
    began = time.monotonic()
    cached_after = None
    while time.monotonic() - began < 20 and cached_after is None:
        httpx.get(
            f"{base}/clinics/{clinic.clinic}/board",
            params={"date": str(clinic.day)},
            headers=running.headers,
            timeout=10,
        ).raise_for_status()
        if any(client.scan_iter(match="system:cache:*", count=100)):
            cached_after = time.monotonic() - began
        else:
            time.sleep(0.5)
    client.close()
    return {"cached_after_s": cached_after, "live_event_after_s": _live_event(running)}


def _live_event(running: Running) -> float | None:
    """Seconds from a booking on one process to its live event on the other's stream."""
    cluster, clinic = running.cluster, running.clinic
    listen, write = (cluster.base_url(api) for api in cluster.apis)
    # Tuesday of the Redis test's week: no other test books there, so each try is a 201.
    tuesday = [start + timedelta(days=1) for start in clinic.starts(week=3)]
    began = time.monotonic()
    # Each try books another plan: a plan takes one session a day (its cadence), and a
    # try whose live event was missed has booked its slot already.
    for n, slot in enumerate(tuesday):
        if time.monotonic() - began > 20:
            break
        try:
            with httpx.stream(
                "GET",
                f"{listen}/clinics/{clinic.clinic}/board/live",
                headers=running.headers,
                timeout=httpx.Timeout(10, read=5),
            ) as stream:
                if stream.status_code != 200:  # 503 while the subscription cannot open
                    time.sleep(1)
                    continue
                lines = stream.iter_lines()
                for line in lines:
                    if line.startswith("event: ready"):
                        break
                booked = httpx.post(
                    f"{write}/plans/{clinic.plans[-1 - n]}/sessions",
                    json={"therapist_id": str(clinic.therapists[0]), "start": slot.isoformat()},
                    headers=running.headers,
                    timeout=10,
                )
                assert booked.status_code == 201, booked.text
                for line in lines:
                    if line.startswith("data:") and booked.json()["id"] in line:
                        return time.monotonic() - began
        except httpx.ReadTimeout:
            continue
    return None
