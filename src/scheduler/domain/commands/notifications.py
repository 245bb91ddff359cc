"""Registering webhooks and choosing which messages one takes."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import InvalidWebhook, UnknownClinic, UnknownWebhook
from scheduler.domain.model.clinic import Clinic
from scheduler.domain.model.notifications import MessagePreferences, Webhooks
from scheduler.domain.timekeeping import as_utc

WEBHOOK_EVENTS = (
    "session.booked",
    "session.moved",
    "session.cancelled",
    "session.displaced",
    "session.postponed",
    "offer.made",
    "reauthorization.due",
)
"""The event types a clinic may register webhooks for."""


class Notifications(Store):
    """Webhooks per clinic; message preferences per person."""

    def register_webhook(
        self, clinic_id: UUID | str, *, url: str, events: list[str], actor: str, now: datetime
    ) -> dict[str, Any]:
        """A new webhook: its id, URL, events and the secret that signs deliveries
        (shown once, here)."""
        clinic = self._load(Clinic, clinic_id, UnknownClinic)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidWebhook(f"{url!r} is not an http(s) URL such as https://crm.example/hook")
        unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
        if not events or unknown:
            raise InvalidWebhook(
                f"give event types from {', '.join(WEBHOOK_EVENTS)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            )
        at = as_utc(now, "now")
        hook_id, secret = uuid4(), "whsec_" + secrets.token_urlsafe(32)

        def command() -> list[Aggregate]:
            hooks = self._load_or_none(Webhooks.create_id(clinic.id))
            if not isinstance(hooks, Webhooks):
                hooks = Webhooks(clinic_id=clinic.id, at=at)
            hooks.register(
                hook_id=hook_id,
                url=url,
                events=sorted(set(events)),
                secret=secret,
                actor=actor,
                at=at,
            )
            return [hooks]

        self._save_retrying(command, identity=("register_webhook", str(hook_id)))
        return {"id": hook_id, "url": url, "events": sorted(set(events)), "secret": secret}

    def remove_webhook(
        self, clinic_id: UUID | str, hook_id: UUID, *, actor: str, now: datetime
    ) -> None:
        """Stop delivering to a webhook (UnknownWebhook if the clinic has none by that id)."""
        clinic = self._load(Clinic, clinic_id, UnknownClinic)
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            hooks = self._load_or_none(Webhooks.create_id(clinic.id))
            if not isinstance(hooks, Webhooks) or hook_id not in hooks.hooks:
                raise UnknownWebhook("the clinic has no webhook with this id")
            hooks.remove(hook_id=hook_id, actor=actor, at=at)
            return [hooks]

        self._save_retrying(command, identity=("remove_webhook", str(hook_id)))

    def list_webhooks(self, clinic_id: UUID | str) -> list[dict[str, Any]]:
        """The clinic's webhooks, without their secrets."""
        clinic = self._load(Clinic, clinic_id, UnknownClinic)
        hooks = self._load_or_none(Webhooks.create_id(clinic.id))
        if not isinstance(hooks, Webhooks):
            return []
        return [
            {"id": hook_id, "url": hook["url"], "events": hook["events"], "at": hook["at"]}
            for hook_id, hook in hooks.hooks.items()
        ]

    def webhooks_for(self, clinic_id: UUID, kind: str) -> list[dict[str, str]]:
        """URL and secret of each of the clinic's webhooks for events of `kind`."""
        hooks = self._load_or_none(Webhooks.create_id(clinic_id))
        if not isinstance(hooks, Webhooks):
            return []
        return [
            {"url": hook["url"], "secret": hook["secret"]}
            for hook in hooks.hooks.values()
            if kind in hook["events"]
        ]

    def message_preferences(self, person_id: UUID | str) -> dict[str, bool]:
        """Whether the person takes e-mail, and reminders (both, until they say not)."""
        found = self._load_or_none(MessagePreferences.create_id(UUID(str(person_id))))
        if not isinstance(found, MessagePreferences):
            return {"email": True, "reminders": True}
        return {"email": found.email, "reminders": found.reminders}

    def opted_out(self, person_id: str | None, kind: str) -> bool:
        """True when the person asked not to get messages of `kind` by e-mail."""
        if person_id is None:
            return False
        chosen = self.message_preferences(person_id)
        return not chosen["email"] or (kind == "reminder" and not chosen["reminders"])

    def choose_messages(
        self, person_id: UUID | str, *, email: bool, reminders: bool, actor: str, now: datetime
    ) -> dict[str, bool]:
        """Record the person's choice of messages."""
        key = UUID(str(person_id))
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            found = self._load_or_none(MessagePreferences.create_id(key))
            prefs = (
                found
                if isinstance(found, MessagePreferences)
                else MessagePreferences(person_id=key, at=at)
            )
            prefs.choose(email=email, reminders=reminders, actor=actor, at=at)
            return [prefs]

        self._save_retrying(command, identity=("choose_messages", str(key), email, reminders))
        return {"email": email, "reminders": reminders}
