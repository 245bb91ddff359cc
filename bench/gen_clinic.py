"""Generate a planted-solution clinic: a plan placing every session is built first.

Usage: python bench/gen_clinic.py --therapists 120 --days 28 --seed 1 --out bench/instances/x.json
Writes X.json (the problem) and X.planted.json (a result placing every session), like the
shared samples. Each plan is grown on one therapist's timetable: sessions appended to that
day's route (travel included), patient windows drawn around the planted start plus decoys.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from scheduler.geo import travel_minutes

SKILLS = [
    "ms",
    "tmj",
    "lymphatic",
    "prenatal",
    "oncology",
    "geriatric",
    "sports_injury",
    "fibromyalgia",
    "pediatric",
    "post_surgical",
]
CENTRE = (40.75, -73.95)
CADENCES = [(2, 4), (2, 4), (5, 8), (6, 10), (7, 7), (7, 10)]


def _near(rng: random.Random, at: tuple[float, float], km: float) -> tuple[float, float]:
    return (
        round(at[0] + rng.uniform(-km, km) / 111, 6),
        round(at[1] + rng.uniform(-km, km) / 85, 6),
    )


def generate(
    therapists: int, days: int, seed: int, utilization: float = 0.85
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A problem and its planted result."""
    rng = random.Random(seed)
    speed = 30.0
    clinics = [{"id": f"clinic-{c}", "location": list(_near(rng, CENTRE, 8))} for c in "abc"]
    staff, cursor = [], {}
    for i in range(therapists):
        mobile = rng.random() < 0.6
        clinic = rng.choice(clinics)
        home = _near(rng, CENTRE, 12) if mobile else tuple(clinic["location"])
        t = {
            "id": f"t-{i + 1:03d}",
            "skills": rng.sample(SKILLS, rng.randint(2, 4)),
            "mobile": mobile,
            "clinic": clinic["id"],
            "home": list(home),
            "max_visits_per_day": rng.choice([8, 10]),
            "shifts": [],
        }
        for d in range(days):
            if d % 7 < 5 and rng.random() < 0.9:
                start = rng.choice([480, 510, 540])
                t["shifts"].append({"day": d, "start": start, "end": start + 480})
                cursor[t["id"], d] = (start, tuple(home), 0)
        staff.append(t)
    plans, visits = [], []
    fails = 0
    capacity = sum(s["end"] - s["start"] for t in staff for s in t["shifts"])
    busy = 0
    # Utilization counts visit and driving minutes against shift minutes.
    while busy < utilization * capacity and fails < 20000:
        t = rng.choice(staff)
        home = t["mobile"] and rng.random() < 0.7
        loc = _near(rng, tuple(t["home"]), 6) if home else None
        clinic = rng.choice(clinics)
        where = loc if loc is not None else tuple(clinic["location"])
        duration = rng.choice([30, 45, 60, 60, 90])
        lo, hi = rng.choice(CADENCES)
        want = rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
        shifts = {s["day"]: s for s in t["shifts"]}
        day = rng.randrange(days)
        chain = []
        for k in range(want):
            if k:
                day += rng.randint(lo, hi)
            if day not in shifts:
                break
            end, here, n = cursor[t["id"], day]
            start = end + travel_minutes(here, where, speed) + rng.choice([0, 0, 5, 10])
            back = start + duration + travel_minutes(where, tuple(t["home"]), speed)
            if n >= t["max_visits_per_day"] or back > shifts[day]["end"]:
                break
            chain.append((day, start, start - end + duration))
        if not chain:
            fails += 1
            continue
        pid = f"plan-{len(plans) + 1:05d}"
        windows = []
        for d, s, used in chain:
            cursor[t["id"], d] = (s + duration, where, cursor[t["id"], d][2] + 1)
            busy += used
            windows.append(
                {
                    "day": d,
                    "start": s - rng.choice([0, 15, 30, 60]),
                    "end": s + duration + rng.choice([0, 15, 30, 60]),
                }
            )
            visits.append(
                {"plan": pid, "session": len(windows), "therapist": t["id"], "day": d, "start": s}
            )
        for _ in range(rng.randint(0, 2)):  # decoy windows the patient could also do
            d = rng.randrange(days)
            if all(w["day"] != d for w in windows):
                s = rng.randrange(480, 900)
                windows.append({"day": d, "start": s, "end": s + duration + 60})
        first = chain[0][0]
        plan = {
            "id": pid,
            "patient": f"p-{len(plans) + 1:05d}",
            "skill": rng.choice(t["skills"]),
            "setting": "home" if home else "clinic",
            "sessions": len(chain),
            "duration": duration,
            "cadence": {"min_days": lo, "max_days": hi},
            "first_day": {"earliest": max(0, first - rng.randint(0, 2)), "latest": first},
            "availability": sorted(windows, key=lambda w: (w["day"], w["start"])),
            "excluded_therapists": [],
        }
        if home:
            plan["location"] = list(loc)  # type: ignore[arg-type]
        else:
            plan["clinic"] = clinic["id"]
        if rng.random() < 0.3:
            plan["preferred_therapist"] = t["id"]
        plans.append(plan)
    problem = {
        "name": f"planted-t{therapists}-d{days}-s{seed}",
        "start_date": "2027-12-20",
        "days": days,
        "timezone": "America/New_York",
        "travel": {"speed_kmh": speed},
        "clinics": clinics,
        "therapists": staff,
        "plans": plans,
        "fixed": [],
        "generator": {
            "tool": "bench/gen_clinic.py",
            "seed": seed,
            "utilization_planted": round(busy / capacity, 4),
        },
    }
    return problem, {"visits": visits, "unscheduled": []}


def main() -> None:
    """Write the problem and its planted result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--therapists", type=int, default=120)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    problem, planted = generate(args.therapists, args.days, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(problem), encoding="utf-8")
    args.out.with_suffix(".planted.json").write_text(json.dumps(planted), encoding="utf-8")


if __name__ == "__main__":
    main()
