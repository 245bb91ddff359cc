"""The waitlist: join and leave it for a plan, see offers, take them up or turn them down.

Offers are made by the offer policy from cancelled and moved sessions
(`scheduler.domain.commands.offers`); reading offers runs it first, so an offer is
visible as soon as the time is freed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from scheduler.domain import Scheduling, SessionView
from scheduler.domain.errors import InvalidDuration, UnknownOffer
from scheduler.domain.queries.waitlist import OfferView, WaitlistEntryView
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden
from scheduler.usecases.runner import UseCases, action
from scheduler.usecases.sessions import BOOKING


@dataclass(frozen=True)
class ClinicWaitlist:
    """A clinic's entries (longest waiting first) and offers (newest first)."""

    entries: list[WaitlistEntryView]
    offers: list[OfferView]
    timezone: str


@action()
async def join(
    uc: UseCases,
    who: Actor,
    plan_id: UUID,
    *,
    earliest: datetime,
    latest: datetime,
    therapist_id: UUID | None = None,
    session_id: UUID | None = None,
) -> WaitlistEntryView:
    """Wait for freed time for the plan's next session (or to move `session_id` there)."""
    access.check_role(who, "patient", "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> WaitlistEntryView:
        plan = access.plan_for(app, who, plan_id)
        entry_id = app.join_waitlist(
            plan_id,
            earliest=earliest,
            latest=latest,
            therapist_id=therapist_id,
            session_id=session_id,
            actor=who.actor,
            now=now,
        )
        entries = app.waitlist_entries(plan.clinic_id, patient_id=plan.patient_id)
        return next(entry for entry in entries if entry.id == entry_id)

    return await uc.write(run)


@action()
async def join_days(
    uc: UseCases, who: Actor, plan_id: UUID, *, first: date, last: date
) -> WaitlistEntryView:
    """Wait for freed time on the clinic's local days `first`..`last` (both included)."""
    access.check_role(who, "patient", "dispatcher", "admin")
    if last < first:
        raise InvalidDuration("the last day must be on or after the first day")

    def run(app: Scheduling, now: datetime) -> WaitlistEntryView:
        plan = access.plan_for(app, who, plan_id)
        entry_id = app.join_waitlist(
            plan_id,
            earliest=app.local_time(plan.clinic_id, first, 0),
            latest=app.local_time(plan.clinic_id, last + timedelta(days=1), 0),
            actor=who.actor,
            now=now,
        )
        entries = app.waitlist_entries(plan.clinic_id, patient_id=plan.patient_id)
        return next(entry for entry in entries if entry.id == entry_id)

    return await uc.write(run)


@action()
async def leave(uc: UseCases, who: Actor, plan_id: UUID) -> None:
    """Take the plan off the waitlist; an open offer goes to the next in line."""
    access.check_role(who, "patient", "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> None:
        access.plan_for(app, who, plan_id)
        app.leave_waitlist(plan_id, actor=who.actor, reason="left", now=now)

    await uc.write(run)


def _offers(app: Scheduling, who: Actor, now: datetime) -> tuple[list[OfferView], str]:
    """The caller's offers (a patient's own, a dispatcher's clinic's), after a policy run."""
    clinic_id = who.clinic_id
    if clinic_id is None or who.role not in ("patient", "dispatcher"):
        raise Forbidden("offers belong to a clinic: sign in as its patient or dispatcher")
    patient_id = who.acts_for if who.role == "patient" else None
    app.offer_freed_time(now=now)
    views = app.waitlist_offers(clinic_id, patient_id=patient_id, now=now)
    return views, app.get_clinic(clinic_id).timezone


def _offer(app: Scheduling, who: Actor, offer_id: UUID, now: datetime) -> OfferView:
    views, _ = _offers(app, who, now)
    found = next((view for view in views if view.id == offer_id), None)
    if found is None:
        raise UnknownOffer("no such offer for you: see your list of offers")
    return found


@action()
async def offers(uc: UseCases, who: Actor) -> tuple[list[OfferView], str]:
    """The caller's offers, newest first, and the clinic's zone."""
    return await uc.read(lambda app, now: _offers(app, who, now))


@action(limit=BOOKING)
async def accept(uc: UseCases, who: Actor, offer_id: UUID) -> SessionView:
    """Book the offered slot (every booking rule applies); the session it booked."""

    def run(app: Scheduling, now: datetime) -> SessionView:
        offer = _offer(app, who, offer_id, now)
        session_id = app.accept_offer(offer.clinic_id, offer_id, actor=who.actor, now=now)
        return app.get_session(session_id)

    return await uc.write(run)


@action()
async def decline(uc: UseCases, who: Actor, offer_id: UUID) -> None:
    """Turn an offer down: the plan keeps waiting, the slot goes to the next in line."""

    def run(app: Scheduling, now: datetime) -> None:
        offer = _offer(app, who, offer_id, now)
        app.decline_offer(offer.clinic_id, offer_id, actor=who.actor, reason="declined", now=now)

    await uc.write(run)


@action()
async def of_clinic(uc: UseCases, who: Actor, clinic_id: UUID) -> ClinicWaitlist:
    """Every entry and offer of the clinic (its dispatchers and admins)."""

    def run(app: Scheduling, now: datetime) -> ClinicWaitlist:
        clinic = access.clinic_for(app, who, clinic_id)
        app.offer_freed_time(now=now)
        return ClinicWaitlist(
            entries=app.waitlist_entries(clinic.id),
            offers=app.waitlist_offers(clinic.id, now=now),
            timezone=clinic.timezone,
        )

    return await uc.read(run)
