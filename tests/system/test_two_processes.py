"""Two API processes, one calendar: a command never decides on a copy older than the store.

Each process used to keep the aggregates it had saved last and decide on them; after
the other process changed one, the first answered 500 (a cancel on a plan that did not
know its session), or refused something the store allows (409 on a slot just freed,
422 `sessions_exhausted` on a plan a cancel had just freed, 409 naming the very session
being moved). Every request here alternates between the two processes, and every
answer is the one a single process would give.

Week 8 of the load clinic is this file's own: no other test books there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx

from scheduler.domain import Scheduling
from scheduler.store import postgres_settings

from .conftest import Running

WEEK = 8


def _clients(running: Running) -> tuple[httpx.Client, httpx.Client]:
    first, second = (running.cluster.base_url(api) for api in running.cluster.apis[:2])
    return (
        httpx.Client(base_url=first, headers=running.headers, timeout=30),
        httpx.Client(base_url=second, headers=running.headers, timeout=30),
    )


def _book(client: httpx.Client, plan: UUID, therapist: UUID, start: datetime) -> httpx.Response:
    return client.post(
        f"/plans/{plan}/sessions", json={"therapist_id": str(therapist), "start": start.isoformat()}
    )


def test_booked_on_one_process_and_cancelled_on_the_other(running: Running) -> None:
    a, b = _clients(running)
    clinic = running.clinic
    monday = clinic.starts(WEEK)[0]
    tuesday = monday + timedelta(days=1)  # the load plans are at least a day apart
    plan, therapist = clinic.plans[0], clinic.therapists[0]
    with a, b:
        first = _book(b, plan, therapist, monday)
        assert first.status_code == 201, first.text
        second = _book(a, plan, therapist, tuesday)
        assert second.status_code == 201, second.text
        # B booked the plan's first session: it used to cancel on its own copy of the
        # plan, which did not know the second.
        cancelled = b.post(f"/sessions/{second.json()['id']}/cancel", json={})
        assert cancelled.status_code == 200, cancelled.text  # was 500
        assert cancelled.json()["session"]["status"] == "cancelled"
        # The slot B just freed, booked again on A, which booked it last (was a false 409)...
        again = _book(a, plan, therapist, tuesday)
        assert again.status_code == 201, again.text
        # ...and moved twice, once on each process (was a 409 naming itself).
        later = tuesday + timedelta(hours=1)
        first_move = b.post(
            f"/sessions/{again.json()['id']}/move", json={"start": later.isoformat()}
        )
        assert first_move.status_code == 200, first_move.text
        second_move = a.post(
            f"/sessions/{again.json()['id']}/move",
            json={"start": (later + timedelta(hours=1)).isoformat()},
        )
        assert second_move.status_code == 200, second_move.text


def test_a_plan_a_cancel_freed_takes_its_session_on_the_other_process(running: Running) -> None:
    a, b = _clients(running)
    clinic = running.clinic
    plan = _plan_of_one_session(running)
    therapist = clinic.therapists[1]
    tuesday = clinic.starts(WEEK)[2] + timedelta(days=1)
    with a, b:
        held = _book(b, plan, therapist, tuesday)
        assert held.status_code == 201, held.text
        full = _book(a, plan, therapist, tuesday + timedelta(hours=2))
        assert full.status_code == 422
        assert full.json()["error"] == "sessions_exhausted"
        assert a.post(f"/sessions/{held.json()['id']}/cancel", json={}).status_code == 200
        # B booked the plan last: it used to decide on its own copy, still full.
        taken = _book(b, plan, therapist, tuesday + timedelta(hours=2))
        assert taken.status_code == 201, taken.text  # was a false 422 sessions_exhausted


def _plan_of_one_session(running: Running) -> UUID:
    """A new patient whose plan holds one session (seeded straight into the store)."""
    env = {**postgres_settings(running.cluster.postgres.url), "POSTGRES_POOL_SIZE": "1"}
    app = Scheduling({**env, "CREATE_TABLE": "n"})
    now = datetime.now(UTC)
    who = {"actor": "seed", "now": now}
    try:
        patient = app.register_patient(
            clinic_id=running.clinic.clinic, name="Single Session", home=(41.9, -87.65), **who
        )
        app.record_evaluation(
            patient, condition="multiple sclerosis", pain_level=4, contraindications=[], **who
        )
        rx = app.record_prescription(
            patient,
            condition="multiple sclerosis",
            authorized_sessions=4,
            expires_on=running.clinic.day + timedelta(days=120),
            **who,
        )
        plan: UUID = app.create_plan(
            patient_id=patient,
            prescription_id=rx,
            specialization="ms",
            sessions=1,
            session_minutes=60,
            min_days=0,
            max_days=90,
            setting="clinic",
            **who,
        )
        return plan
    finally:
        app.close()
