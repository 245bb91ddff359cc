"""Optimization proposals: what the solver suggested for a clinic's days, kept durably.

The solver proposes; a dispatcher previews the proposal against the live calendar and
applies it as ordinary booking commands. The proposal itself only records what was
suggested (`Proposed`), that someone started applying it (`ApplyStarted`, saved with
optimistic concurrency so two dispatchers cannot apply one proposal twice) and what
became of each item (`Applied`). Items are plain dicts written by `scheduler.planning`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from scheduler.domain.base import SchedulingBase
from scheduler.domain.errors import ProposalAlreadyApplied, UnknownProposal
from scheduler.domain.timekeeping import as_utc

READY, APPLYING, APPLIED = "ready", "applying", "applied"


class Proposal(Aggregate):
    """A solver's suggestion for one clinic and a range of local dates."""

    @event("Proposed")
    def __init__(
        self,
        *,
        clinic_id: UUID,
        first_day: date,
        last_day: date,
        purpose: str,
        items: list[dict[str, Any]],
        unplaced: list[dict[str, Any]],
        plans: dict[str, list[str]],
        summary: dict[str, Any],
        actor: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.first_day = first_day
        self.last_day = last_day
        self.purpose = purpose
        self.items = items
        self.unplaced = unplaced
        self.plans = plans
        self.summary = summary
        self.proposed_by = actor
        self.proposed_at = at
        self.status = READY
        self.outcomes: list[dict[str, Any]] = []

    def check_ready(self) -> None:
        """Raise ProposalAlreadyApplied unless nobody has started applying it."""
        if self.status != READY:
            raise ProposalAlreadyApplied(
                f"proposal {self.id} is {self.status}: run a new optimization instead"
            )

    @event("ApplyStarted")
    def start_applying(self, actor: str, at: datetime) -> None:
        """Claim the proposal for one apply (after `check_ready`)."""
        self.status = APPLYING

    @event("Applied")
    def record_outcomes(self, outcomes: list[dict[str, Any]], actor: str, at: datetime) -> None:
        """What each item became: applied, unchanged or a conflict (with the rule)."""
        self.status = APPLIED
        self.outcomes = outcomes


@dataclass(frozen=True)
class ProposalView:
    """A proposal as stored (items as the planner wrote them)."""

    id: UUID
    clinic_id: UUID
    first_day: date
    last_day: date
    purpose: str
    status: str
    items: tuple[dict[str, Any], ...]
    unplaced: tuple[dict[str, Any], ...]
    plans: dict[str, list[str]]
    summary: dict[str, Any]
    proposed_by: str
    proposed_at: datetime
    outcomes: tuple[dict[str, Any], ...]


class Proposals(SchedulingBase):
    """Recording proposals and the one apply each may have."""

    def record_proposal(
        self,
        *,
        clinic_id: UUID | str,
        first_day: date,
        last_day: date,
        purpose: str,
        items: list[dict[str, Any]],
        unplaced: list[dict[str, Any]],
        plans: dict[str, list[str]],
        summary: dict[str, Any],
        actor: str,
        now: datetime,
    ) -> UUID:
        """Store a proposal for the clinic's `first_day`..`last_day`; returns its id.

        `plans` maps each plan id to its session ids when the solve began, so an apply
        can tell that a booking was made on the plan meanwhile.
        """
        clinic = self._clinic(clinic_id)
        proposal = Proposal(
            clinic_id=clinic.id,
            first_day=first_day,
            last_day=last_day,
            purpose=purpose,
            items=items,
            unplaced=unplaced,
            plans=plans,
            summary=summary,
            actor=actor,
            at=as_utc(now, "now"),
        )
        self.save(proposal)
        return proposal.id

    def get_proposal(self, proposal_id: UUID | str) -> ProposalView:
        """The stored proposal."""
        found = self._load(Proposal, proposal_id, UnknownProposal)
        return ProposalView(
            id=found.id,
            clinic_id=found.clinic_id,
            first_day=found.first_day,
            last_day=found.last_day,
            purpose=found.purpose,
            status=found.status,
            items=tuple(dict(item) for item in found.items),
            unplaced=tuple(dict(item) for item in found.unplaced),
            plans={key: list(value) for key, value in found.plans.items()},
            summary=dict(found.summary),
            proposed_by=found.proposed_by,
            proposed_at=found.proposed_at,
            outcomes=tuple(dict(item) for item in found.outcomes),
        )

    def begin_applying(self, proposal_id: UUID | str, *, actor: str, now: datetime) -> None:
        """Claim the proposal; ProposalAlreadyApplied if it was (or is being) applied.

        Of two dispatchers applying at once, the store accepts one claim; the other is
        retried on fresh state and then finds the proposal taken.
        """
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            proposal = self._load(Proposal, proposal_id, UnknownProposal)
            proposal.check_ready()
            proposal.start_applying(actor, at)
            return [proposal]

        self._save_retrying(command)

    def finish_applying(
        self,
        proposal_id: UUID | str,
        *,
        outcomes: list[dict[str, Any]],
        actor: str,
        now: datetime,
    ) -> None:
        """Record what became of each item of a claimed proposal."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            proposal = self._load(Proposal, proposal_id, UnknownProposal)
            proposal.record_outcomes(outcomes, actor, at)
            return [proposal]

        self._save_retrying(command)
