"""Bodies of the dispatcher's optimization routes: requests, jobs, proposals, outcomes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from scheduler.api.schemas.types import Day
from scheduler.domain.commands.sick_calls import MAX_SICK_DAYS
from scheduler.domain.errors import InvalidInput
from scheduler.domain.model.proposal import ProposalItem
from scheduler.planning.apply import Outcome
from scheduler.planning.diff import Diff
from scheduler.usecases.sick_calls import Displacing
from scheduler.worker import JobState

Reason = Annotated[str, msgspec.Meta(max_length=500)]
TimeLimit = Annotated[float, msgspec.Meta(ge=0.5, le=600, examples=[10.0])]


class OptimizeDays(
    msgspec.Struct, forbid_unknown_fields=True, rename={"first": "from", "last": "to"}
):
    """Plan the clinic's `from`..`to` (local dates, at most 31 days, today or later)."""

    first: Day
    last: Day
    time_limit_s: TimeLimit = 10.0
    keep_booked: bool = True
    """True: booked visits stay (only new sessions are proposed, plus visits whose
    therapist is now off). False: unpinned bookings may move too."""


class ReportSick(
    msgspec.Struct, forbid_unknown_fields=True, rename={"first": "from", "last": "to"}
):
    """The local days the therapist is off sick: `from`..`to`, or a list of `dates`.
    Sending it confirms the call (see what it would displace with GET .../sick-preview):
    the days are blocked and their visits displaced at once; a re-plan is queued."""

    dates: Annotated[list[Day], msgspec.Meta(max_length=31)] = msgspec.field(default_factory=list)
    first: Day | None = None
    last: Day | None = None
    reason: Reason = ""
    time_limit_s: TimeLimit = 10.0

    def days(self) -> list[date]:
        """The days named: the list, or every day of the range (InvalidInput: neither,
        both, or half a range)."""
        return sick_call_days(self.dates, self.first, self.last)


def sick_call_days(dates: list[date], first: date | None, last: date | None) -> list[date]:
    """`dates`, or every day of `first`..`last`; InvalidInput unless exactly one is given."""
    if dates and (first or last):
        raise InvalidInput("give either `dates` or `from` and `to`, not both")
    if dates:
        return list(dates)
    if first is None or last is None:
        raise InvalidInput("name the sick days: `dates`, or `from` and `to`")
    if last < first:
        raise InvalidInput(f"'to' ({last}) is before 'from' ({first}): give from <= to")
    if (last - first).days >= MAX_SICK_DAYS:
        raise InvalidInput(f"a sick call covers at most {MAX_SICK_DAYS} days; record another")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class UndoSickCall(msgspec.Struct, forbid_unknown_fields=True):
    """Why the sick call is undone (the therapist is fit after all, a mistake)."""

    reason: Reason = ""


class ApplyProposal(msgspec.Struct, forbid_unknown_fields=True):
    """Which items to apply: their `key`s (none sent: every item)."""

    only: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=100)]], msgspec.Meta(max_length=2000)]
        | None
    ) = None


class PinVisit(msgspec.Struct, forbid_unknown_fields=True):
    """Why the visit is pinned (or released)."""

    reason: Reason = ""


class Pin(msgspec.Struct):
    """Whether the session is pinned now, and whether this request changed that."""

    session_id: UUID
    pinned: bool
    changed: bool


class OptimizationJob(msgspec.Struct):
    """A queued optimization: poll `GET /optimizations/{id}` until `status` is complete."""

    id: str
    clinic_id: str
    purpose: str
    status: Literal["queued", "active", "complete", "failed", "new"]
    progress: float
    proposal_id: UUID | None = None
    error: str | None = None

    @classmethod
    def of(cls, state: JobState) -> OptimizationJob:
        """From the runner's job state."""
        return cls(
            id=state.id,
            clinic_id=state.clinic_id,
            purpose=state.purpose,
            status=state.status,  # type: ignore[arg-type]
            progress=round(state.progress, 3),
            proposal_id=UUID(state.proposal_id) if state.proposal_id else None,
            error=state.error,
        )


class DisplacedVisit(msgspec.Struct):
    """A visit a sick call displaced (or would): it waits for a new time."""

    session_id: UUID
    plan_id: UUID | None
    patient_id: UUID
    patient_name: str
    therapist_id: UUID
    start: datetime
    start_local: datetime
    end_local: datetime
    status: str
    postponed: bool = False

    @classmethod
    def of(cls, entry: Displacing, *, postponed: bool = False) -> DisplacedVisit:
        """From the use case's entry."""
        session = entry.session
        return cls(
            session_id=session.id,
            plan_id=session.plan_id,
            patient_id=session.patient_id,
            patient_name=entry.patient,
            therapist_id=session.therapist_id,
            start=session.start,
            start_local=session.start_local,
            end_local=session.end_local,
            status=session.status,
            postponed=postponed,
        )


class SickCallPreview(msgspec.Struct):
    """What recording the sick call would displace; nothing is recorded yet."""

    therapist_id: UUID
    therapist_name: str
    dates: list[date]
    displaced: list[DisplacedVisit]


class SickCall(msgspec.Struct):
    """The sick call recorded, the visits it displaced, and the re-plan queued."""

    sick_call_id: UUID
    therapist_id: UUID
    dates: list[date]
    displaced: list[DisplacedVisit]
    job: OptimizationJob


class SickCallUndone(msgspec.Struct):
    """The visits back where they were, and those still waiting for a new time."""

    sick_call_id: UUID
    restored: list[UUID]
    waiting: list[UUID]


class Placement(msgspec.Struct):
    """Who sees the patient when (UTC and the clinic's local time)."""

    therapist_id: UUID
    start: datetime
    start_local: datetime
    end_local: datetime


class Item(msgspec.Struct, omit_defaults=True):
    """One visit of a proposal: where it goes and, for a booked session, where it is;
    `key` names it when applying only some items; `why` says why it moves."""

    plan_id: UUID
    patient_id: UUID
    to: Placement
    latitude: float
    longitude: float
    key: str = ""
    why: str = ""
    session_id: UUID | None = None
    was: Placement | None = None
    error: str | None = None
    detail: str | None = None


class Unplaced(msgspec.Struct):
    """A booked visit the proposal found no place for; applying leaves it as it is."""

    session_id: UUID
    plan_id: UUID
    therapist_id: UUID
    start: datetime
    start_local: datetime
    reason: str


class ItemOutcome(msgspec.Struct):
    """What applying did to one item: `applied`, or the error code of its conflict."""

    plan_id: UUID | None
    session_id: UUID | None
    result: str


class Travel(msgspec.Struct):
    """Route km of every therapist over the range: now, after applying, and saved."""

    km_before: float
    km_after: float
    km_saved: float


class Preview(msgspec.Struct):
    """A proposal against the live calendar."""

    id: UUID
    clinic_id: UUID
    status: str
    purpose: str
    first: date = msgspec.field(name="from")
    last: date = msgspec.field(name="to")
    moved: list[Item] = msgspec.field(default_factory=list)
    added: list[Item] = msgspec.field(default_factory=list)
    unchanged: list[Item] = msgspec.field(default_factory=list)
    stale: list[Item] = msgspec.field(default_factory=list)
    unplaced: list[Unplaced] = msgspec.field(default_factory=list)
    travel: Travel | None = None
    summary: dict[str, Any] = msgspec.field(default_factory=dict)
    outcomes: list[ItemOutcome] = msgspec.field(default_factory=list)
    """Once applied: what became of each item (its items then read against the calendar
    they changed, so moved ones show as stale)."""

    @classmethod
    def of(cls, found: Diff, timezone: str) -> Preview:
        """From the diff of a proposal against the calendar."""
        zone = ZoneInfo(timezone)
        proposal = found.proposal
        return cls(
            id=proposal.id,
            clinic_id=proposal.clinic_id,
            status=proposal.status,
            purpose=proposal.purpose,
            first=proposal.first_day,
            last=proposal.last_day,
            moved=[item_of(i, zone) for i in found.moved],
            added=[item_of(i, zone) for i in found.added],
            unchanged=[item_of(i, zone) for i in found.unchanged],
            stale=[item_of(i, zone) for i in found.stale],
            unplaced=[
                Unplaced(
                    session_id=entry.session_id,
                    plan_id=entry.plan_id,
                    therapist_id=entry.therapist_id,
                    start=entry.start,
                    start_local=entry.start.astimezone(zone),
                    reason=entry.reason,
                )
                for entry in proposal.unplaced
            ],
            travel=Travel(found.travel_km_before, found.travel_km_after, found.travel_km_saved),
            summary=proposal.summary,
            outcomes=[
                ItemOutcome(plan_id=o.plan_id, session_id=o.session_id, result=o.result)
                for o in proposal.outcomes
            ],
        )


class Applied(msgspec.Struct):
    """What applying did: each item applied, left as it was, or a conflict (and why)."""

    proposal_id: UUID
    applied: list[Item]
    unchanged: list[Item]
    conflicts: list[Item]
    skipped: list[Item] = msgspec.field(default_factory=list)
    postponed: list[UUID] = msgspec.field(default_factory=list)
    """Sessions a sick call displaced that got no new time: they wait on their plans,
    first on the waitlist, and their patients see options."""

    @classmethod
    def of(cls, outcome: Outcome, timezone: str) -> Applied:
        """From the apply's outcome."""
        zone = ZoneInfo(timezone)
        return cls(
            proposal_id=outcome.proposal_id,
            applied=[item_of(i, zone) for i in outcome.applied],
            unchanged=[item_of(i, zone) for i in outcome.unchanged],
            conflicts=[
                item_of(r.item, zone, error=r.error, detail=r.detail) for r in outcome.conflicts
            ],
            skipped=[item_of(i, zone) for i in outcome.skipped],
            postponed=list(outcome.postponed),
        )


def _placement(therapist: UUID, start: datetime, end: datetime, zone: ZoneInfo) -> Placement:
    return Placement(therapist, start, start.astimezone(zone), end.astimezone(zone))


def item_of(
    item: ProposalItem, zone: ZoneInfo, *, error: str | None = None, detail: str | None = None
) -> Item:
    """An API item from a stored proposal item (with the conflict, for a refused one)."""
    was = None
    if item.was_start is not None and item.was_therapist_id is not None:
        length = item.end - item.start
        was = _placement(item.was_therapist_id, item.was_start, item.was_start + length, zone)
    return Item(
        plan_id=item.plan_id,
        patient_id=item.patient_id,
        to=_placement(item.therapist_id, item.start, item.end, zone),
        latitude=item.latitude,
        longitude=item.longitude,
        key=item.key,
        why=item.why,
        session_id=item.session_id,
        was=was,
        error=error,
        detail=detail,
    )
