"""Notifications: a clinic's webhooks (admins) and dead letters (dispatchers), and each
patient's or therapist's messages and preferences.

The actions are `scheduler.usecases.notifications`'s; the links mailed to patients
(take an offer, stop reminders) are pages (`api/pages/messages.py`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.notifications import (
    ClinicReminders,
    DeadLetter,
    MessagePreferences,
    NewWebhook,
    ReminderSettings,
    SentMessage,
    Webhook,
)
from scheduler.settings import Settings
from scheduler.usecases import UseCases
from scheduler.usecases import notifications as actions


class NotificationsController(Controller):
    """Webhooks, dead letters, messages and preferences."""

    tags = ("notifications",)

    @post(
        "/clinics/{clinic_id:uuid}/webhooks",
        operation_id="registerWebhook",
        summary="Deliver the clinic's events to a URL, signed (admins)",
        guards=[allow("admin")],
        responses=responses(400, 401, 403, 404, 422),
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[NewWebhook],
        uc: NamedDependency[UseCases],
    ) -> Webhook:
        """201 with the webhook and its signing secret (shown only now); 422
        `invalid_webhook` for a URL that is not http(s) or an unknown event type."""
        hook = await actions.register_webhook(
            uc, principal_of(request), clinic_id, url=data.url, events=data.events
        )
        return Webhook.of(hook)

    @get(
        "/clinics/{clinic_id:uuid}/webhooks",
        operation_id="listWebhooks",
        summary="The clinic's webhooks (admins)",
        guards=[allow("admin")],
        responses=responses(401, 403, 404),
    )
    async def list_webhooks(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Webhook]:
        """Every webhook of the clinic, without secrets."""
        hooks = await actions.webhooks(uc, principal_of(request), clinic_id)
        return [Webhook.of(hook) for hook in hooks]

    @delete(
        "/clinics/{clinic_id:uuid}/webhooks/{hook_id:uuid}",
        operation_id="removeWebhook",
        summary="Stop delivering to a webhook (admins)",
        guards=[allow("admin")],
        responses=responses(401, 403, 404),
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        hook_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> None:
        """204; 404 `unknown_webhook` if the clinic has none by this id."""
        await actions.remove_webhook(uc, principal_of(request), clinic_id, hook_id)

    @get(
        "/clinics/{clinic_id:uuid}/notifications/dead-letters",
        operation_id="deadLetters",
        summary="Messages given up after their last retry (dispatchers)",
        guards=[allow("dispatcher", "admin")],
        responses=responses(401, 403, 404),
    )
    async def dead_letters(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[DeadLetter]:
        """Newest first: to whom, what, how many tries, the last error."""
        found = await actions.dead_letters(uc, principal_of(request), clinic_id)
        return [DeadLetter.of(message) for message in found]

    @get(
        "/me/messages",
        operation_id="myMessages",
        summary="What I was sent, and when",
        guards=[allow("patient", "therapist")],
        responses=responses(401, 403),
    )
    async def my_messages(
        self, request: Request[Any, Any, Any], uc: NamedDependency[UseCases]
    ) -> list[SentMessage]:
        """My e-mails, newest first (reminders due later are listed as pending)."""
        mailbox = await actions.my_messages(uc, principal_of(request))
        return [SentMessage.of(message) for message in mailbox.messages]

    @get(
        "/me/message-preferences",
        operation_id="myMessagePreferences",
        summary="Whether I take e-mail, and reminders",
        guards=[allow("patient", "therapist")],
        responses=responses(401, 403),
    )
    async def my_preferences(
        self, request: Request[Any, Any, Any], uc: NamedDependency[UseCases]
    ) -> MessagePreferences:
        """Both on until changed."""
        chosen = await actions.my_preferences(uc, principal_of(request))
        return MessagePreferences(**chosen)

    @put(
        "/me/message-preferences",
        operation_id="chooseMessages",
        summary="Take e-mail (or not) and reminders (or not)",
        guards=[allow("patient", "therapist")],
        responses=responses(400, 401, 403),
    )
    async def choose(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[MessagePreferences],
        uc: NamedDependency[UseCases],
    ) -> MessagePreferences:
        """The choice, as recorded."""
        chosen = await actions.choose_messages(
            uc, principal_of(request), email=data.email, reminders=data.reminders
        )
        return MessagePreferences(**chosen)

    @get(
        "/clinics/{clinic_id:uuid}/reminders",
        operation_id="clinicReminders",
        summary="The clinic's reminder lead time and quiet hours",
        guards=[allow("admin", "dispatcher")],
        responses=responses(401, 403, 404),
    )
    async def reminders(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        settings: NamedDependency[Settings],
    ) -> ReminderSettings:
        """The clinic's own values (null: the deployment's) and the ones that apply."""
        own = await actions.reminders(uc, principal_of(request), clinic_id)
        return ReminderSettings.of(own, settings.reminder_hours, settings.quiet_hours)

    @put(
        "/clinics/{clinic_id:uuid}/reminders",
        operation_id="setClinicReminders",
        summary="Set the clinic's reminder lead time and quiet hours",
        guards=[allow("admin", "dispatcher")],
        responses=responses(400, 401, 403, 404, 422),
    )
    async def set_reminders(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        data: JSONBody[ClinicReminders],
        uc: NamedDependency[UseCases],
        settings: NamedDependency[Settings],
    ) -> ReminderSettings:
        """Reminders not sent yet move to the new time (one whose new time has passed
        keeps its old one; with 0 they are not sent). Null keeps the deployment's value.
        422 for quiet hours that start and end at the same hour."""
        quiet = data.quiet_hours
        own = await actions.set_reminders(
            uc,
            principal_of(request),
            clinic_id,
            reminder_hours=data.reminder_hours,
            quiet_hours=None if quiet is None else (quiet.start, quiet.end),
        )
        return ReminderSettings.of(own, settings.reminder_hours, settings.quiet_hours)
