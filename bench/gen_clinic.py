"""Generate a planted-solution clinic: a plan placing every session is built first.

Usage: python bench/gen_clinic.py --therapists 120 --days 28 --seed 1 --out bench/instances/x.json
       [--availability planted|weekly] [--fixed 0.1]
Writes X.json (the problem) and X.planted.json (a result placing every session), like the
shared samples. Each plan is grown on one therapist's timetable: sessions appended to that
day's route (travel included). Patient windows (`--availability`):
- `planted` (inflexible): a window around each planted start, plus 0-2 decoy days;
- `weekly`: the patient's recurring week, 2-4 windows of 3-4 h on fixed weekdays that
  contain every planted visit (sessions only go to days of those weekdays).
`--fixed S`: a share S of the plans with 2+ sessions get one later session booked
(`fixed`, at its planted place), so the sessions before it must be placed to reach it.
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


def _next_day(
    rng: random.Random, day: int, lo: int, hi: int, weekdays: set[int] | None, cap: int
) -> int:
    """The next session's day: any day lo..hi later, or with weekly windows one of the
    plan's weekdays (at most `cap` of them); -1 when there is none."""
    if weekdays is None:
        return day + rng.randint(lo, hi)
    days = list(range(day + lo, day + hi + 1))
    known = [d for d in days if d % 7 in weekdays]
    if known and (len(weekdays) >= cap or rng.random() < 0.7):
        return rng.choice(known)
    return rng.choice(days) if len(weekdays) < cap else -1


def _weekly_windows(
    rng: random.Random, chain: list[tuple[int, int, int]], duration: int, days: int
) -> list[dict[str, int]]:
    """2-4 windows of 3-4 h a week, on the weekdays of the planted visits, containing them."""
    spans: dict[int, tuple[int, int]] = {}
    for d, s, _ in chain:
        lo, hi = spans.get(d % 7, (s, s + duration))
        spans[d % 7] = (min(lo, s), max(hi, s + duration))
    while len(spans) < rng.randint(2, 4):  # decoy weekdays the patient could also do
        s = rng.randrange(480, 900, 15)
        spans.setdefault(rng.randrange(7), (s, s + duration))
    out = []
    for weekday, (lo, hi) in sorted(spans.items()):
        length = max(hi - lo, rng.choice([180, 210, 240]))
        start = max(0, lo - rng.randint(0, length - (hi - lo)))
        out += [{"day": d, "start": start, "end": start + length} for d in range(weekday, days, 7)]
    return out


def generate(
    therapists: int,
    days: int,
    seed: int,
    utilization: float = 0.85,
    *,
    availability: str = "planted",
    fixed: float = 0.0,
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
        chain: list[tuple[int, int, int]] = []
        weekly = availability == "weekly"
        weekdays: set[int] = set()
        spans: dict[int, tuple[int, int]] = {}
        cap = rng.randint(2, 4)
        for k in range(want):
            if k:
                day = _next_day(rng, day, lo, hi, weekdays if weekly else None, cap)
            if day not in shifts:
                break
            end, here, n = cursor[t["id"], day]
            start = end + travel_minutes(here, where, speed) + rng.choice([0, 0, 5, 10])
            back = start + duration + travel_minutes(where, tuple(t["home"]), speed)
            if n >= t["max_visits_per_day"] or back > shifts[day]["end"]:
                break
            if weekly:  # every visit of a weekday inside one window of at most 4 h
                a, b = spans.get(day % 7, (start, start + duration))
                a, b = min(a, start), max(b, start + duration)
                if b - a > 240:
                    break
                spans[day % 7] = (a, b)
                weekdays.add(day % 7)
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
        for _ in range(0 if weekly else rng.randint(0, 2)):  # decoys the patient could do
            d = rng.randrange(days)
            if all(w["day"] != d for w in windows):
                s = rng.randrange(480, 900)
                windows.append({"day": d, "start": s, "end": s + duration + 60})
        if weekly:
            windows = _weekly_windows(rng, chain, duration, days)
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
    booked = []
    sessions_of = {p["id"]: p["sessions"] for p in plans}
    for pid in sorted(sessions_of):
        if sessions_of[pid] >= 2 and rng.random() < fixed:
            session = rng.randint(2, sessions_of[pid])
            booked += [v for v in visits if v["plan"] == pid and v["session"] == session]
    problem = {
        "name": f"planted-t{therapists}-d{days}-s{seed}-{availability}",
        "start_date": "2027-12-20",
        "days": days,
        "timezone": "America/New_York",
        "travel": {"speed_kmh": speed},
        "clinics": clinics,
        "therapists": staff,
        "plans": plans,
        "fixed": booked,
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
    parser.add_argument("--availability", choices=("planted", "weekly"), default="planted")
    parser.add_argument("--fixed", type=float, default=0.0, metavar="SHARE")
    args = parser.parse_args()
    problem, planted = generate(
        args.therapists, args.days, args.seed, availability=args.availability, fixed=args.fixed
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(problem), encoding="utf-8")
    args.out.with_suffix(".planted.json").write_text(json.dumps(planted), encoding="utf-8")


if __name__ == "__main__":
    main()
