"""Recording optimization proposals and the one apply each may have."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import UnknownProposal
from scheduler.domain.model.proposal import ItemOutcome, Proposal, ProposalItem, UnplacedItem
from scheduler.domain.timekeeping import as_utc


class Proposals(Store):
    """Storing what the solver suggested, and claiming and closing its apply."""

    def record_proposal(
        self,
        *,
        clinic_id: UUID | str,
        first_day: date,
        last_day: date,
        purpose: str,
        items: list[ProposalItem],
        unplaced: list[UnplacedItem],
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

        self._save_retrying(command, identity=("begin_applying", str(proposal_id)))

    def finish_applying(
        self, proposal_id: UUID | str, *, outcomes: list[ItemOutcome], actor: str, now: datetime
    ) -> None:
        """Record what became of each item of a claimed proposal."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            proposal = self._load(Proposal, proposal_id, UnknownProposal)
            proposal.record_outcomes(outcomes, actor, at)
            return [proposal]

        self._save_retrying(command, identity=("finish_applying", str(proposal_id)))
