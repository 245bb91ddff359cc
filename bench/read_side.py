"""The read side on PostgreSQL: board reads from the projection vs the event store.

    python3 -m uv run python bench/read_side.py [--therapists 20] [--reads 40]

Creates its own database on 127.0.0.1:5432 (dropped afterwards) and a clinic with
`--therapists` mobile therapists, each with four home visits on Monday. In one run it
measures, side by side:

- projector catch-up: events per second applied by `scheduler project`'s projection
  (each event and its tracked position in one transaction);
- the day board read from the event store (`readers.board`, what the embedded default
  does), from the projection through asyncpg (uncached), and from the Redis cache;
- read-your-writes: from a booking's save to its visit being readable (`wait_for`).

Prints a table (medians, and each board read as a ratio of the event-store read) and
writes it to bench/results/read_side.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msgspec
import psycopg

from scheduler.api import readers
from scheduler.api.cache import HotReads
from scheduler.api.readmodel import board_of
from scheduler.api.redis_gate import RedisGate
from scheduler.domain import Scheduling
from scheduler.readside.projector import Projector
from scheduler.readside.reader import ReadModel
from scheduler.settings import Settings

ADMIN_DSN = os.environ.get("SCHEDULER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SCHEDULER_BENCH_REDIS", "redis://127.0.0.1:6379/0")
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 10, 5)
CLINIC = (41.8837, -87.6289)
WHO: dict[str, Any] = {"actor": "bench", "now": NOW}


def _clinic(app: Scheduling, therapists: int, rng: random.Random) -> tuple[Any, list[Any]]:
    """A clinic whose therapists each have four home visits on Monday; (clinic, plans)."""
    clinic = app.register_clinic(
        name="Bench", address="1 N State St", location=CLINIC, timezone="America/Chicago", **WHO
    )
    shifts = {day: [480, 1080] for day in ("mon", "tue", "wed", "thu", "fri")}
    spare = []
    for n in range(therapists):
        therapist = app.register_therapist(
            clinic_id=clinic,
            name=f"Therapist {n}",
            specializations=["ms"],
            mobile=True,
            home=CLINIC,
            shifts=shifts,
            **WHO,
        )
        for slot in range(5):
            home = (CLINIC[0] + rng.uniform(-0.01, 0.01), CLINIC[1] + rng.uniform(-0.01, 0.01))
            patient = app.register_patient(clinic_id=clinic, name=f"P{n}-{slot}", home=home, **WHO)
            app.record_evaluation(
                patient, condition="ms", pain_level=5, contraindications=[], **WHO
            )
            prescription = app.record_prescription(
                patient,
                condition="ms",
                authorized_sessions=10,
                expires_on=date(2026, 12, 31),
                **WHO,
            )
            plan = app.create_plan(
                patient_id=patient,
                prescription_id=prescription,
                specialization="ms",
                sessions=10,
                session_minutes=60,
                min_days=1,
                max_days=9,
                setting="home",
                **WHO,
            )
            if slot < 4:
                start = app.local_time(clinic, MONDAY, 540 + 120 * slot)
                app.book_session(plan_id=plan, therapist_id=therapist, start=start, **WHO)
            else:
                spare.append((plan, therapist))
    return clinic, spare


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


async def _reads(settings: Settings, app: Scheduling, clinic: Any, reads: int) -> dict[str, float]:
    model = ReadModel(settings.database_url or "")
    gate = RedisGate(REDIS_URL, prefix=settings.redis_prefix)
    cache = HotReads(gate)
    await model.open()
    try:
        store, projected, cached = [], [], []
        key = cache.key("board", clinic, MONDAY, 0)
        for _ in range(reads):
            started = time.perf_counter()
            msgspec.json.encode(readers.board(app, clinic, MONDAY, None))
            store.append(time.perf_counter() - started)
            started = time.perf_counter()
            snapshot = await model.snapshot(clinic, MONDAY, MONDAY)
            assert snapshot is not None
            body = msgspec.json.encode(board_of(snapshot, MONDAY))
            projected.append(time.perf_counter() - started)
            await cache.put(key, body)
            started = time.perf_counter()
            found = await cache.get(key)
            assert found is not None
            msgspec.json.decode(found)
            cached.append(time.perf_counter() - started)
        return {
            "event_store_ms": _median_ms(store),
            "projection_ms": _median_ms(projected),
            "redis_cache_ms": _median_ms(cached),
        }
    finally:
        await model.close()
        await gate.close()


async def _read_your_writes(
    settings: Settings, app: Scheduling, clinic: Any, spare: list[Any]
) -> float:
    model = ReadModel(settings.database_url or "")
    await model.open()
    try:
        samples = []
        for plan, therapist in spare[:20]:
            start = app.local_time(clinic, MONDAY, 990)  # 16:30, after the four visits

            def book(plan: Any = plan, therapist: Any = therapist, start: Any = start) -> int:
                app.book_session(plan_id=plan, therapist_id=therapist, start=start, **WHO)
                position = app.last_saved_position()  # this thread's own save
                assert position is not None
                return position

            started = time.perf_counter()
            position = await asyncio.to_thread(book)
            assert await model.wait_for(position, 10.0)
            samples.append(time.perf_counter() - started)
        return _median_ms(samples)
    finally:
        await model.close()


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--therapists", type=int, default=20)
    parser.add_argument("--reads", type=int, default=40)
    args = parser.parse_args()
    name = f"scheduler_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        settings = Settings(
            data_dir=Path("var"),
            database_url=f"postgresql://postgres@127.0.0.1:5432/{name}",
            jwt_secret="bench-secret-that-is-long-enough-0123456789",
            redis_prefix=f"scheduler-bench:{name}:",
            store_threads=4,
        )
        app = Scheduling(settings.store_env(create_table=True))
        clinic, spare = _clinic(app, args.therapists, random.Random(7))
        events = app.recorder.max_notification_id() or 0
        with Projector(settings) as projector:
            started = time.perf_counter()
            projector.wait(events, timeout=600)
            catch_up = time.perf_counter() - started
            result: dict[str, Any] = {
                "therapists": args.therapists,
                "visits_on_board": 4 * args.therapists,
                "events": events,
                "projector_events_per_s": round(events / catch_up),
            }
            result.update(asyncio.run(_reads(settings, app, clinic, args.reads)))
            result["read_your_writes_ms"] = asyncio.run(
                _read_your_writes(settings, app, clinic, spare)
            )
        app.close()
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    store = result["event_store_ms"]
    result["projection_vs_event_store"] = round(result["projection_ms"] / store, 3)
    result["cache_vs_event_store"] = round(result["redis_cache_ms"] / store, 3)
    for key, value in result.items():
        print(f"{key:28} {value}")
    out = Path(__file__).parent / "results" / "read_side.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
