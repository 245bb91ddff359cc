"""Small hand-made clinics for the matching tests, and the shared checker loaded by path."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

CHECKER_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "check_plan.py"


def checker() -> ModuleType:
    """The independent checker, imported from ../shared by path (never copied)."""
    spec = importlib.util.spec_from_file_location("check_plan", CHECKER_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(problem: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The checker's report on a result."""
    report: dict[str, Any] = checker().check(problem, result)
    return report


def therapist(tid: str = "t-1", **over: Any) -> dict[str, Any]:
    """A mobile therapist working 09:00-17:00 on days 0..6."""
    base = {
        "id": tid,
        "skills": ["ms"],
        "mobile": True,
        "clinic": "c-1",
        "home": [41.90, -87.65],
        "shifts": [{"day": d, "start": 540, "end": 1020} for d in range(7)],
        "max_visits_per_day": 6,
    }
    base.update(over)
    return base


def plan(pid: str = "p-1", **over: Any) -> dict[str, Any]:
    """A home plan of 2 sessions, 2..4 days apart, available all day every day."""
    base = {
        "id": pid,
        "patient": f"pat-{pid}",
        "skill": "ms",
        "setting": "home",
        "location": [41.91, -87.66],
        "sessions": 2,
        "duration": 60,
        "cadence": {"min_days": 2, "max_days": 4},
        "first_day": {"earliest": 0, "latest": 2},
        "availability": [{"day": d, "start": 540, "end": 1020} for d in range(7)],
    }
    base.update(over)
    return base


def problem(
    therapists: list[dict[str, Any]] | None = None,
    plans: list[dict[str, Any]] | None = None,
    **over: Any,
) -> dict[str, Any]:
    """A one-week problem around one clinic."""
    base = {
        "name": "test",
        "start_date": "2026-12-07",
        "days": 7,
        "timezone": "UTC",
        "travel": {"speed_kmh": 30.0},
        "clinics": [{"id": "c-1", "location": [41.88, -87.63]}],
        "therapists": therapists if therapists is not None else [therapist()],
        "plans": plans if plans is not None else [plan()],
    }
    base.update(over)
    return copy.deepcopy(base)
