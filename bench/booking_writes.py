"""Sessions booked per second on PostgreSQL, next to the library's raw save rate.

    python3 -m uv run python bench/booking_writes.py [--bookings N] [--writers 1,4,16]

Creates its own database on 127.0.0.1:5432 (dropped afterwards), migrates it and builds
a clinic with one clinic-based therapist and four patients per writer, so writers compete
for the event table and the connection pool, not for the same day. For each number of
concurrent writer threads it measures, in the same run and database:

- booking: `Scheduling.book_session` (loads plan, prescription, therapist and both days,
  checks every rule, saves therapist-day, patient-day, plan, prescription and session in
  one transaction), with the aggregate cache each command fast-forwards from the store;
- booking, no cache: the same on a second clinic with the cache off (every aggregate
  read whole from the store), to show what validating the cache saves over dropping it;
- raw: `Application.save` of a new trivial one-event aggregate (the library's floor).

It prints a table with the ratio booking/raw per concurrency (goal >= 0.7) and writes
it to bench/results/booking_writes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from scheduler.domain import Scheduling
from scheduler.store import migrate, postgres_settings

ADMIN_DSN = os.environ.get("SCHEDULER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = datetime(2026, 1, 2, tzinfo=UTC)
FIRST_MONDAY = date(2026, 1, 5)
SLOTS_PER_DAY = 8  # 09:00 .. 16:00, one hour each, inside a 09:00-17:00 shift
PLANNED = 100
"""Sessions per plan (and prescription): a long course, within the clinic's caps."""


class Note(Aggregate):
    """The trivial aggregate of the raw baseline: one small created event."""

    @event("Written")
    def __init__(self, n: int) -> None:
        self.n = n


class RawSaves(Application[uuid.UUID]):
    """Nothing but `save()` of new `Note`s, on its own table in the same database."""


def _slot_start(app: Scheduling, clinic: Any, k: int) -> datetime:
    """The k-th bookable hour of a writer's calendar (weekdays only)."""
    day_index, slot = divmod(k, SLOTS_PER_DAY)
    weeks, weekday = divmod(day_index, 5)
    day = FIRST_MONDAY + timedelta(days=7 * weeks + weekday)
    return app.local_time(clinic, day, (9 + slot) * 60)


def build_clinic(app: Scheduling, writers: int, plans: int) -> tuple[Any, list[Any]]:
    """One clinic; per writer a therapist and `plans` patients on long clinic plans."""
    clinic = app.register_clinic(
        name="Bench",
        address="1 Main",
        location=(41.88, -87.63),
        timezone="America/Chicago",
        actor="bench",
        now=NOW,
    )
    week = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}
    lanes = []
    for w in range(writers):
        therapist = app.register_therapist(
            clinic_id=clinic,
            name=f"T{w}",
            specializations=["ms"],
            mobile=False,
            shifts=week,
            max_visits_per_day=SLOTS_PER_DAY,
            actor="bench",
            now=NOW,
        )
        lane = []
        for p in range(plans):
            patient = app.register_patient(
                clinic_id=clinic, name=f"P{w}-{p}", home=(41.9, -87.6), actor="bench", now=NOW
            )
            app.record_evaluation(
                patient, condition="ms", pain_level=4, contraindications=[], actor="bench", now=NOW
            )
            rx = app.record_prescription(
                patient,
                condition="ms",
                authorized_sessions=PLANNED,
                expires_on=date(2030, 1, 1),
                actor="bench",
                now=NOW,
            )
            lane.append(
                app.create_plan(
                    patient_id=patient,
                    prescription_id=rx,
                    specialization="ms",
                    sessions=PLANNED,
                    session_minutes=60,
                    min_days=0,
                    max_days=7,
                    setting="clinic",
                    actor="bench",
                    now=NOW,
                )
            )
        lanes.append((therapist, lane))
    return clinic, lanes


def run_writers(writers: int, per_writer: int, work: Callable[[int, int], None]) -> float:
    """Operations per second of `writers` threads each doing `work(writer, i)` per_writer times."""
    barrier = threading.Barrier(writers + 1)

    def lane(w: int) -> None:
        barrier.wait()
        for i in range(per_writer):
            work(w, i)

    with ThreadPoolExecutor(writers) as pool:
        futures = [pool.submit(lane, w) for w in range(writers)]
        barrier.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - started
    return writers * per_writer / elapsed


def measure(dsn: str, writers: int, per_writer: int, rounds: int) -> dict[str, Any]:
    """Booking and raw save rates for one level of concurrency, on fresh tables.

    The two are measured in alternating rounds and each reported as its median, so a
    burst of load from elsewhere on the machine hits both alike.
    """
    pool = {"POSTGRES_POOL_SIZE": str(writers + 2), "POSTGRES_MAX_OVERFLOW": "4"}
    settings = {**postgres_settings(dsn), "CREATE_TABLE": "n", **pool}
    migrate(settings)
    app = Scheduling(settings)
    uncached = Scheduling({**settings, "AGGREGATE_CACHE_MAXSIZE": ""})
    # Enough plans per writer that none runs out; every plan is booked in turn.
    plans = max(4, -(-per_writer * rounds // (PLANNED - 1)))
    clinic, lanes = build_clinic(app, writers, plans)
    _, other_lanes = build_clinic(uncached, writers, plans)
    starts = [_slot_start(app, clinic, k) for k in range(per_writer * rounds)]

    def booker(on: Scheduling, lanes: list[Any]) -> Callable[[int, int], None]:
        booked = [0] * writers  # each writer's next free slot

        def book(w: int, i: int) -> None:
            therapist, lane = lanes[w]
            k = booked[w]
            booked[w] += 1
            on.book_session(
                plan_id=lane[k % len(lane)],
                therapist_id=therapist,
                start=starts[k],
                actor="b",
                now=NOW,
            )

        return book

    book, book_uncached = booker(app, lanes), booker(uncached, other_lanes)

    raw = RawSaves({**settings, "CREATE_TABLE": "y"})

    def save(w: int, i: int) -> None:
        raw.save(Note(n=i))

    # Warm both (connections, prepared statements) before timing.
    run_writers(writers, 2, lambda w, i: save(w, -1 - i))
    raw_rates, booking_rates, uncached_rates = [], [], []
    for _ in range(rounds):
        raw_rates.append(run_writers(writers, per_writer, save))
        booking_rates.append(run_writers(writers, per_writer, book))
        uncached_rates.append(run_writers(writers, per_writer, book_uncached))
    app.close()
    uncached.close()
    raw.close()
    booking_rate, raw_rate = statistics.median(booking_rates), statistics.median(raw_rates)
    uncached_rate = statistics.median(uncached_rates)
    return {
        "writers": writers,
        "bookings_per_s": booking_rate,
        "bookings_uncached_per_s": uncached_rate,
        "raw_saves_per_s": raw_rate,
        "ratio": booking_rate / raw_rate,
        "cache_gain": booking_rate / uncached_rate,
        "rounds": {
            "bookings_per_s": booking_rates,
            "bookings_uncached_per_s": uncached_rates,
            "raw_saves_per_s": raw_rates,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bookings",
        type=int,
        default=320,
        help="bookings per round and level (split over writers)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per level")
    parser.add_argument("--writers", default="1,4,16")
    args = parser.parse_args()

    rows = []
    for writers in (int(n) for n in args.writers.split(",")):
        name = f"scheduler_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
            rows.append(measure(dsn, writers, max(1, args.bookings // writers), args.rounds))
        finally:
            with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    header = f"{'writers':>7} {'bookings/s':>11} {'no cache/s':>11} {'raw saves/s':>12}"
    print(f"{header} {'ratio':>6} {'cache gain':>10}")
    for row in rows:
        rates = (
            f"{row['bookings_per_s']:>11.1f} {row['bookings_uncached_per_s']:>11.1f} "
            f"{row['raw_saves_per_s']:>12.1f}"
        )
        print(f"{row['writers']:>7} {rates} {row['ratio']:>6.2f} {row['cache_gain']:>10.2f}")
    print("goal: ratio >= 0.7 at every concurrency")
    out = Path(__file__).with_name("results") / "booking_writes.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"measured_at": datetime.now(UTC).isoformat(), "rows": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
