"""Applying a proposal: ordinary booking commands, one at a time, by the dispatcher.

The solver proposes; the calendar decides. Each item becomes `book_session` (a new
session) or `reschedule_session` (a moved one) under the dispatcher's name, so every
booking rule is checked again and the history shows ordinary booking events. What was
booked meanwhile wins:
- an item whose session was moved, cancelled or closed since the solve began, or whose
  plan got or lost a booking meanwhile, is a conflict and is not tried;
- an item the calendar now refuses (the slot was taken, the patient is busy) is a
  conflict with the rule it broke.
Items are tried in rounds, because one move can free the slot another needs; a round
that applies nothing ends it. Nothing already applied is undone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.domain.errors import BookingConflict, BookingError, SchedulingError
from scheduler.planning.diff import is_move, plan_changed, session_changed

ROUNDS = 4


@dataclass
class Outcome:
    """What applying a proposal did, item by item."""

    proposal_id: UUID
    applied: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def _error_code(error: Exception) -> str:
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def _try(app: Scheduling, item: dict[str, Any], reason: str, actor: str, now: datetime) -> str:
    """Run the item's command; returns the session id it booked or moved."""
    if item["session_id"] is None:
        session_id = app.book_session(
            plan_id=item["plan_id"],
            therapist_id=item["therapist_id"],
            start=item["start"],
            actor=actor,
            now=now,
            reason=reason,
        )
        return str(session_id)
    app.reschedule_session(
        item["session_id"],
        start=item["start"],
        therapist_id=item["therapist_id"],
        actor=actor,
        reason=reason,
        now=now,
    )
    return str(item["session_id"])


def apply_proposal(
    app: Scheduling, proposal_id: UUID | str, *, actor: str, now: datetime
) -> Outcome:
    """Apply the proposal's items as booking commands by `actor`; list what conflicted.

    Raises ProposalAlreadyApplied if it was applied (or is being applied) already.
    """
    app.begin_applying(proposal_id, actor=actor, now=now)
    proposal = app.get_proposal(proposal_id)
    outcome = Outcome(proposal.id)
    reason = f"optimization proposal {proposal.id}"
    changed_plans = {plan for plan in proposal.plans if plan_changed(app, proposal, plan)}
    pending: list[tuple[dict[str, Any], Exception | None]] = []
    for item in proposal.items:
        if item["session_id"] is None and item["plan_id"] in changed_plans:
            outcome.conflicts.append(
                _conflict(
                    item,
                    "plan_changed",
                    "the plan was booked or changed since the optimization began",
                )
            )
        elif item["session_id"] is not None and session_changed(app, item):
            outcome.conflicts.append(
                _conflict(
                    item, "session_changed", "the session was moved, cancelled or closed meanwhile"
                )
            )
        elif item["session_id"] is not None and not is_move(item):
            outcome.unchanged.append(item)
        else:
            pending.append((item, None))
    for _ in range(ROUNDS):
        refused: list[tuple[dict[str, Any], Exception | None]] = []
        for item, _error in pending:
            try:
                session_id = _try(app, item, reason, actor, now)
            except (BookingError, BookingConflict) as error:
                refused.append((item, error))
                continue
            outcome.applied.append({**item, "session_id": session_id})
        if len(refused) == len(pending):
            break
        pending = refused
    else:
        refused = pending
    for item, refusal in refused:
        assert isinstance(refusal, SchedulingError)
        outcome.conflicts.append(_conflict(item, _error_code(refusal), str(refusal)))
    app.finish_applying(
        proposal.id,
        outcomes=[
            *(
                {"session_id": i["session_id"], "plan_id": i["plan_id"], "result": "applied"}
                for i in outcome.applied
            ),
            *(
                {"session_id": i["session_id"], "plan_id": i["plan_id"], "result": i["error"]}
                for i in outcome.conflicts
            ),
        ],
        actor=actor,
        now=now,
    )
    return outcome


def _conflict(item: dict[str, Any], code: str, detail: str) -> dict[str, Any]:
    return {**item, "error": code, "detail": detail}
