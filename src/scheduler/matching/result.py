"""The planning result: the spec's `visits` and `unscheduled`, plus scores and explanations."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from scheduler.matching.problem import Visit


@dataclass(frozen=True, slots=True)
class Unscheduled:
    """A session the plan does not place, and the rule that stopped it."""

    plan: str
    session: int
    reason: str
    rule: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a visit went where it did."""

    plan: str
    session: int
    skill: str
    continuity: bool  # every placed session of the plan has this therapist
    preferred: bool | None  # None when the plan states no preference
    added_travel_km: float  # km this visit adds to its day route


@dataclass(frozen=True, slots=True)
class Scores:
    """The checker's scores (same definitions) plus the counts behind them."""

    scheduled: float
    continuity: float
    preferred: float
    travel_km: float
    placed: int
    requested: int


@dataclass(frozen=True, slots=True)
class Changes:
    """What a re-plan did to the previous plan's visits."""

    kept: int
    moved: int
    added: int
    dropped: int
    retimed: int = 0  # of the moved: same therapist and day, another start


@dataclass(slots=True)
class PlanResult:
    """A solve's answer: plain data, JSON-ready via `to_json`."""

    visits: list[Visit]
    unscheduled: list[Unscheduled]
    scores: Scores
    status: str  # "feasible", "infeasible_fixed" (bookings that break a rule), "empty"
    explanations: list[Explanation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    changes: Changes | None = None
    baseline: dict[str, Any] = field(default_factory=dict)
    # v1.1: displaced sessions left for later; each fills its place in 1..k (rule 4).
    postponed: list[tuple[str, int]] = field(default_factory=list)
    # Why the result breaks a rule when `status` is "infeasible_fixed" (the input's own).
    broken: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The result document (`spec/planning-problem.md` plus this solver's own keys)."""
        out: dict[str, Any] = {
            "visits": [asdict(v) for v in self.visits],
            "unscheduled": [asdict(u) for u in self.unscheduled],
            "scores": asdict(self.scores),
            "status": self.status,
            "explanations": [asdict(e) for e in self.explanations],
            "timings": self.timings,
        }
        if self.postponed:
            out["postponed"] = [{"plan": p, "session": s} for p, s in self.postponed]
        if self.broken:
            out["broken"] = self.broken
        if self.changes is not None:
            out["changes"] = asdict(self.changes)
        return out
