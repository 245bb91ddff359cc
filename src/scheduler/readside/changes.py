"""What a live-board subscriber receives when a session of its clinic changes."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from scheduler.domain.model.session import Session


class BoardChange(msgspec.Struct, frozen=True):
    """A session was booked, moved, cancelled, completed, missed, displaced by a sick
    call, pinned or released.

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


SESSION_CHANGES: dict[type[Any], str] = {
    Session.Booked: "booked",
    Session.Rescheduled: "moved",
    Session.Cancelled: "cancelled",
    Session.Completed: "completed",
    Session.NoShow: "no_show",
    Session.Displaced: "displaced",
    Session.Pinned: "pinned",
    Session.Unpinned: "unpinned",
    Session.ContraindicationFlagged: "flagged",
    Session.FlagResolved: "flag_resolved",
    Session.NoteAmended: "note_amended",
}
"""Session event class → the `change` a subscriber sees (a test keeps it complete)."""

CHANGES = {kind.__name__: change for kind, change in SESSION_CHANGES.items()}
"""Session event class name → the `change` a subscriber sees."""


def channel(prefix: str, clinic_id: UUID) -> str:
    """The pub/sub channel of a clinic's board changes (under the deployment's prefix)."""
    return f"{prefix}board:{clinic_id}"
