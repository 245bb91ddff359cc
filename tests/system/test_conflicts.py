"""Two API processes, hundreds of conflicting bookings at once: never double booked."""

from __future__ import annotations

import asyncio

import pytest

from .conftest import Running
from .ledger import replay
from .load import acknowledged, record_figures, run_load, statuses

pytestmark = [pytest.mark.system, pytest.mark.slow]


def test_conflicting_bookings_over_two_processes_leave_no_double_booking(
    running: Running,
) -> None:
    cluster, clinic = running.cluster, running.clinic
    attempts = clinic.contest(week=0)
    bases = [cluster.base_url(api) for api in cluster.apis]

    outcomes = asyncio.run(
        run_load(attempts, lambda i: bases[i % len(bases)], running.headers, concurrency=64)
    )

    counted = statuses(outcomes)
    won = acknowledged(outcomes)
    ledger = replay(cluster.postgres.url)
    contested = {(a.therapist, a.start) for a in attempts}
    booked_here = [s for s in ledger.live() if (s.therapist_id, s.start) in contested]
    record_figures(
        "conflicts",
        {
            "api_processes": len(bases),
            "attempts": len(attempts),
            "acknowledged": len(won),
            "conflicts_409": counted["409"],
            "other": {k: v for k, v in counted.items() if k not in ("201", "409")},
            "therapist_hours": len(contested),
            "booked_in_store": len(booked_here),
        },
    )
    assert len(attempts) >= 500
    # Every answer is a booking or a conflict: no 5xx, no 422, no lost connection.
    lost = [o.error for o in outcomes if o.status is None]
    assert set(counted) <= {"201", "409"}, (counted, lost)
    assert counted["201"] == len(won)
    assert ledger.overlaps() == []
    # What the store holds for these slots is exactly what was acknowledged, once each.
    assert {s.session_id for s in booked_here} == set(won)
    assert all(ledger.booked_events[session] == 1 for session in won)
    # Each therapist-hour has one winner at most, and there was a winner for most.
    assert len({(s.therapist_id, s.start) for s in booked_here}) == len(booked_here)
    assert len(booked_here) <= len(contested)
