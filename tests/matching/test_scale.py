"""At scale, under time pressure, with booked sessions: always feasible.

Generated planted clinics of 120 therapists x 28 days (bench/gen_clinic.py) where a
tenth of the plans have a later session booked (`fixed`), so the sessions before it
must be placed to reach it. 120 s each, three seeds: about six minutes on two cores.
The share placed depends on how much CPU the 120 s get, so it is printed (README,
Benchmarks) rather than asserted; feasibility and the status never depend on it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scheduler.matching.problem import load_problem
from scheduler.matching.solver import solve

from .clinic import check

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_big_clinic_with_bookings_is_planned_feasibly(seed: int) -> None:
    sys.path.insert(0, str(BENCH))
    from gen_clinic import generate  # noqa: PLC0415 - bench code, on the path only here

    doc, _ = generate(120, 28, seed, fixed=0.1)
    assert doc["fixed"], "the clinic has bookings"
    result = solve(load_problem(doc), time_limit_s=120.0, seed=seed)
    report = check(doc, result.to_json())
    print(
        f"seed {seed}: {report['scheduled']:.4f} scheduled, feasible {report['feasible']}, "
        f"{result.timings}"
    )
    assert report["feasible"], report["violation_list"][:5]
    assert result.status == "feasible"
    assert result.broken == []
