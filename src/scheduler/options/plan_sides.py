"""Each plan's side of a search, kept while the records it came from are unchanged.

A search reads the plan, its prescription, the clinic, the patient and every session
of the patient: about ten records from the event store, the same ones each time the
patient opens the booking page, pages through it or filters it. The reads are watched
(`Scheduling.watching_reads`: every record loaded, at its version), and the answer is
kept with those versions. The next search asks the event store for the newest version
of the same records in one indexed query, and reuses the answer if none moved.

That is exact, not a guess at freshness: anything that changes the answer changes one
of those records (a new session is added to the plan, a new plan to the patient, a move
or a cancellation to the session, a new cadence to the plan), so a newer version of
any of them means the records are read again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.options.sources import PlanSide, plan_side

T = TypeVar("T")
log = logging.getLogger("scheduler.readside")

SIZE = 4096
"""Plans kept per process (least recently searched dropped first)."""


class Versions(Protocol):
    """The event store's versions (`readside.reader.ReadModel.versions`)."""

    async def versions(self, table: str, ids: list[UUID]) -> dict[UUID, int]:
        """The newest version of each of `ids` in `table`."""


class Reader(Protocol):
    """How the cache reads the domain (`usecases.UseCases.read`)."""

    async def read(self, fn: Callable[[Scheduling, datetime], T]) -> T:
        """`fn(app, now)` in a store thread."""


class PlanSides:
    """`PlanSide`s by plan, each with the versions it was read at."""

    def __init__(self, store: Versions, *, size: int = SIZE) -> None:
        self.store = store
        self.size = size
        self._held: OrderedDict[UUID, tuple[PlanSide, dict[UUID, int], str]] = OrderedDict()
        self._plan_of: OrderedDict[UUID, UUID | None] = OrderedDict()  # a session's plan
        self.reads = 0  # how many times a side was read from the domain (tests count them)

    async def side(self, uc: Reader, plan_id: UUID) -> PlanSide:
        """The plan's side as of now (raises the domain's errors, e.g. an unknown plan)."""
        held = self._held.get(plan_id)
        if held is not None:
            side, seen, table = held
            try:
                newest = await self.store.versions(table, list(seen))
            except Exception as error:  # the read side's pool is down: read the domain
                log.warning("plan versions unavailable", extra={"error_type": type(error).__name__})
                newest = {}
            if newest and all(newest.get(record, 0) == version for record, version in seen.items()):
                self._held.move_to_end(plan_id)
                return side

        def read(app: Scheduling, _: datetime) -> tuple[PlanSide, dict[UUID, int], str]:
            with app.watching_reads() as seen:
                side = plan_side(app, plan_id)
            return side, dict(seen), app.recorder.events_table_name  # type: ignore[attr-defined]

        found = await uc.read(read)
        self.reads += 1
        self._held[plan_id] = found
        self._held.move_to_end(plan_id)
        while len(self._held) > self.size:
            self._held.popitem(last=False)
        return found[0]

    async def plan_of(self, uc: Reader, session_id: UUID) -> UUID | None:
        """The plan a session belongs to (None: an evaluation visit); raises the domain's
        error for an unknown session."""
        if session_id not in self._plan_of:
            session = await uc.read(lambda app, _: app.get_session(session_id))
            self._plan_of[session_id] = session.plan_id  # never changes
            while len(self._plan_of) > 16 * self.size:
                self._plan_of.popitem(last=False)
        return self._plan_of[session_id]
