"""Bookings and availability reads through the HTTP API, next to the event store's raw saves.

    python3 -m uv run python bench/api_load.py [--clients 1,16,64] [--bookings 120,320,640]

Starts its own PostgreSQL (fsync on, as in production) and Redis on spare ports, as
the system suite does (`tests/system/cluster.py`), runs `scheduler migrate`, seeds a
clinic (32 therapists, 192 patients with a plan each, one front-desk login), then
starts one `scheduler serve` process and a projector. In one run it measures:

- bookings: `POST /plans/{id}/sessions` from 1, 16 and 64 concurrent clients, each
  request a distinct slot that nothing else wants (no two requests in flight share a
  therapist-day or a plan), so every booking should be a 201; anything else is counted
  apart and left out of the rate;
- raw saves: `Application.save` of a trivial one-event aggregate (the foundation
  benchmark's baseline, `bench/booking_writes.py`) from as many threads as there are
  clients, on the same PostgreSQL, in rounds alternating with the booking rounds;
- availability reads from 16 clients: the front desk's ranked options for a plan's
  next session (`GET /plans/{id}/options`, the same ranking as the patient's
  `/me/plans/{id}/options`) and the day board (`GET /clinics/{id}/board?date=`).

Prints a table (rates, p50/p99 latency, HTTP bookings/s over raw saves/s) and writes
bench/results/api_load.json. Absolute figures depend on the machine's load; compare
the ratios, which are measured side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the system suite's cluster and clinic

from booking_writes import Note, RawSaves, run_writers  # noqa: E402 - bench/ is this script's path
from scheduler.store import postgres_settings  # noqa: E402
from system.clinic import TIMEZONE, LoadClinic, seed_load_clinic  # noqa: E402
from system.cluster import Cluster  # noqa: E402
from system.load import Attempt, sign_in  # noqa: E402

THERAPISTS = 32
PATIENTS = 192  # more plans than clients (none booked twice at once); 20 sessions each
HOURS = range(9, 17)  # the hour slots of a 09:00-17:00 shift
READS = 160  # requests per read kind
REQUEST_TIMEOUT_S = 60.0


def distinct_bookings(clinic: LoadClinic, count: int, week: int, first: int) -> list[Attempt]:
    """`count` bookings in week `week` after the clinic's booking Monday, none competing.

    Hour by hour, then day by day, then therapist by therapist: a therapist-day comes
    round again only after 5 x 32 = 160 requests, and plans rotate over all of them from
    plan `first` on (so every plan is booked about as often), so no two requests among
    the 64 in flight touch the same therapist-day, patient or plan.
    """
    zone = ZoneInfo(TIMEZONE)
    monday = clinic.day + timedelta(weeks=week)
    attempts = [
        Attempt(
            clinic.plans[0],  # replaced below, in order
            therapist,
            datetime.combine(monday + timedelta(days=day), clock_time(hour), zone).astimezone(UTC),
        )
        for hour in HOURS
        for day in range(5)
        for therapist in clinic.therapists
    ]
    if count > len(attempts):
        raise SystemExit(f"at most {len(attempts)} bookings per level")
    plans = clinic.plans
    return [
        Attempt(plans[(first + n) % len(plans)], a.therapist, a.start)
        for n, a in enumerate(attempts[:count])
    ]


async def drive(
    requests: list[Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]], clients: int
) -> dict[str, Any]:
    """Send `requests`, `clients` at a time on one connection pool; rate and latencies."""
    gate = asyncio.Semaphore(clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:

        async def one(send: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]) -> None:
            async with gate:
                began = time.perf_counter()
                try:
                    status = str((await send(client)).status_code)
                except httpx.TransportError as error:
                    status = type(error).__name__
                latencies.append(time.perf_counter() - began)
                statuses[status] += 1

        began = time.perf_counter()
        await asyncio.gather(*(one(send) for send in requests))
        elapsed = time.perf_counter() - began
    ok = sum(n for status, n in statuses.items() if status.startswith("2"))
    return {
        "clients": clients,
        "requests": len(requests),
        "statuses": dict(statuses),
        "seconds": round(elapsed, 2),
        "per_s": round(ok / elapsed, 1),
        **latency(latencies),
        "latencies_s": latencies,
    }


def latency(seconds: list[float]) -> dict[str, float]:
    """Median and 99th percentile in milliseconds."""
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (nearest rank): p99 of 40 samples is the largest, as it should be."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def booking_requests(
    base: str, headers: dict[str, str], attempts: list[Attempt]
) -> list[Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]:
    """One POST per attempt, each with its own Idempotency-Key."""

    def request(attempt: Attempt) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        return lambda client: client.post(
            f"{base}/plans/{attempt.plan}/sessions",
            json=attempt.body(),
            headers={**headers, "Idempotency-Key": attempt.key},
        )

    return [request(attempt) for attempt in attempts]


def raw_save_rate(database_url: str, writers: int, saves: int) -> float:
    """Saves/s of new one-event `Note`s from `writers` threads (booking_writes' baseline)."""
    pool = {"POSTGRES_POOL_SIZE": str(writers + 2), "POSTGRES_MAX_OVERFLOW": "4"}
    raw = RawSaves({**postgres_settings(database_url), "CREATE_TABLE": "y", **pool})
    try:

        def save(writer: int, n: int) -> None:
            raw.save(Note(n=n))

        run_writers(writers, 2, save)  # warm the pool: connections, prepared statements
        return run_writers(writers, max(1, saves // writers), save)
    finally:
        raw.close()


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Start the cluster, seed it, and take every measurement in one run."""
    levels = [int(n) for n in args.clients.split(",")]
    counts = [int(n) for n in args.bookings.split(",")]
    if len(levels) != len(counts):
        raise SystemExit("give as many --bookings counts as --clients levels")
    cluster = Cluster(api_processes=1, durable=True)
    try:
        cluster.start_datastores()
        clinic = seed_load_clinic(cluster.postgres.url, therapists=THERAPISTS, patients=PATIENTS)
        cluster.start_apis()
        cluster.start_projector()
        base = cluster.base_url(cluster.apis[0])
        headers = sign_in(base)
        api_pid = cluster.apis[0].process.pid  # type: ignore[union-attr]
        # Warm the API's connections and code paths so the first timed request is not
        # the one that opens them.
        asyncio.run(drive(board_reads(base, headers, clinic, 8), 1))
        bookings, booked = [], 0
        for level, (clients, count) in enumerate(zip(levels, counts, strict=True)):
            # Raw saves and HTTP bookings in alternating rounds, each rate reported as its
            # median: a burst of load from elsewhere on the machine hits both alike.
            raws, runs = [], []
            api_cpu = client_cpu = 0.0  # where the CPU went: the server's, or this client's
            for round_ in range(args.rounds):
                raws.append(raw_save_rate(cluster.postgres.url, clients, count))
                week = level * args.rounds + round_  # every round books days of its own
                attempts = distinct_bookings(clinic, count, week, first=booked)
                booked += count
                before = (cpu_seconds(api_pid), time.process_time())
                runs.append(asyncio.run(drive(booking_requests(base, headers, attempts), clients)))
                api_cpu += cpu_seconds(api_pid) - before[0]
                client_cpu += time.process_time() - before[1]
            row = booking_row(clients, raws, runs)
            row["api_cpu_ms_per_booking"] = round(api_cpu * 1000 / row["requests"], 1)
            row["client_cpu_ms_per_booking"] = round(client_cpu * 1000 / row["requests"], 1)
            bookings.append(row)
            print(f"bookings, {clients} client(s): {bookings[-1]}", flush=True)
        reads = {
            name: {k: v for k, v in row.items() if k != "latencies_s"}
            for name, row in measure_reads(base, headers, clinic, args.read_clients).items()
        }
        if any(not status.isdigit() for row in bookings for status in row["statuses"]):
            # Requests that got no answer: what the server said about them, if anything.
            problems = [line for line in cluster.apis[0].log().splitlines() if "ERROR" in line]
            print("API log, errors:", *problems[-20:], sep="\n", file=sys.stderr)
    finally:
        cluster.close()
    return {
        "measured_at": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
        "clinic": {"therapists": THERAPISTS, "plans": PATIENTS},
        "bookings": bookings,
        "reads": reads,
    }


def booking_row(clients: int, raws: list[float], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One level's figures over its rounds: median rates, latencies of every request."""
    statuses: Counter[str] = Counter()
    for run in runs:
        statuses.update(run["statuses"])
    http = statistics.median(run["per_s"] for run in runs)
    raw = statistics.median(raws)
    return {
        "clients": clients,
        "requests": sum(run["requests"] for run in runs),
        "statuses": dict(statuses),
        "per_s": round(http, 1),
        **latency([s for run in runs for s in run["latencies_s"]]),
        "raw_saves_per_s": round(raw, 1),
        "http_over_raw": round(http / raw, 3),
        "rounds": {
            "bookings_per_s": [run["per_s"] for run in runs],
            "raw_saves_per_s": [round(r, 1) for r in raws],
        },
    }


def measure_reads(
    base: str, headers: dict[str, str], clinic: LoadClinic, clients: int
) -> dict[str, Any]:
    """Options and day-board reads/s from `clients` clients (after the bookings)."""
    plans = clinic.plans

    def options(plan: object) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        return lambda client: client.get(f"{base}/plans/{plan}/options", headers=headers)

    option_reads = [options(plans[n % len(plans)]) for n in range(READS)]
    return {
        "options": asyncio.run(drive(option_reads, clients)),
        "board": asyncio.run(drive(board_reads(base, headers, clinic, READS), clients)),
    }


def board_reads(
    base: str, headers: dict[str, str], clinic: LoadClinic, count: int
) -> list[Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]]:
    """`count` day-board reads over the weekdays of week 0 (booked by the first level)."""
    days = [clinic.day + timedelta(days=n) for n in range(5)]

    def board(day: date) -> Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]:
        return lambda client: client.get(
            f"{base}/clinics/{clinic.clinic}/board",
            params={"date": day.isoformat()},
            headers=headers,
        )

    return [board(days[n % len(days)]) for n in range(count)]


def print_table(result: dict[str, Any]) -> None:
    """The figures as a table."""
    print(
        f"\n{'what':<30}{'clients':>8}{'ok/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'raw saves/s':>13}{'http/raw':>10}{'API CPU ms':>11}  statuses"
    )
    for row in result["bookings"]:
        print(
            f"{'POST /plans/{id}/sessions':<30}{row['clients']:>8}{row['per_s']:>9}"
            f"{row['p50_ms']:>9}{row['p99_ms']:>9}{row['raw_saves_per_s']:>13}"
            f"{row['http_over_raw']:>10}{row['api_cpu_ms_per_booking']:>11}  {row['statuses']}"
        )
    for name, path in (("options", "GET /plans/{id}/options"), ("board", "GET .../board?date=")):
        row = result["reads"][name]
        print(
            f"{path:<30}{row['clients']:>8}{row['per_s']:>9}{row['p50_ms']:>9}"
            f"{row['p99_ms']:>9}{'':>34}  {row['statuses']}"
        )
    print(f"machine: {result['machine']}")


def main() -> None:
    """Run the measurements, print them and write them down."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,16,64", help="concurrent clients per level")
    parser.add_argument("--bookings", default="120,320,640", help="bookings per round and level")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per level")
    parser.add_argument("--read-clients", type=int, default=16, help="clients of the reads")
    args = parser.parse_args()
    result = measure(args)
    print_table(result)
    out = ROOT / "bench" / "results" / "api_load.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
