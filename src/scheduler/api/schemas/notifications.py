"""Bodies of notifications: webhooks, messages sent, dead letters, preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from scheduler.notify.outbox import Outgoing


class NewWebhook(msgspec.Struct, forbid_unknown_fields=True):
    """Deliver the clinic's `events` (session.booked, session.moved, session.cancelled,
    session.displaced, session.postponed, offer.made, reauthorization.due) to `url`,
    signed."""

    url: str
    events: list[str]


class Webhook(msgspec.Struct):
    """A registered webhook (its secret is shown only when it is registered)."""

    id: UUID
    url: str
    events: list[str]
    secret: str | None = None

    @classmethod
    def of(cls, hook: dict[str, Any]) -> Webhook:
        """From the domain's dict."""
        return cls(hook["id"], hook["url"], list(hook["events"]), hook.get("secret"))


class SentMessage(msgspec.Struct):
    """A message to one person: what about, when, and where it stands
    (pending, sent, dead: given up after the last retry)."""

    kind: str
    subject: str
    channel: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    next_attempt: datetime

    @classmethod
    def of(cls, message: Outgoing) -> SentMessage:
        """From the outbox's row."""
        return cls(
            kind=message.kind,
            subject=message.subject,
            channel=message.channel.partition(":")[0],
            status=message.status,
            created_at=message.created_at,
            sent_at=message.sent_at,
            attempts=message.attempts,
            next_attempt=message.next_attempt,
        )


class DeadLetter(msgspec.Struct):
    """A message given up after its last retry: to whom, what, and the last error."""

    kind: str
    channel: str
    recipient: str
    subject: str
    attempts: int
    created_at: datetime
    last_error: str | None

    @classmethod
    def of(cls, message: Outgoing) -> DeadLetter:
        """From the outbox's row."""
        return cls(
            kind=message.kind,
            channel=message.channel.partition(":")[0],
            recipient=message.recipient,
            subject=message.subject,
            attempts=message.attempts,
            created_at=message.created_at,
            last_error=message.last_error,
        )


class MessagePreferences(msgspec.Struct, forbid_unknown_fields=True):
    """Whether one takes e-mail at all, and reminders before visits."""

    email: bool
    reminders: bool


Hour = Annotated[int, msgspec.Meta(ge=0, le=23)]


class QuietHours(msgspec.Struct, forbid_unknown_fields=True):
    """Local hours no reminder is sent in: from `start` to `end` (21 and 8: 21:00-08:00)."""

    start: Hour
    end: Hour


class ClinicReminders(msgspec.Struct, forbid_unknown_fields=True):
    """The clinic's reminder lead time (hours before a visit, 0: no reminders) and quiet
    hours; null: the deployment's (`SCHEDULER_REMINDER_HOURS`, `SCHEDULER_QUIET_HOURS`)."""

    reminder_hours: Annotated[int, msgspec.Meta(ge=0, le=168)] | None = None
    quiet_hours: QuietHours | None = None


class ReminderSettings(msgspec.Struct):
    """The clinic's own reminder settings (null: the deployment's) and what applies."""

    reminder_hours: int | None
    quiet_hours: QuietHours | None
    applied_reminder_hours: int
    applied_quiet_hours: QuietHours

    @classmethod
    def of(cls, own: Any, default_hours: int, default_quiet: tuple[int, int]) -> ReminderSettings:
        """From the use case's `Reminders` and the deployment's defaults."""
        quiet = None if own.quiet_hours is None else QuietHours(*own.quiet_hours)
        hours = default_hours if own.reminder_hours is None else own.reminder_hours
        return cls(own.reminder_hours, quiet, hours, quiet or QuietHours(*default_quiet))
