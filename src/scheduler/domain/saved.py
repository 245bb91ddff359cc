"""Aggregates exactly as this process last saved them, to skip re-reading them.

Safe only for aggregates the next command will save again: if another writer (thread or
process) changed one since, the store refuses the save on its version number and the
command runs again on state read from the store. So a stale copy costs one retry, never
a wrong booking. Read-only rule inputs (a patient's contraindications, a therapist's
shifts) are always read from the store.

A copy is *taken* (removed) when handed out: the command mutates it freely, and only a
successful save puts the new state back. No copying, and no half-changed state left
behind by a command that was rejected.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from threading import Lock
from typing import Any
from uuid import UUID


class SavedCopies:
    """A bounded, thread-safe map from aggregate id to its last saved state."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._items: OrderedDict[UUID, Any] = OrderedDict()
        self._lock = Lock()

    def take(self, aggregate_id: UUID) -> Any | None:
        """The saved aggregate (removed from the map), or None."""
        with self._lock:
            return self._items.pop(aggregate_id, None)

    def keep(self, aggregates: Iterable[Any]) -> None:
        """Remember just-saved aggregates, never replacing a newer version."""
        with self._lock:
            for aggregate in aggregates:
                held = self._items.get(aggregate.id)
                if held is None or held.version <= aggregate.version:
                    self._items[aggregate.id] = aggregate
                    self._items.move_to_end(aggregate.id)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)
