"""The booking page's options over HTTP on PostgreSQL, side by side with the day board.

    python3 -m uv run python bench/options.py [--therapists 100] [--plans 1000] [--reads 160]

Starts its own PostgreSQL and Redis on spare ports (as `bench/api_load.py` and the
system suite do), runs `scheduler migrate`, seeds a clinic of `--therapists` therapists
(MS; 70 % mobile, the rest at the clinic) and `--plans` patients with a plan each (60 %
home visits), books one or two sessions of each plan over the next four weeks (at the
plan's cadence, 3-7 days apart), then starts one `scheduler serve` and the projector
and waits until the projection has caught up. For 1, 16 and 64 concurrent clients it
then sends, in alternating rounds:

- `GET /plans/{id}/options` for plans drawn at random, each plan's first search in the
  run (every start over the days its cadence allows, up to four weeks; the first page
  of 20, ranked): the plan's side is read from the event store, the clinic's days are
  the ones the API keeps (`options.index`);
- the same plans again, as a patient browsing does: `?part_of_day=afternoon` and
  `?page=2` (the plan's side kept too, `options.plan_sides`);
- `GET /clinics/{id}/board?date=` for the days of the four weeks (the reference).

Prints p50/p95/p99 and requests/s per kind and level, and writes
bench/results/options.json. Absolute figures depend on the machine's load; the board is
measured in the same run as the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the system suite's cluster

from api.world import PASSWORD  # noqa: E402
from api_load import drive, percentile  # noqa: E402 - bench/ is this script's path
from scheduler.accounts import Accounts  # noqa: E402
from scheduler.domain import Scheduling  # noqa: E402
from scheduler.domain.errors import SchedulingError  # noqa: E402
from scheduler.store import postgres_settings  # noqa: E402
from system.cluster import Cluster  # noqa: E402
from system.load import DESK_EMAIL, sign_in  # noqa: E402

CLINIC = (41.8837, -87.6289)
SHIFTS = {day: [480, 1080] for day in ("mon", "tue", "wed", "thu", "fri")}
Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
KINDS = ("options", "options again", "board")
PATHS = {
    "options": "/plans/{id}/options",
    "options again": "  ?part_of_day=, ?page=2",
    "board": "/clinics/{id}/board?date=",
}


def seed(database_url: str, therapists: int, plans: int, rng: random.Random) -> dict[str, Any]:
    """The clinic, its therapists, patients with a plan each and their first sessions."""
    env = {**postgres_settings(database_url), "CREATE_TABLE": "n", "POSTGRES_POOL_SIZE": "2"}
    app, accounts = Scheduling(env), Accounts(env)
    now = datetime.now(UTC)
    who = {"actor": "bench", "now": now}
    monday = now.date() + timedelta(days=7 - now.date().weekday())

    def spot() -> tuple[float, float]:
        return (41.80 + rng.random() * 0.16, -87.76 + rng.random() * 0.16)

    try:
        clinic = app.register_clinic(
            name="Bench", address="1 N State St", location=CLINIC, timezone="America/Chicago", **who
        )
        staff = []
        for n in range(therapists):
            mobile = n % 10 < 7
            staff.append(
                app.register_therapist(
                    clinic_id=clinic,
                    name=f"Therapist {n}",
                    specializations=["ms"],
                    mobile=mobile,
                    home=spot() if mobile else None,
                    shifts=SHIFTS,
                    **who,
                )
            )
        plan_ids, booked = [], 0
        for n in range(plans):
            patient = app.register_patient(clinic_id=clinic, name=f"P{n}", home=spot(), **who)
            app.record_evaluation(
                patient, condition="ms", pain_level=4, contraindications=[], notes="", **who
            )
            rx = app.record_prescription(
                patient,
                condition="ms",
                authorized_sessions=12,
                expires_on=monday + timedelta(days=90),
                **who,
            )
            plan = app.create_plan(
                patient_id=patient,
                prescription_id=rx,
                specialization="ms",
                sessions=12,
                session_minutes=60,
                min_days=3,
                max_days=7,
                setting="home" if n % 10 < 6 else "clinic",
                **who,
            )
            plan_ids.append(plan)
            day = monday + timedelta(days=rng.randrange(24))
            for _ in range(rng.choice((1, 2))):
                for _ in range(4):  # a few tries: the drawn slot may be taken
                    start = app.local_time(clinic, day, rng.choice(range(540, 1020, 30)))
                    try:
                        app.book_session(
                            plan_id=plan, therapist_id=rng.choice(staff), start=start, **who
                        )
                        booked += 1
                        break
                    except SchedulingError:
                        continue
                day += timedelta(days=rng.randint(3, 7))
        accounts.open_account(
            email=DESK_EMAIL,
            password=PASSWORD,
            role="dispatcher",
            acts_for=None,
            clinic_id=clinic,
            actor="bench",
            now=now,
        )
        return {"clinic": clinic, "plans": plan_ids, "monday": monday, "sessions": booked}
    finally:
        app.close()
        accounts.close()


def caught_up(database_url: str, timeout_s: float = 600.0) -> None:
    """Wait until the projection has applied every stored event."""
    env = {**postgres_settings(database_url), "CREATE_TABLE": "n", "POSTGRES_POOL_SIZE": "1"}
    app = Scheduling(env)
    last = app.recorder.max_notification_id() or 0
    app.close()
    deadline = time.monotonic() + timeout_s
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT notification_id FROM readside_tracking WHERE application_name = %s",
                ("Scheduling",),
            ).fetchone()
            if row and row[0] >= last:
                return
            time.sleep(0.5)
    raise SystemExit("the projector did not catch up")


def requests(
    base: str,
    headers: dict[str, str],
    seeded: dict[str, Any],
    count: int,
    rng: random.Random,
    seen: set[UUID],
) -> dict[str, list[Request]]:
    """`count` reads of each kind; the first searches are of plans not in `seen` yet."""

    def options(plan: UUID, **query: Any) -> Request:
        return lambda client: client.get(
            f"{base}/plans/{plan}/options", params=query, headers=headers
        )

    def board(day: date) -> Request:
        return lambda client: client.get(
            f"{base}/clinics/{seeded['clinic']}/board",
            params={"date": day.isoformat()},
            headers=headers,
        )

    days = [seeded["monday"] + timedelta(days=n) for n in range(28) if n % 7 < 5]
    fresh = [plan for plan in seeded["plans"] if plan not in seen]
    plans = rng.sample(fresh, min(count, len(fresh)))
    seen.update(plans)
    again = [({"part_of_day": "afternoon"}, {"page": 2})[n % 2] for n in range(len(plans))]
    return {
        "options": [options(plan) for plan in plans],
        "options again": [options(plan, **query) for plan, query in zip(plans, again, strict=True)],
        "board": [board(rng.choice(days)) for _ in range(count)],
    }


def row(run: dict[str, Any]) -> dict[str, Any]:
    """p50/p95/p99 and rate of one run."""
    seconds = run["latencies_s"]
    return {
        "clients": run["clients"],
        "requests": run["requests"],
        "per_s": run["per_s"],
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 1),
        "statuses": run["statuses"],
    }


def main() -> None:
    """Seed, serve, measure, print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--therapists", type=int, default=100)
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--reads", type=int, default=160, help="requests per kind and level")
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cluster = Cluster(api_processes=1)
    result: dict[str, Any] = {"measured_at": datetime.now(UTC).isoformat()}
    try:
        cluster.start_datastores()
        began = time.perf_counter()
        seeded = seed(cluster.postgres.url, args.therapists, args.plans, rng)
        print(
            f"seeded {args.plans} plans, {seeded['sessions']} sessions in "
            f"{time.perf_counter() - began:.0f} s",
            flush=True,
        )
        cluster.start_apis()
        cluster.start_projector()
        caught_up(cluster.postgres.url)
        base = cluster.base_url(cluster.apis[0])
        headers = sign_in(base)
        seen: set[UUID] = set()
        warm = requests(base, headers, seeded, 16, rng, seen)
        for kind in KINDS:
            asyncio.run(drive(warm[kind], 4))
        rows = []
        for clients in (int(n) for n in args.clients.split(",")):
            batch = requests(base, headers, seeded, args.reads, rng, seen)
            for kind in KINDS:
                measured = row(asyncio.run(drive(batch[kind], clients)))
                rows.append({"kind": kind, **measured})
                print(kind, measured, flush=True)
    finally:
        cluster.close()
    result.update(
        machine={"cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)},
        clinic={"therapists": args.therapists, "plans": args.plans, "sessions": seeded["sessions"]},
        rows=rows,
    )
    print(
        f"\n{'GET':<28}{'clients':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses"
    )
    for r in rows:
        path = PATHS[r["kind"]]
        print(
            f"{path:<28}{r['clients']:>8}{r['per_s']:>8}{r['p50_ms']:>9}{r['p95_ms']:>9}"
            f"{r['p99_ms']:>9}  {r['statuses']}"
        )
    out = Path(__file__).parent / "results" / "options.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
