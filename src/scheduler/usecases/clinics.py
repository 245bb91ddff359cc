"""What a dispatcher manages: the clinic's therapists, plans and day board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from scheduler.domain import ClinicView, PlanView, PrescriptionView, Scheduling, TherapistView
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.runner import UseCases, action


@action()
async def mine(uc: UseCases, who: Actor) -> ClinicView:
    """The clinic the signed-in dispatcher works for."""
    access.check_role(who, "dispatcher")
    assert who.clinic_id is not None, "a dispatcher account belongs to a clinic"
    clinic_id = who.clinic_id
    return await uc.read(lambda app, _: access.clinic_for(app, who, clinic_id))


@action()
async def therapists(uc: UseCases, who: Actor, clinic_id: UUID) -> list[TherapistView]:
    """The clinic's therapists in registration order."""

    def run(app: Scheduling, _: datetime) -> list[TherapistView]:
        access.clinic_for(app, who, clinic_id)
        return app.list_therapists(clinic_id)

    return await uc.read(run)


@action()
async def plans(uc: UseCases, who: Actor, clinic_id: UUID) -> list[PlanView]:
    """The clinic's plans in creation order."""

    def run(app: Scheduling, _: datetime) -> list[PlanView]:
        access.clinic_for(app, who, clinic_id)
        return app.list_plans(clinic_id)

    return await uc.read(run)


@dataclass(frozen=True)
class Reauthorization:
    """A prescription with few authorized sessions left: its payer must renew it."""

    patient_id: UUID
    patient: str
    prescription: PrescriptionView


@action()
async def reauthorizations(uc: UseCases, who: Actor, clinic_id: UUID) -> list[Reauthorization]:
    """The clinic's prescriptions whose re-authorization is due, fewest sessions left first."""

    def run(app: Scheduling, _: datetime) -> list[Reauthorization]:
        access.clinic_for(app, who, clinic_id)
        due = [
            Reauthorization(patient.id, patient.name, prescription)
            for patient in app.list_patients(clinic_id)
            for prescription in patient.prescriptions
            if prescription.reauthorization_due
        ]
        return sorted(due, key=lambda r: (r.prescription.left, r.prescription.expires_on))

    return await uc.read(run)


@action()
async def board(
    uc: UseCases,
    who: Actor,
    clinic_id: UUID,
    *,
    day: date,
    as_of: datetime | None = None,
    min_position: int | None = None,
) -> Any:
    """The day board (a route per therapist), as it stands or stood at `as_of`."""
    await uc.read(lambda app, _: access.clinic_for(app, who, clinic_id))
    return await uc.reads.board(clinic_id, day, as_of, min_position)


@action()
async def week(uc: UseCases, who: Actor, *, start: date, min_position: int | None = None) -> Any:
    """The signed-in therapist's seven days from `start`."""
    access.check_role(who, "therapist")
    assert who.acts_for is not None, "a therapist account acts for a therapist"
    return await uc.reads.week(who.acts_for, start, min_position)
