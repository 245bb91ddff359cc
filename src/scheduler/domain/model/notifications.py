"""Who hears about what: a clinic's webhooks, and each person's message preferences.

A clinic's `Webhooks` hold the URLs it registered, each for some event types, with the
secret that signs their deliveries. A person's `MessagePreferences` say whether they
take e-mail at all and whether they want reminders (one click in a reminder stops them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

# Fixed namespace: changing it would orphan every stored registration.
_NAMESPACE = UUID("5c2f7e1a-8b3d-4a69-9e0f-1d4b6a8c2e57")


class Webhooks(Aggregate):
    """The webhooks one clinic registered."""

    @staticmethod
    def create_id(clinic_id: UUID) -> UUID:
        """One list per clinic."""
        return uuid5(_NAMESPACE, f"webhooks/{clinic_id}")

    class Opened(Aggregate.Created):
        clinic_id: UUID
        at: datetime

    @event(Opened)
    def __init__(self, *, clinic_id: UUID, at: datetime) -> None:
        self.clinic_id = clinic_id
        self.hooks: dict[UUID, dict[str, Any]] = {}

    class Registered(Aggregate.Event):
        hook_id: UUID
        url: str
        events: list[str]
        secret: str
        actor: str
        at: datetime

    @event(Registered)
    def register(
        self, *, hook_id: UUID, url: str, events: list[str], secret: str, actor: str, at: datetime
    ) -> None:
        """Deliver `events` to `url`, signed with `secret`."""
        self.hooks[hook_id] = {"url": url, "events": list(events), "secret": secret, "at": at}

    class Removed(Aggregate.Event):
        hook_id: UUID
        actor: str
        at: datetime

    @event(Removed)
    def remove(self, *, hook_id: UUID, actor: str, at: datetime) -> None:
        """Stop delivering to the hook."""
        self.hooks.pop(hook_id, None)


class MessagePreferences(Aggregate):
    """One person's choices: e-mail at all, reminders."""

    @staticmethod
    def create_id(person_id: UUID) -> UUID:
        """One set of preferences per patient or therapist."""
        return uuid5(_NAMESPACE, f"preferences/{person_id}")

    class Opened(Aggregate.Created):
        person_id: UUID
        at: datetime

    @event(Opened)
    def __init__(self, *, person_id: UUID, at: datetime) -> None:
        self.person_id = person_id
        self.email = True
        self.reminders = True

    class Chosen(Aggregate.Event):
        email: bool
        reminders: bool
        actor: str
        at: datetime

    @event(Chosen)
    def choose(self, *, email: bool, reminders: bool, actor: str, at: datetime) -> None:
        """Take e-mail (or not) and reminders (or not)."""
        self.email = email
        self.reminders = reminders
