"""A clinic's setup, by its admins: open it, change its details and policies, extend the
conditions its plans may treat. Anyone may list the clinics (to sign up with one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from scheduler.domain import ClinicView, Scheduling
from scheduler.domain.commands.clinics import Policies
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action


@dataclass(frozen=True)
class ClinicListing:
    """What anyone may know of a clinic: enough to choose it when signing up."""

    id: UUID
    name: str
    address: str
    timezone: str


@action()
async def clinics(uc: UseCases, who: Actor) -> list[ClinicListing]:
    """Every clinic of this service (public: the sign-up page lists them)."""

    def run(app: Scheduling, _: datetime) -> list[ClinicListing]:
        return [
            ClinicListing(c.id, c.name, c.address, c.timezone)
            for c in (app.get_clinic(key) for key in app.clinic_ids())
        ]

    return await uc.read(run)


@action()
async def open_clinic(
    uc: UseCases,
    who: Actor,
    *,
    name: str,
    address: str,
    location: Sequence[float],
    timezone: str,
    policies: Policies,
) -> ClinicView:
    """Open a clinic (admins)."""
    access.check_role(who, "admin")

    def run(app: Scheduling, now: datetime) -> ClinicView:
        clinic_id = app.register_clinic(
            name=name,
            address=address,
            location=location,
            timezone=timezone,
            policies=policies,
            actor=who.actor,
            now=now,
        )
        return app.get_clinic(clinic_id)

    return await uc.write(run)


@action()
async def change_clinic(
    uc: UseCases,
    who: Actor,
    clinic_id: UUID,
    *,
    name: str,
    address: str,
    location: Sequence[float],
    policies: Policies,
    reason: str = "",
) -> ClinicView:
    """Change a clinic's details and policies (admins; its time zone is fixed)."""
    access.check_role(who, "admin")

    def run(app: Scheduling, now: datetime) -> ClinicView:
        access.clinic_for(app, who, clinic_id)
        app.change_clinic(
            clinic_id,
            name=name,
            address=address,
            location=location,
            policies=policies,
            actor=who.actor,
            reason=reason or "details changed",
            now=now,
        )
        return app.get_clinic(clinic_id)

    return await uc.write(run)


@action()
async def map_condition(
    uc: UseCases, who: Actor, clinic_id: UUID, *, phrase: str, specializations: Sequence[str]
) -> ClinicView:
    """Let this clinic's plans of `specializations` treat conditions naming `phrase`."""
    access.check_role(who, "admin")

    def run(app: Scheduling, now: datetime) -> ClinicView:
        access.clinic_for(app, who, clinic_id)
        app.map_condition(
            clinic_id, phrase=phrase, specializations=specializations, actor=who.actor, now=now
        )
        return app.get_clinic(clinic_id)

    return await uc.write(run)


@action()
async def clinic(uc: UseCases, who: Actor, clinic_id: UUID) -> ClinicView:
    """A clinic with its policies (its staff and admins)."""
    return await uc.read(lambda app, _: access.clinic_for(app, who, clinic_id))
