"""Booking-page options: the narrow problem (`scheduler/options/problem.py`) vs the whole clinic.

    python3 -m uv run python bench/options.py [--therapists 40] [--plans 300] [--samples 20]

Builds a clinic in the in-memory store (mobile MS therapists, home-visit plans, about
one booked session per plan in the next two weeks), then for the same plans, interleaved
in one run, asks for the top 5 options of the next session two ways:

- narrow: `rank_options` (the plan's cadence days, at most 12 therapists, their days);
- clinic: the dispatcher's planning horizon of the whole clinic (`scheduler.planning`)
  and the same engine `suggest` (how the first version of the options worked).

Prints median and p95 latency of each, their ratio, and how often both agree on the
best option's therapist and day; writes bench/results/options.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.domain import Scheduling
from scheduler.domain.errors import SchedulingError
from scheduler.domain.timekeeping import local_date
from scheduler.matching.problem import Visit
from scheduler.matching.suggest import suggest
from scheduler.options.ranking import rank_options
from scheduler.planning.horizon import read_horizon
from scheduler.planning.problem import build_problem
from scheduler.store import environment

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
WHO: dict[str, Any] = {"actor": "bench", "now": NOW}


def clinic(therapists: int, plans: int, seed: int = 1) -> tuple[Scheduling, UUID, list[UUID]]:
    """A generated clinic around Chicago; returns the app, the clinic and its plans."""
    rng = random.Random(seed)
    app = Scheduling(environment("memory"))
    clinic_id = app.register_clinic(
        name="Bench", address="1 St", location=(41.88, -87.63), timezone="America/Chicago", **WHO
    )

    def spot() -> tuple[float, float]:
        return (41.8 + rng.random() * 0.2, -87.8 + rng.random() * 0.2)

    shifts = {day: [480, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}
    staff = [
        app.register_therapist(
            clinic_id=clinic_id,
            name=f"T{i}",
            specializations=["ms"],
            mobile=True,
            home=spot(),
            shifts=shifts,
            **WHO,
        )
        for i in range(therapists)
    ]
    plan_ids = []
    for i in range(plans):
        patient = app.register_patient(clinic_id=clinic_id, name=f"P{i}", home=spot(), **WHO)
        app.record_evaluation(patient, condition="ms", pain_level=3, contraindications=[], **WHO)
        rx = app.record_prescription(
            patient, condition="ms", authorized_sessions=10, expires_on=date(2026, 12, 31), **WHO
        )
        plan = app.create_plan(
            patient_id=patient,
            prescription_id=rx,
            specialization="ms",
            sessions=10,
            session_minutes=60,
            min_days=2,
            max_days=9,
            setting="home",
            **WHO,
        )
        plan_ids.append(plan)
        for _ in range(3):  # a few tries: the drawn slot may be taken
            day = date(2026, 10, 5) + timedelta(days=rng.randrange(8))
            start = app.local_time(clinic_id, day, rng.choice(range(540, 960, 30)))
            try:
                app.book_session(plan_id=plan, therapist_id=rng.choice(staff), start=start, **WHO)
                break
            except SchedulingError:
                continue
    return app, clinic_id, plan_ids


def whole_clinic(app: Scheduling, clinic_id: UUID, plan_id: UUID) -> tuple[str, int] | None:
    """The best option by the whole-clinic horizon (the baseline): (therapist, day)."""
    today = local_date(NOW, _zone(app, clinic_id))
    planning = build_problem(
        read_horizon(app, clinic_id, today, today + timedelta(days=13), now=NOW),
        "optimize",
    )
    booked = [
        Visit(key, number, str(b.session.therapist_id), b.day, b.start)
        for (key, number), b in planning.sessions.items()
    ]
    if str(plan_id) not in planning.problem.plans:
        return None
    found = suggest(planning.problem, str(plan_id), booked=booked, k=5)
    return (found[0].therapist, found[0].day) if found else None


def _zone(app: Scheduling, clinic_id: UUID) -> ZoneInfo:
    return ZoneInfo(app.get_clinic(clinic_id).timezone)


def main() -> None:
    """Run the comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--therapists", type=int, default=40)
    parser.add_argument("--plans", type=int, default=300)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    app, clinic_id, plans = clinic(args.therapists, args.plans)
    today = local_date(NOW, _zone(app, clinic_id))
    narrow_ms, clinic_ms, agree, compared = [], [], 0, 0
    for plan_id in plans[: args.samples]:
        started = time.perf_counter()
        mine = rank_options(app, plan_id, now=NOW, k=5, weeks=2).options
        narrow_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        theirs = whole_clinic(app, clinic_id, plan_id)
        clinic_ms.append((time.perf_counter() - started) * 1000)
        if mine and theirs:
            compared += 1
            best = (str(mine[0].therapist_id), (mine[0].start_local.date() - today).days)
            agree += best == theirs
    result = {
        "therapists": args.therapists,
        "plans": args.plans,
        "samples": len(narrow_ms),
        "narrow_median_ms": round(statistics.median(narrow_ms), 1),
        "narrow_p95_ms": round(sorted(narrow_ms)[int(0.95 * (len(narrow_ms) - 1))], 1),
        "clinic_median_ms": round(statistics.median(clinic_ms), 1),
        "clinic_p95_ms": round(sorted(clinic_ms)[int(0.95 * (len(clinic_ms) - 1))], 1),
        "speedup_median": round(statistics.median(clinic_ms) / statistics.median(narrow_ms), 1),
        "same_best_option": f"{agree}/{compared}",
    }
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results" / "options.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
