"""Bookings per second with 1 and 2 API processes on one PostgreSQL, and where the ceiling is.

    python3 -m uv run python bench/scale.py [--bookings 384] [--concurrency 32] [--writers 8]

Starts its own PostgreSQL (initdb into a temporary directory, spare port) and Redis, as
the system suite does (`tests/system/cluster.py`), seeds a clinic (16 therapists, 64
plans), then in one run measures, side by side:

- HTTP bookings/s through `scheduler serve`: 1 process, then 2 processes (distinct,
  non-conflicting slots: every booking is a 201, so this is throughput, not contention);
- the event store's raw write rate: `recorder.insert_events` of a booking-sized batch
  (5 events in one transaction) from 1 thread and from `--writers` threads. The
  PostgreSQL recorder takes `LOCK TABLE ... IN EXCLUSIVE MODE` on every insert (it
  numbers notifications in commit order), so writers queue on one lock: more writers
  do not write faster. That is the single writer path no API replica count can lift.

Prints a table and writes bench/results/scale.json. Throughput is compared as ratios
measured in the same run on the same machine; absolute numbers depend on its load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the system suite's cluster and clinic

from eventsourcing.persistence import StoredEvent  # noqa: E402

from scheduler.domain import Scheduling  # noqa: E402
from scheduler.store import postgres_settings  # noqa: E402
from system.clinic import TIMEZONE, LoadClinic, seed_load_clinic  # noqa: E402
from system.cluster import Cluster  # noqa: E402
from system.load import Attempt, run_load, sign_in, statuses  # noqa: E402

EVENTS_PER_BOOKING = 5  # therapist day, patient day, plan, session (+ a day opened)


def distinct_bookings(clinic: LoadClinic, count: int, first_day: int) -> list[Attempt]:
    """`count` bookings that never compete: each therapist-hour once, each plan once an hour.

    Day by day from `first_day` (weekdays after the clinic's booking Monday), hour by
    hour, therapist by therapist; the plan rotates so a patient is never in two places.
    """
    zone = ZoneInfo(TIMEZONE)
    attempts: list[Attempt] = []
    day_index = first_day
    while len(attempts) < count:
        day = clinic.day + timedelta(weeks=day_index // 5, days=day_index % 5)
        for hour in range(9, 17):
            start = datetime.combine(day, clock_time(hour), tzinfo=zone).astimezone(UTC)
            for t, therapist in enumerate(clinic.therapists):
                plan = clinic.plans[(t + len(clinic.therapists) * hour) % len(clinic.plans)]
                attempts.append(Attempt(plan, therapist, start))
        day_index += 1
    return attempts[:count]


def http_rate(
    cluster: Cluster, clinic: LoadClinic, processes: int, args: argparse.Namespace, first_day: int
) -> dict[str, object]:
    """Bookings/s through `processes` API processes (the others are not started)."""
    bases = [cluster.base_url(api) for api in cluster.apis[:processes]]
    headers = sign_in(bases[0])
    attempts = distinct_bookings(clinic, args.bookings, first_day)
    cpu_before = sum(cpu_seconds(api.process.pid) for api in cluster.apis[:processes])  # type: ignore[union-attr]
    began = time.perf_counter()
    outcomes = asyncio.run(
        run_load(attempts, lambda i: bases[i % len(bases)], headers, concurrency=args.concurrency)
    )
    elapsed = time.perf_counter() - began
    cpu = sum(cpu_seconds(api.process.pid) for api in cluster.apis[:processes]) - cpu_before  # type: ignore[union-attr]
    counted = statuses(outcomes)
    return {
        "api_processes": processes,
        "bookings": len(attempts),
        "statuses": dict(counted),
        "seconds": round(elapsed, 2),
        "bookings_per_s": round(counted["201"] / elapsed, 1),
        "api_cpu_ms_per_booking": round(cpu * 1000 / len(attempts), 1),
        "api_cpu_share_of_machine": round(cpu / elapsed / (os.cpu_count() or 1), 2),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_insert_rate(database_url: str, writers: int, seconds: float) -> dict[str, object]:
    """Booking-sized insert transactions per second from `writers` threads."""
    env = {
        **postgres_settings(database_url),
        "CREATE_TABLE": "n",
        "POSTGRES_POOL_SIZE": str(writers),
    }
    app = Scheduling(env)
    done = [0] * writers
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    def write(slot: int) -> None:
        while time.perf_counter() < stop_at:
            batch = [
                StoredEvent(
                    originator_id=uuid.uuid4(),
                    originator_version=1,
                    topic="bench.scale:Raw",
                    state=b"{}",
                )
                for _ in range(EVENTS_PER_BOOKING)
            ]
            began = time.perf_counter()
            app.recorder.insert_events(batch)
            latencies.append(time.perf_counter() - began)
            done[slot] += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    app.close()
    return {
        "writers": writers,
        "transactions_per_s": round(sum(done) / elapsed, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 2),
    }


def unlocked_insert_rate(database_url: str, writers: int, seconds: float) -> dict[str, object]:
    """The same rows into a plain table without the lock: what the database could take."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_unlocked "
            "(originator_id uuid, originator_version int, topic text, state bytea, "
            "notification_id bigserial PRIMARY KEY)"
        )
    done = [0] * writers
    stop_at = time.perf_counter() + seconds

    def write(slot: int) -> None:
        with psycopg.connect(database_url) as connection:
            while time.perf_counter() < stop_at:
                with connection.transaction(), connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO bench_unlocked "
                        "(originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)",
                        [(uuid.uuid4(), "bench.scale:Raw", b"{}")] * EVENTS_PER_BOOKING,
                    )
                done[slot] += 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"writers": writers, "transactions_per_s": round(sum(done) / elapsed, 1)}


def main() -> None:
    """Run the comparison and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=384, help="bookings per phase")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--writers", type=int, default=8, help="threads of the raw insert run")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each raw run")
    args = parser.parse_args()

    # fsync on, as in production: every commit flushes the WAL while holding the lock.
    cluster = Cluster(api_processes=2, durable=True)
    try:
        cluster.start_datastores()
        clinic = seed_load_clinic(cluster.postgres.url, therapists=16, patients=64)
        cluster.start_apis()
        one = http_rate(cluster, clinic, 1, args, first_day=0)
        two = http_rate(cluster, clinic, 2, args, first_day=5)
        for api in cluster.apis:
            api.terminate()
        raw_one = raw_insert_rate(cluster.postgres.url, 1, args.seconds)
        raw_many = raw_insert_rate(cluster.postgres.url, args.writers, args.seconds)
        unlocked = unlocked_insert_rate(cluster.postgres.url, args.writers, args.seconds)
    finally:
        cluster.close()

    result = {
        "machine": {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
        "http": [one, two],
        "two_vs_one_process": round(two["bookings_per_s"] / one["bookings_per_s"], 2),  # type: ignore[operator]
        "raw_event_store": [raw_one, raw_many],
        "unlocked_plain_table": unlocked,
        "raw_many_vs_one_writer": round(
            raw_many["transactions_per_s"] / raw_one["transactions_per_s"],
            2,  # type: ignore[operator]
        ),
    }
    print(f"{'path':<34}{'rate/s':>10}{'detail':>40}")
    for row in result["http"]:  # type: ignore[attr-defined]
        print(
            f"{'HTTP, ' + str(row['api_processes']) + ' API process(es)':<34}"
            f"{row['bookings_per_s']:>10}{row['statuses']!s:>40}"
        )
    for row in result["raw_event_store"]:  # type: ignore[attr-defined]
        print(
            f"{'raw insert, ' + str(row['writers']) + ' writer(s)':<34}"
            f"{row['transactions_per_s']:>10}{'median ' + str(row['median_ms']) + ' ms':>40}"
        )
    print(
        f"{'plain table, no lock, ' + str(unlocked['writers']) + ' writers':<34}"
        f"{unlocked['transactions_per_s']:>10}"
    )
    print(
        f"2 vs 1 API process: x{result['two_vs_one_process']}; "
        f"{args.writers} vs 1 raw writer: x{result['raw_many_vs_one_writer']}"
    )
    out = ROOT / "bench" / "results" / "scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
