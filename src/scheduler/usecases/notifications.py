"""Notifications: the clinic's webhooks, its dead letters, each person's messages and
preferences, and the links mailed to patients (take an offer, stop reminders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.domain.errors import LinkExpired
from scheduler.domain.views import SessionView
from scheduler.notify.compose import check_link
from scheduler.notify.outbox import Outgoing
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action

EXPIRED = "this link has expired or is not one the clinic sent: sign in to see your sessions"


@action()
async def register_webhook(
    uc: UseCases, who: Actor, clinic_id: UUID, *, url: str, events: list[str]
) -> dict[str, Any]:
    """Deliver the clinic's events of `events` to `url` (admins); its secret, once."""
    access.check_role(who, "admin")

    def run(app: Scheduling, now: datetime) -> dict[str, Any]:
        app.get_clinic(clinic_id)
        return app.register_webhook(clinic_id, url=url, events=events, actor=who.actor, now=now)

    return await uc.write(run)


@action()
async def remove_webhook(uc: UseCases, who: Actor, clinic_id: UUID, hook_id: UUID) -> None:
    """Stop delivering to a webhook (admins)."""
    access.check_role(who, "admin")

    def run(app: Scheduling, now: datetime) -> None:
        app.remove_webhook(clinic_id, hook_id, actor=who.actor, now=now)

    await uc.write(run)


@action()
async def webhooks(uc: UseCases, who: Actor, clinic_id: UUID) -> list[dict[str, Any]]:
    """The clinic's webhooks, without secrets (admins)."""
    access.check_role(who, "admin")

    def run(app: Scheduling, _: datetime) -> list[dict[str, Any]]:
        return app.list_webhooks(clinic_id)

    return await uc.read(run)


@action()
async def dead_letters(uc: UseCases, who: Actor, clinic_id: UUID) -> list[Outgoing]:
    """Messages of the clinic given up after their last retry (its dispatchers, admins)."""

    def run(app: Scheduling, _: datetime) -> list[Outgoing]:
        access.clinic_for(app, who, clinic_id)
        found: list[Outgoing] = uc.outbox.dead_letters(str(clinic_id))
        return found

    return await uc.read(run)


@dataclass(frozen=True)
class Reminders:
    """A clinic's own reminder lead time and quiet hours (None: the deployment's)."""

    reminder_hours: int | None
    quiet_hours: tuple[int, int] | None


@action()
async def reminders(uc: UseCases, who: Actor, clinic_id: UUID) -> Reminders:
    """The clinic's reminder settings (its dispatchers, admins)."""

    def run(app: Scheduling, _: datetime) -> Reminders:
        clinic = access.clinic_for(app, who, clinic_id)
        return Reminders(clinic.reminder_hours, clinic.quiet_hours)

    return await uc.read(run)


@action()
async def set_reminders(
    uc: UseCases,
    who: Actor,
    clinic_id: UUID,
    *,
    reminder_hours: int | None,
    quiet_hours: tuple[int, int] | None,
) -> Reminders:
    """How long before a visit the clinic's reminders go (0: none) and the local hours
    none is sent in (its dispatchers, admins); reminders not sent yet move with them."""

    def run(app: Scheduling, now: datetime) -> Reminders:
        access.clinic_for(app, who, clinic_id)
        app.set_reminders(
            clinic_id,
            reminder_hours=reminder_hours,
            quiet_hours=quiet_hours,
            actor=who.actor,
            now=now,
        )
        clinic = app.get_clinic(clinic_id)
        return Reminders(clinic.reminder_hours, clinic.quiet_hours)

    return await uc.write(run)


@dataclass(frozen=True)
class Mailbox:
    """What one person was sent (newest first), in their clinic's time zone."""

    messages: list[Outgoing]
    timezone: str


@action()
async def my_messages(uc: UseCases, who: Actor) -> Mailbox:
    """What the signed-in patient or therapist was sent (or will be), newest first."""
    access.check_role(who, "patient", "therapist")

    def run(app: Scheduling, _: datetime) -> Mailbox:
        assert who.acts_for is not None, "a patient or therapist account acts for a record"
        found: list[Outgoing] = uc.outbox.messages_for(str(who.acts_for))
        record: Any = (
            app.get_patient(who.acts_for)
            if who.role == "patient"
            else app.get_therapist(who.acts_for)
        )
        return Mailbox(found, app.get_clinic(record.clinic_id).timezone)

    return await uc.read(run)


@action()
async def my_preferences(uc: UseCases, who: Actor) -> dict[str, bool]:
    """Whether the signed-in patient or therapist takes e-mail, and reminders."""
    access.check_role(who, "patient", "therapist")

    def run(app: Scheduling, _: datetime) -> dict[str, bool]:
        return app.message_preferences(str(who.acts_for))

    return await uc.read(run)


@action()
async def choose_messages(
    uc: UseCases, who: Actor, *, email: bool, reminders: bool
) -> dict[str, bool]:
    """Take e-mail (or not) and reminders (or not): the signed-in patient or therapist."""
    access.check_role(who, "patient", "therapist")

    def run(app: Scheduling, now: datetime) -> dict[str, bool]:
        return app.choose_messages(
            str(who.acts_for), email=email, reminders=reminders, actor=who.actor, now=now
        )

    return await uc.write(run)


async def link_is_valid(uc: UseCases, purpose: str, token: str, secret: str) -> bool:
    """Whether a mailed link ("unsubscribe", "offer") is ours and not expired: its page
    offers the button only then (opening the link itself never changes anything)."""

    def run(_: Scheduling, now: datetime) -> bool:
        return check_link(secret, purpose, token, now) is not None

    return await uc.read(run)


@action()
async def stop_reminders(uc: UseCases, who: Actor, token: str, secret: str) -> None:
    """One click in a reminder: no more reminders for the patient the link names."""

    def run(app: Scheduling, now: datetime) -> None:
        patient_id = check_link(secret, "unsubscribe", token, now)
        if patient_id is None:
            raise LinkExpired(EXPIRED)
        chosen = app.message_preferences(patient_id)
        app.choose_messages(
            patient_id,
            email=chosen["email"],
            reminders=False,
            actor=f"patient:{patient_id} (link in a reminder)",
            now=now,
        )

    await uc.write(run)


def offer_of_link(secret: str, token: str, now: datetime) -> tuple[UUID, UUID]:
    """(offer id, patient id) a mailed offer link names; LinkExpired if it cannot."""
    subject = check_link(secret, "offer", token, now)
    offer, _, patient = (subject or "").partition(":")
    try:
        return UUID(offer), UUID(patient)
    except ValueError:
        raise LinkExpired(EXPIRED) from None


@action()
async def accept_by_link(uc: UseCases, who: Actor, token: str, secret: str) -> SessionView:
    """Take a waitlist offer from the mailed link (it names the offer and the patient,
    signed, and dies with the offer): books as the patient would."""

    def run(app: Scheduling, now: datetime) -> SessionView:
        offer_id, patient_id = offer_of_link(secret, token, now)
        patient = app.get_patient(patient_id)
        session_id = app.accept_offer(
            patient.clinic_id,
            offer_id,
            actor=f"patient:{patient_id} (link in an offer)",
            now=now,
        )
        return app.get_session(session_id)

    return await uc.write(run)
