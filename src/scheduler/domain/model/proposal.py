"""Optimization proposals: what the solver suggested for a clinic's days, kept durably.

The solver proposes; a dispatcher previews the proposal against the live calendar and
applies it as ordinary booking commands. The proposal itself only records what was
suggested (`Proposed`), that someone started applying it (`ApplyStarted`, saved with
optimistic concurrency so two dispatchers cannot apply one proposal twice) and what
became of each item (`Applied`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Transcoding

from scheduler.domain.errors import ProposalAlreadyApplied

READY, APPLYING, APPLIED = "ready", "applying", "applied"


@dataclass(frozen=True)
class ProposalItem:
    """One visit the solver placed: a new session (`session_id` None) or a booked one,
    with where it was when the solve began (`was_*`) so an apply can tell whether
    someone changed it meanwhile."""

    plan_id: UUID
    patient_id: UUID
    session_id: UUID | None
    therapist_id: UUID
    start: datetime
    end: datetime
    latitude: float
    longitude: float
    was_therapist_id: UUID | None = None
    was_start: datetime | None = None
    why: str = ""

    @property
    def key(self) -> str:
        """Names the item when a dispatcher picks which items to apply: the session's id,
        or for a new session its plan and start."""
        if self.session_id is not None:
            return str(self.session_id)
        return f"{self.plan_id}@{self.start.isoformat()}"

    @property
    def is_move(self) -> bool:
        """True when the item puts a booked session somewhere else than where it was."""
        return self.session_id is not None and (
            self.therapist_id != self.was_therapist_id or self.start != self.was_start
        )


@dataclass(frozen=True)
class UnplacedItem:
    """A booked session the solver found no place for; applying leaves it as it is."""

    plan_id: UUID
    session_id: UUID
    therapist_id: UUID
    start: datetime
    reason: str


@dataclass(frozen=True)
class ItemOutcome:
    """What applying did with one item: `applied`, or the code of the rule it broke."""

    plan_id: UUID
    session_id: UUID | None
    result: str


class _DataclassAsDict(Transcoding):
    """Stores one of the proposal's dataclasses as a dict of its fields."""

    type: type[Any]
    name: str

    def encode(self, obj: Any) -> dict[str, Any]:
        """Its fields."""
        return asdict(obj)

    def decode(self, data: dict[str, Any]) -> Any:
        """Back to the dataclass."""
        return self.type(**data)


class ProposalItemAsDict(_DataclassAsDict):
    """Transcoding of `ProposalItem`."""

    type = ProposalItem
    name = "proposal_item"


class UnplacedItemAsDict(_DataclassAsDict):
    """Transcoding of `UnplacedItem`."""

    type = UnplacedItem
    name = "unplaced_item"


class ItemOutcomeAsDict(_DataclassAsDict):
    """Transcoding of `ItemOutcome`."""

    type = ItemOutcome
    name = "item_outcome"


TRANSCODINGS = (ProposalItemAsDict(), UnplacedItemAsDict(), ItemOutcomeAsDict())
"""Registered by the application, so proposals' events store typed items."""


class Proposal(Aggregate):
    """A solver's suggestion for one clinic and a range of local dates."""

    class Proposed(Aggregate.Created):
        clinic_id: UUID
        first_day: date
        last_day: date
        purpose: str
        items: list[ProposalItem]
        unplaced: list[UnplacedItem]
        plans: dict[str, list[str]]
        summary: dict[str, Any]
        actor: str
        at: datetime

    @event(Proposed)
    def __init__(
        self,
        *,
        clinic_id: UUID,
        first_day: date,
        last_day: date,
        purpose: str,
        items: list[ProposalItem],
        unplaced: list[UnplacedItem],
        plans: dict[str, list[str]],
        summary: dict[str, Any],
        actor: str,
        at: datetime,
    ) -> None:
        self.clinic_id = clinic_id
        self.first_day = first_day
        self.last_day = last_day
        self.purpose = purpose
        self.items = list(items)
        self.unplaced = list(unplaced)
        self.plans = plans
        self.summary = summary
        self.proposed_by = actor
        self.proposed_at = at
        self.status = READY
        self.outcomes: list[ItemOutcome] = []

    def check_ready(self) -> None:
        """Raise ProposalAlreadyApplied unless nobody has started applying it."""
        if self.status != READY:
            raise ProposalAlreadyApplied(
                f"the proposal is {self.status}: run a new optimization instead"
            )

    class ApplyStarted(Aggregate.Event):
        actor: str
        at: datetime

    @event(ApplyStarted)
    def start_applying(self, actor: str, at: datetime) -> None:
        """Claim the proposal for one apply (after `check_ready`)."""
        self.status = APPLYING

    class Applied(Aggregate.Event):
        outcomes: list[ItemOutcome]
        actor: str
        at: datetime

    @event(Applied)
    def record_outcomes(self, outcomes: list[ItemOutcome], actor: str, at: datetime) -> None:
        """What each item became: applied, or a conflict (with the rule)."""
        self.status = APPLIED
        self.outcomes = list(outcomes)
