"""Double booking is impossible under real concurrency: threads and processes on PostgreSQL."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from domain.race_worker import book_all
from scheduler.domain import Scheduling
from scheduler.domain.model.session import Session
from scheduler.store import migrate, postgres_settings

NOW = datetime(2026, 10, 1, tzinfo=UTC)
THREADS, PROCESSES = 8, 2
DAYS = [date(2026, 10, 5) + timedelta(days=n) for n in range(3)]
LOSING_ERRORS = {"BookingConflict", "TherapistBusy", "PatientBusy"}


def _clinic(app: Scheduling) -> tuple[UUID, list[UUID], list[UUID]]:
    """A clinic with two mobile therapists and four patients, each on a long ms plan."""
    clinic = app.register_clinic(
        name="Race",
        address="1 Main",
        location=(41.88, -87.63),
        timezone="America/Chicago",
        actor="t",
        now=NOW,
    )
    week = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}
    therapists = [
        app.register_therapist(
            clinic_id=clinic,
            name=name,
            specializations=["ms"],
            mobile=True,
            home=(41.90, -87.65),
            shifts=week,
            actor="t",
            now=NOW,
        )
        for name in ("T1", "T2")
    ]
    plans = []
    for n in range(4):
        patient = app.register_patient(
            clinic_id=clinic, name=f"P{n}", home=(41.90 + n / 200, -87.66), actor="t", now=NOW
        )
        app.record_evaluation(
            patient, condition="ms", pain_level=5, contraindications=[], actor="t", now=NOW
        )
        rx = app.record_prescription(
            patient,
            condition="ms",
            authorized_sessions=50,
            expires_on=date(2027, 6, 30),
            actor="t",
            now=NOW,
        )
        plans.append(
            app.create_plan(
                patient_id=patient,
                prescription_id=rx,
                specialization="ms",
                sessions=50,
                session_minutes=60,
                min_days=0,
                max_days=7,
                setting="home",
                actor="t",
                now=NOW,
            )
        )
    return clinic, therapists, plans


def _attempts(
    app: Scheduling, clinic: UUID, therapists: list[UUID], plans: list[UUID]
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Bookings in cliques that pairwise conflict; returns attempts and each one's clique."""
    attempts: list[dict[str, Any]] = []
    clique_of: dict[int, str] = {}

    def add(clique: str, plan: UUID, therapist: UUID, day: date, minute: int) -> None:
        index = len(attempts)
        start = app.local_time(clinic, day, minute)
        attempts.append(
            {
                "index": index,
                "plan": str(plan),
                "therapist": str(therapist),
                "start": start.isoformat(),
                "now": NOW.isoformat(),  # the clock of the race: before every attempt
            }
        )
        clique_of[index] = clique

    t1, t2 = therapists
    for day in DAYS:
        # Same therapist, three patients, overlapping mornings: one therapist clique.
        for plan, minute in ((plans[0], 600), (plans[0], 605), (plans[1], 615), (plans[2], 630)):
            add(f"{day} T1 morning", plan, t1, day, minute)
        # Same patient, two therapists, overlapping afternoons: one patient clique.
        for therapist, minute in ((t1, 840), (t2, 850), (t2, 860)):
            add(f"{day} P3 afternoon", plans[3], therapist, day, minute)
    return attempts, clique_of


def _replayed_sessions(app: Scheduling) -> list[Session]:
    """Every session rebuilt from the raw event log, independently of the day aggregates."""
    ids: list[UUID] = []
    start = 1
    while True:
        batch = app.recorder.select_notifications(start=start, limit=500)
        if not batch:
            break
        ids += [n.originator_id for n in batch if n.topic.endswith("Session.Booked")]
        start = batch[-1].id + 1
    return [app.repository.get(session_id) for session_id in ids]


def _overlaps(sessions: list[Session]) -> list[tuple[UUID, UUID]]:
    ordered = sorted(sessions, key=lambda s: s.start)
    return [(a.id, b.id) for a, b in pairwise(ordered) if b.start < a.end]


@pytest.mark.postgres
@pytest.mark.slow
def test_exactly_one_booking_wins_each_conflict_across_threads_and_processes(
    pg_database: dict[str, str],
) -> None:
    settings = {
        **postgres_settings(pg_database["dsn"]),
        "CREATE_TABLE": "n",
        "POSTGRES_POOL_SIZE": "10",
    }
    migrate(settings)
    app = Scheduling(settings)
    clinic, therapists, plans = _clinic(app)
    attempts, clique_of = _attempts(app, clinic, therapists, plans)

    start_at = time.time() + 3.0  # every worker starts together, after the processes import
    workers = []
    for seed in range(PROCESSES):
        shuffled = random.Random(seed).sample(attempts, len(attempts))
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).with_name("race_worker.py")),
                    json.dumps(settings),
                    json.dumps(shuffled),
                    str(start_at),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [
            pool.submit(
                book_all, app, random.Random(100 + n).sample(attempts, len(attempts)), start_at
            )
            for n in range(THREADS)
        ]
        outcomes = [outcome for future in futures for outcome in future.result()]
    for process in workers:
        stdout, _ = process.communicate(timeout=240)
        assert process.returncode == 0
        outcomes += json.loads(stdout)

    assert len(outcomes) == (THREADS + PROCESSES) * len(attempts)
    winners: dict[str, int] = defaultdict(int)
    for index, result in outcomes:
        if result == "won":
            winners[clique_of[index]] += 1
        else:
            assert result in LOSING_ERRORS, f"attempt {index} lost with {result}"
    assert dict(winners) == dict.fromkeys(set(clique_of.values()), 1)

    sessions = [s for s in _replayed_sessions(app) if s.status == "booked"]
    assert len(sessions) == len(set(clique_of.values()))
    by_therapist: dict[UUID, list[Session]] = defaultdict(list)
    by_patient: dict[UUID, list[Session]] = defaultdict(list)
    for session in sessions:
        by_therapist[session.therapist_id].append(session)
        by_patient[session.patient_id].append(session)
    for group in [*by_therapist.values(), *by_patient.values()]:
        assert _overlaps(group) == []
    for plan in plans:  # the plans' counts agree with the sessions that exist
        held = app.get_plan(plan).sessions_held
        assert held == sum(1 for s in sessions if s.plan_id == plan)
    app.close()
