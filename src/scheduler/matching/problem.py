"""The planning problem (`spec/planning-problem.md`, v1.1) as typed, validated data.

`load_problem` turns the JSON document into frozen dataclasses and raises
`MalformedProblem` for everything the spec calls malformed, naming where it was.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Location = tuple[float, float]


class MalformedProblem(ValueError):
    """Raised when a planning problem (or a result read beside it) breaks the spec's format."""


@dataclass(frozen=True, slots=True)
class Window:
    """A span of one day, minutes after midnight: a shift or a patient's availability."""

    day: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Therapist:
    """Who can work, where they start from, and on which days."""

    id: str
    skills: frozenset[str]
    mobile: bool
    base: Location
    shifts: dict[int, Window]
    max_visits_per_day: int


@dataclass(frozen=True, slots=True)
class Plan:
    """A prescription: `sessions` visits of one skill at a cadence, for one patient."""

    id: str
    patient: str
    skill: str
    home: bool
    location: Location
    sessions: int
    duration: int
    min_days: int
    max_days: int
    first_earliest: int
    first_latest: int
    availability: tuple[Window, ...]
    preferred_therapist: str | None = None
    excluded_therapists: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Visit:
    """One placed session: the spec's visit (also how `fixed` bookings are written)."""

    plan: str
    session: int
    therapist: str
    day: int
    start: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A whole planning problem, indexed by id."""

    name: str
    days: int
    speed_kmh: float
    therapists: dict[str, Therapist]
    plans: dict[str, Plan]
    fixed: tuple[Visit, ...]
    # v1.1: sessions that lost their booking (a sick call); a result may postpone them.
    displaced: frozenset[tuple[str, int]] = frozenset()
    # The clinic's booking grid (our own optional key `slot_minutes`): a re-plan starts
    # what it places or moves on it (1: any minute).
    grid: int = 1

    def can_treat(self, therapist: Therapist, plan: Plan) -> bool:
        """Rule 1: skill, not excluded, and mobile for home visits."""
        return (
            plan.skill in therapist.skills
            and therapist.id not in plan.excluded_therapists
            and (therapist.mobile or not plan.home)
        )


def _get(obj: Any, key: str, kind: str, where: str, *, optional: bool = False) -> Any:
    if not isinstance(obj, dict):
        raise MalformedProblem(f"{where}: expected a JSON object")
    if obj.get(key) is None:
        if optional:
            return None
        raise MalformedProblem(f"{where}: missing '{key}'")
    value = obj[key]
    if not _is_kind(value, kind):
        raise MalformedProblem(f"{where}.{key}: expected {kind}, got {json.dumps(value)[:60]}")
    return value


def _is_kind(value: Any, kind: str) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "num":
        return number and math.isfinite(value)
    if kind == "loc":
        return (
            isinstance(value, list)
            and len(value) == 2
            and all(_is_kind(x, "num") for x in value)
            and abs(value[0]) <= 90
            and abs(value[1]) <= 180
        )
    if kind == "strs":
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    types: dict[str, type] = {"str": str, "bool": bool, "list": list, "dict": dict}
    return isinstance(value, types[kind])


def _window(obj: Any, where: str) -> Window:
    day, start, end = (_get(obj, k, "int", where) for k in ("day", "start", "end"))
    if start > end:
        raise MalformedProblem(f"{where}: start {start} is after end {end}")
    return Window(day, start, end)


def _therapist(obj: Any, where: str, clinics: dict[str, Location]) -> Therapist:
    mobile = _get(obj, "mobile", "bool", where)
    if mobile:
        base = tuple(_get(obj, "home", "loc", where))
    else:
        clinic = _get(obj, "clinic", "str", where)
        if clinic not in clinics:
            raise MalformedProblem(f"{where}: unknown clinic {clinic!r}")
        base = clinics[clinic]
    shifts: dict[int, Window] = {}
    for j, raw in enumerate(_get(obj, "shifts", "list", where)):
        shift = _window(raw, f"{where}.shifts[{j}]")
        if shift.day in shifts or shift.start >= shift.end:
            raise MalformedProblem(
                f"{where}.shifts[{j}]: a second shift on day {shift.day}, or empty"
            )
        shifts[shift.day] = shift
    return Therapist(
        id=_get(obj, "id", "str", where),
        skills=frozenset(_get(obj, "skills", "strs", where)),
        mobile=mobile,
        base=(float(base[0]), float(base[1])),
        shifts=shifts,
        max_visits_per_day=_get(obj, "max_visits_per_day", "int", where),
    )


def _plan(obj: Any, where: str, clinics: dict[str, Location]) -> Plan:
    setting = _get(obj, "setting", "str", where)
    if setting == "home":
        location = tuple(_get(obj, "location", "loc", where))
    elif setting == "clinic":
        clinic = _get(obj, "clinic", "str", where)
        if clinic not in clinics:
            raise MalformedProblem(f"{where}: unknown clinic {clinic!r}")
        location = clinics[clinic]
    else:
        raise MalformedProblem(f"{where}.setting: must be 'home' or 'clinic', got {setting!r}")
    cadence = _get(obj, "cadence", "dict", where)
    first = _get(obj, "first_day", "dict", where)
    plan = Plan(
        id=_get(obj, "id", "str", where),
        patient=_get(obj, "patient", "str", where),
        skill=_get(obj, "skill", "str", where),
        home=setting == "home",
        location=(float(location[0]), float(location[1])),
        sessions=_get(obj, "sessions", "int", where),
        duration=_get(obj, "duration", "int", where),
        min_days=_get(cadence, "min_days", "int", f"{where}.cadence"),
        max_days=_get(cadence, "max_days", "int", f"{where}.cadence"),
        first_earliest=_get(first, "earliest", "int", f"{where}.first_day"),
        first_latest=_get(first, "latest", "int", f"{where}.first_day"),
        availability=tuple(
            _window(w, f"{where}.availability[{j}]")
            for j, w in enumerate(_get(obj, "availability", "list", where))
        ),
        preferred_therapist=_get(obj, "preferred_therapist", "str", where, optional=True),
        excluded_therapists=frozenset(
            _get(obj, "excluded_therapists", "strs", where, optional=True) or ()
        ),
    )
    if plan.duration < 1 or plan.sessions < 0:
        raise MalformedProblem(f"{where}: duration must be >= 1 and sessions >= 0")
    if plan.min_days > plan.max_days:
        raise MalformedProblem(f"{where}.cadence: min_days {plan.min_days} > max_days")
    if plan.first_earliest > plan.first_latest:
        raise MalformedProblem(f"{where}.first_day: earliest is after latest")
    return plan


def read_visit(obj: Any, where: str) -> Visit:
    """One `{"plan", "session", "therapist", "day", "start"}` object."""
    return Visit(
        plan=_get(obj, "plan", "str", where),
        session=_get(obj, "session", "int", where),
        therapist=_get(obj, "therapist", "str", where),
        day=_get(obj, "day", "int", where),
        start=_get(obj, "start", "int", where),
    )


def load_problem(document: Any) -> Problem:
    """Validate a parsed problem document and index it; raise `MalformedProblem` if unusable."""
    days = _get(document, "days", "int", "problem")
    speed = _get(_get(document, "travel", "dict", "problem"), "speed_kmh", "num", "problem.travel")
    if days < 1 or speed <= 0:
        raise MalformedProblem("problem: days must be >= 1 and travel.speed_kmh > 0")
    clinics: dict[str, Location] = {}
    for i, raw in enumerate(_get(document, "clinics", "list", "problem")):
        cid = _get(raw, "id", "str", f"clinics[{i}]")
        if cid in clinics:
            raise MalformedProblem(f"clinics[{i}]: duplicate clinic id {cid!r}")
        lat, lon = _get(raw, "location", "loc", f"clinics[{i}]")
        clinics[cid] = (float(lat), float(lon))
    therapists: dict[str, Therapist] = {}
    for i, raw in enumerate(_get(document, "therapists", "list", "problem")):
        t = _therapist(raw, f"therapists[{i}]", clinics)
        if t.id in therapists:
            raise MalformedProblem(f"therapists[{i}]: duplicate therapist id {t.id!r}")
        therapists[t.id] = t
    plans: dict[str, Plan] = {}
    for i, raw in enumerate(_get(document, "plans", "list", "problem")):
        p = _plan(raw, f"plans[{i}]", clinics)
        if p.id in plans:
            raise MalformedProblem(f"plans[{i}]: duplicate plan id {p.id!r}")
        plans[p.id] = p
    fixed = tuple(
        read_visit(v, f"fixed[{i}]")
        for i, v in enumerate(_get(document, "fixed", "list", "problem", optional=True) or [])
    )
    for f in fixed:
        if f.plan not in plans or not 1 <= f.session <= plans[f.plan].sessions:
            raise MalformedProblem(f"fixed: {f.plan!r} session {f.session} names no session")
        if f.therapist not in therapists:
            raise MalformedProblem(f"fixed: {f.plan!r} names unknown therapist {f.therapist!r}")
    if len({(f.plan, f.session) for f in fixed}) != len(fixed):
        raise MalformedProblem("fixed: a (plan, session) is booked twice")
    displaced = frozenset(
        _displaced(raw, f"displaced[{i}]", plans)
        for i, raw in enumerate(_get(document, "displaced", "list", "problem", optional=True) or [])
    )
    grid = _get(document, "slot_minutes", "int", "problem", optional=True)
    grid = 1 if grid is None else grid
    if grid < 1:
        raise MalformedProblem("problem.slot_minutes: must be >= 1")
    name = document.get("name")
    return Problem(
        name=name if isinstance(name, str) else "",
        days=days,
        speed_kmh=float(speed),
        therapists=therapists,
        plans=plans,
        fixed=fixed,
        displaced=displaced,
        grid=grid,
    )


def _displaced(obj: Any, where: str, plans: dict[str, Plan]) -> tuple[str, int]:
    pid, session = _get(obj, "plan", "str", where), _get(obj, "session", "int", where)
    if pid not in plans or not 1 <= session <= plans[pid].sessions:
        raise MalformedProblem(f"{where}: {pid!r} session {session} names no session")
    return pid, session


def read_problem(path: str | Path) -> Problem:
    """Load a problem file; unreadable JSON is reported as `MalformedProblem` too."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise MalformedProblem(f"{path}: cannot read JSON: {e}") from e
    return load_problem(document)
