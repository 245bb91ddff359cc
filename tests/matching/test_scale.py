"""At scale, under time pressure, with booked sessions: always feasible.

Generated planted clinics of 120 therapists x 28 days (bench/gen_clinic.py) where a
tenth of the plans have a later session booked (`fixed`), so the sessions before it
must be placed to reach it. Three seeds at `SCHEDULER_SCALE_SECONDS` each: 60 s in CI
(three minutes; less time is more pressure, and feasibility must hold all the same),
120 s for the README's figures:

    SCHEDULER_SCALE_SECONDS=120 python3 -m uv run pytest tests/matching/test_scale.py -s

The share placed depends on how much CPU the time limit gets, so it is printed (README,
Benchmarks) rather than asserted; feasibility and the status never depend on it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from scheduler.matching.problem import load_problem
from scheduler.matching.solver import solve

from .clinic import check

BENCH = Path(__file__).resolve().parents[2] / "bench"
SECONDS = float(os.environ.get("SCHEDULER_SCALE_SECONDS", "60"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_big_clinic_with_bookings_is_planned_feasibly(seed: int) -> None:
    sys.path.insert(0, str(BENCH))
    from gen_clinic import generate  # noqa: PLC0415 - bench code, on the path only here

    doc, _ = generate(120, 28, seed, fixed=0.1)
    assert doc["fixed"], "the clinic has bookings"
    result = solve(load_problem(doc), time_limit_s=SECONDS, seed=seed)
    report = check(doc, result.to_json())
    print(
        f"seed {seed}, {SECONDS:.0f} s: {report['scheduled']:.4f} scheduled, "
        f"feasible {report['feasible']}, {result.timings}"
    )
    assert report["feasible"], report["violation_list"][:5]
    assert result.status == "feasible"
    assert result.broken == []
