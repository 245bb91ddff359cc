"""What a live-board subscriber receives when a session of its clinic changes."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec


class BoardChange(msgspec.Struct, frozen=True):
    """A session was booked, moved, cancelled, completed or missed.

    `day` and `therapist_id` are where the session is now (for a move: its new place);
    a board showing this session or this day should be fetched again, with
    `?min_position=<position>` to be sure the change is in it.
    """

    clinic_id: UUID
    session_id: UUID
    therapist_id: UUID
    day: date
    change: str
    position: int


CHANGES = {
    "Booked": "booked",
    "Rescheduled": "moved",
    "Cancelled": "cancelled",
    "Completed": "completed",
    "NoShow": "no_show",
    "ContraindicationFlagged": "flagged",
    "FlagResolved": "flag_resolved",
}
"""Session event class name → the `change` a subscriber sees."""


def channel(prefix: str, clinic_id: UUID) -> str:
    """The pub/sub channel of a clinic's board changes (under the deployment's prefix)."""
    return f"{prefix}board:{clinic_id}"
