"""Therapists: registered and managed by the front desk (profile, shifts, time off,
deactivation, shift requests decided); a therapist's own profile, time off, shift
requests and calendar feed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from scheduler.domain import HistoryEntry, Scheduling, TherapistView
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden
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


@dataclass(frozen=True)
class Profile:
    """A therapist's profile as the front desk edits it."""

    name: str
    specializations: Sequence[str]
    mobile: bool
    home: Sequence[float] | None
    max_visits_per_day: int
    phone: str = ""


@action()
async def register_therapist(
    uc: UseCases,
    who: Actor,
    clinic_id: UUID,
    *,
    profile: Profile,
    shifts: Mapping[str, Sequence[int]],
) -> TherapistView:
    """Add a therapist to the clinic (its dispatchers and admins)."""
    access.check_role(who, "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> TherapistView:
        access.clinic_for(app, who, clinic_id)
        therapist_id = app.register_therapist(
            clinic_id=clinic_id,
            name=profile.name,
            specializations=profile.specializations,
            mobile=profile.mobile,
            home=profile.home,
            shifts=shifts,
            max_visits_per_day=profile.max_visits_per_day,
            phone=profile.phone,
            actor=who.actor,
            now=now,
        )
        return app.get_therapist(therapist_id)

    return await uc.write(run)


@action()
async def change_profile(
    uc: UseCases, who: Actor, therapist_id: UUID, *, profile: Profile, reason: str = ""
) -> TherapistView:
    """Change a therapist's skills, base, visits per day or phone (the front desk)."""
    access.check_role(who, "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> TherapistView:
        access.therapist_for(app, who, therapist_id)
        app.change_therapist(
            therapist_id,
            name=profile.name,
            specializations=profile.specializations,
            mobile=profile.mobile,
            home=profile.home,
            max_visits_per_day=profile.max_visits_per_day,
            phone=profile.phone,
            actor=who.actor,
            reason=reason or "profile changed",
            now=now,
        )
        return app.get_therapist(therapist_id)

    return await uc.write(run)


@action()
async def change_shifts(
    uc: UseCases,
    who: Actor,
    therapist_id: UUID,
    *,
    shifts: Mapping[str, Sequence[int]],
    reason: str = "",
) -> TherapistView:
    """Replace the weekly shifts (the front desk; a therapist asks instead)."""
    access.check_role(who, "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> TherapistView:
        access.therapist_for(app, who, therapist_id)
        app.change_shifts(
            therapist_id, shifts=shifts, actor=who.actor, reason=reason or "new shifts", now=now
        )
        return app.get_therapist(therapist_id)

    return await uc.write(run)


@action()
async def record_time_off(
    uc: UseCases,
    who: Actor,
    therapist_id: UUID,
    *,
    first: date,
    last: date,
    reason: str = "",
) -> TherapistView:
    """Block whole local days `first`..`last` as time off: the front desk for any of
    the clinic's therapists, a therapist for themself."""
    access.check_role(who, "dispatcher", "admin", "therapist")
    if who.role == "therapist" and who.acts_for != therapist_id:
        raise Forbidden("a therapist records their own time off")

    def run(app: Scheduling, now: datetime) -> TherapistView:
        therapist = access.therapist_for(app, who, therapist_id)
        app.record_time_off(
            therapist.id,
            start=app.local_time(therapist.clinic_id, first, 0),
            end=app.local_time(therapist.clinic_id, last + timedelta(days=1), 0),
            kind="time_off",
            actor=who.actor,
            reason=reason or "time off",
            now=now,
        )
        return app.get_therapist(therapist_id)

    return await uc.write(run)


@action()
async def set_active(
    uc: UseCases, who: Actor, therapist_id: UUID, *, active: bool, reason: str = ""
) -> TherapistView:
    """Deactivate a therapist (no new bookings; booked sessions stay) or take them back."""
    access.check_role(who, "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> TherapistView:
        access.therapist_for(app, who, therapist_id)
        app.set_therapist_active(
            therapist_id,
            active=active,
            actor=who.actor,
            reason=reason or ("back" if active else "left the clinic"),
            now=now,
        )
        return app.get_therapist(therapist_id)

    return await uc.write(run)


@action()
async def request_shift_change(
    uc: UseCases, who: Actor, *, shifts: Mapping[str, Sequence[int]], reason: str = ""
) -> TherapistView:
    """The signed-in therapist asks for new weekly shifts; a dispatcher decides."""
    therapist_id = _therapist_id(who)

    def run(app: Scheduling, now: datetime) -> TherapistView:
        app.request_shift_change(
            therapist_id, shifts=shifts, actor=who.actor, reason=reason or "asked", now=now
        )
        return app.get_therapist(therapist_id)

    return await uc.write(run)


@action()
async def decide_shift_change(
    uc: UseCases,
    who: Actor,
    therapist_id: UUID,
    *,
    request_id: UUID,
    approve: bool,
    reason: str = "",
) -> TherapistView:
    """Approve (the shifts apply from now on) or decline a therapist's request."""
    access.check_role(who, "dispatcher", "admin")

    def run(app: Scheduling, now: datetime) -> TherapistView:
        access.therapist_for(app, who, therapist_id)
        app.decide_shift_change(
            therapist_id,
            request_id=request_id,
            approved=approve,
            actor=who.actor,
            reason=reason or ("approved" if approve else "declined"),
            now=now,
        )
        return app.get_therapist(therapist_id)

    return await uc.write(run)


@action()
async def therapist(uc: UseCases, who: Actor, therapist_id: UUID) -> TherapistView:
    """A therapist's profile (the therapist, their clinic's staff, admins)."""
    return await uc.read(lambda app, _: access.therapist_for(app, who, therapist_id))


@action()
async def history(uc: UseCases, who: Actor, therapist_id: UUID) -> list[HistoryEntry]:
    """Every event of the therapist's record (profile, shifts, time off, requests),
    oldest first: the therapist, their clinic's front desk, admins."""

    def run(app: Scheduling, _: datetime) -> list[HistoryEntry]:
        access.therapist_for(app, who, therapist_id)
        return app.history(therapist_id)

    return await uc.read(run)
