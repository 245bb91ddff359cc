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

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.domain.errors import BookingConflict, BookingError, SchedulingError
from scheduler.domain.model.proposal import ItemOutcome, ProposalItem
from scheduler.planning.diff import changed, session_changed

ROUNDS = 4


@dataclass(frozen=True)
class Refused:
    """An item applying did not apply, with the code and message of why."""

    item: ProposalItem
    error: str
    detail: str


@dataclass
class Outcome:
    """What applying a proposal did, item by item."""

    proposal_id: UUID
    applied: list[ProposalItem] = field(default_factory=list)
    unchanged: list[ProposalItem] = field(default_factory=list)
    conflicts: list[Refused] = field(default_factory=list)


def _try(app: Scheduling, item: ProposalItem, reason: str, actor: str, now: datetime) -> UUID:
    """Run the item's command; returns the session id it booked or moved."""
    if item.session_id is None:
        return app.book_session(
            plan_id=item.plan_id,
            therapist_id=item.therapist_id,
            start=item.start,
            actor=actor,
            now=now,
            reason=reason,
        )
    app.reschedule_session(
        item.session_id,
        start=item.start,
        therapist_id=item.therapist_id,
        actor=actor,
        reason=reason,
        now=now,
    )
    return item.session_id


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
    changed_plans = changed(app, proposal)
    pending: list[ProposalItem] = []
    for item in proposal.items:
        if item.session_id is None and item.plan_id in changed_plans:
            outcome.conflicts.append(
                Refused(
                    item, "plan_changed", "the plan was booked or changed since the solve began"
                )
            )
        elif item.session_id is not None and session_changed(app, item):
            outcome.conflicts.append(
                Refused(
                    item, "session_changed", "the session was moved, cancelled or closed meanwhile"
                )
            )
        elif item.session_id is not None and not item.is_move:
            outcome.unchanged.append(item)
        else:
            pending.append(item)
    refusals: dict[int, SchedulingError] = {}
    for _ in range(ROUNDS):
        refused: list[ProposalItem] = []
        for item in pending:
            try:
                session_id = _try(app, item, reason, actor, now)
            except (BookingError, BookingConflict) as error:
                refused.append(item)
                refusals[id(item)] = error
                continue
            outcome.applied.append(replace(item, session_id=session_id))
        if len(refused) == len(pending):
            break
        pending = refused
    outcome.conflicts += [
        Refused(item, refusals[id(item)].code, str(refusals[id(item)])) for item in refused
    ]
    app.finish_applying(
        proposal.id,
        outcomes=[
            *(ItemOutcome(i.plan_id, i.session_id, "applied") for i in outcome.applied),
            *(ItemOutcome(r.item.plan_id, r.item.session_id, r.error) for r in outcome.conflicts),
        ],
        actor=actor,
        now=now,
    )
    return outcome
