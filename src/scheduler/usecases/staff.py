"""Therapists as they see themselves: their profile and clinic, their calendar feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from scheduler.domain import Scheduling, TherapistView
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action


@dataclass(frozen=True)
class TherapistHome:
    """The signed-in therapist and their clinic's zone."""

    therapist: TherapistView
    timezone: str


def _therapist_id(who: Actor) -> UUID:
    access.check_role(who, "therapist")
    assert who.acts_for is not None, "a therapist account acts for a therapist"
    return who.acts_for


@action()
async def me(uc: UseCases, who: Actor) -> TherapistHome:
    """The signed-in therapist's profile and clinic zone."""
    therapist_id = _therapist_id(who)

    def run(app: Scheduling, _: datetime) -> TherapistHome:
        therapist = app.get_therapist(therapist_id)
        return TherapistHome(therapist, app.get_clinic(therapist.clinic_id).timezone)

    return await uc.read(run)


@action()
async def rotate_calendar_token(uc: UseCases, who: Actor) -> str:
    """A new secret calendar-feed token for the signed-in therapist (the old one dies)."""
    therapist_id = _therapist_id(who)
    return await uc.write(
        lambda app, now: app.rotate_calendar_token(therapist_id, actor=who.actor, now=now)
    )
