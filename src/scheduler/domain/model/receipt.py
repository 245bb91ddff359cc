"""Receipts: a command sent again with the same request key runs once, across processes.

When a caller gives a request key (the API's `Idempotency-Key`, scoped to the account
and route), each command it runs saves a `Receipt` in the SAME transaction as its
events: the receipt's id is derived from the key and the command's identity, and it
records which aggregates the command saved, at which versions. A retry (after a lost
answer, a killed process, on another process, with or without Redis) finds the receipt
and answers with what the first run saved instead of running again. Two racing copies
of one request cannot both save: the receipt's id is taken by the first.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

# Fixed namespace: changing it would orphan every stored receipt.
_NAMESPACE = UUID("5e1d2c4b-7a69-4f0e-8b3d-1c2a9e6f4d70")


def receipt_id(request_key: str, command: tuple[object, ...]) -> UUID:
    """The receipt of `command` (its name and identifying arguments) under a request key."""
    identity = hashlib.sha256(repr(command).encode()).hexdigest()
    return uuid5(_NAMESPACE, f"{request_key}/{identity}")


class Receipt(Aggregate):
    """What one command of a keyed request saved: (aggregate id, version) pairs."""

    @staticmethod
    def create_id(receipt_id: UUID) -> UUID:
        """Derived from the request key and the command, by `receipt_id`."""
        return receipt_id

    class Issued(Aggregate.Created):
        receipt_id: UUID
        command: str
        saved: list[list[str | int]]
        at: datetime

    @event(Issued)
    def __init__(
        self, *, receipt_id: UUID, command: str, saved: list[list[str | int]], at: datetime
    ) -> None:
        self.command = command
        self.saved = [(UUID(str(pair[0])), int(pair[1])) for pair in saved]
