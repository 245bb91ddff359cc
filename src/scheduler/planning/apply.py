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

The dispatcher may apply only some items (`only`: their keys); the others are `skipped`.
Every session a sick call displaced that the proposal covers and that has no new time
after applying (unplaced, skipped or refused) is then postponed: it stays on its plan,
waiting, and its patient gets first place on the waitlist.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.domain.errors import BookingConflict, BookingError, InvalidInput, SchedulingError
from scheduler.domain.model.proposal import ItemOutcome, ProposalItem
from scheduler.domain.views import ProposalView
from scheduler.planning.diff import changed, session_changed

ROUNDS = 4

WAIT_DAYS = 14
"""Days at least a postponed session waits on the waitlist for freed time."""


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
    skipped: list[ProposalItem] = field(default_factory=list)
    postponed: list[UUID] = field(default_factory=list)


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


def check_keys(app: Scheduling, proposal_id: UUID | str, only: Collection[str]) -> None:
    """Raise InvalidInput unless every key names an item of the proposal."""
    known = {item.key for item in app.get_proposal(proposal_id).items}
    unknown = sorted(set(only) - known)
    if unknown:
        raise InvalidInput(
            f"{len(unknown)} item key(s) name no item of this proposal (e.g. {unknown[0]!r}): "
            "use the `key` of the items the preview lists"
        )


def apply_proposal(
    app: Scheduling,
    proposal_id: UUID | str,
    *,
    actor: str,
    now: datetime,
    only: Collection[str] | None = None,
) -> Outcome:
    """Apply the proposal's items (or those whose keys are in `only`) as booking commands
    by `actor`; list what conflicted; postpone the displaced sessions left without a time.

    Raises ProposalAlreadyApplied if it was applied (or is being applied) already, and
    InvalidInput (nothing applied) if `only` names an item the proposal does not have.
    """
    if only is not None:
        check_keys(app, proposal_id, only)
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
        elif only is not None and item.key not in only:
            outcome.skipped.append(item)
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
            *(ItemOutcome(i.plan_id, i.session_id, "skipped") for i in outcome.skipped),
        ],
        actor=actor,
        now=now,
    )
    outcome.postponed = _postpone_left(app, proposal, actor=actor, now=now)
    return outcome


def _postpone_left(
    app: Scheduling, proposal: ProposalView, *, actor: str, now: datetime
) -> list[UUID]:
    """Postpone each displaced session the proposal covers that still has no time."""
    covered = [i.session_id for i in proposal.items if i.session_id is not None]
    covered += [u.session_id for u in proposal.unplaced]
    postponed = []
    for session_id in dict.fromkeys(covered):
        session = app.get_session(session_id)
        if session.status != "displaced" or session.plan_id is None:
            continue
        plan = app.get_plan(session.plan_id)
        if session_id in plan.postponed:
            continue
        wait = timedelta(days=max(WAIT_DAYS, 2 * plan.max_days))
        app.postpone_session(
            session_id,
            actor=actor,
            reason=f"no new time in proposal {proposal.id}: options offered, first on the waitlist",
            now=now,
            wait_until=now + wait,
        )
        postponed.append(session_id)
    return postponed
