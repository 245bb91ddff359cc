"""Patients at the front door: signing up online (an account and the record at once), the
front desk's registration and search, contact details, weekly availability, the intake.

A home's coordinates are entered, or found from the street address by the configured
geocoder (`scheduler.geocoding`); a home not found stays unlocated (no home visit yet).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from scheduler.accounts import AccountExists, AccountView, account_id, check_new_account
from scheduler.domain import HistoryEntry, PatientView, Scheduling
from scheduler.usecases import access
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden
from scheduler.usecases.runner import UseCases, action

SIGN_UP = "signup"
"""The rate limit of sign-ups, counted per client address."""

Availability = Mapping[str, Sequence[Sequence[int]]]


@dataclass(frozen=True)
class Details:
    """Who a patient is and where they live, as a form or a request gives it."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    home: tuple[float, float] | None = None  # None: find it from the address, if possible
    availability: Availability = field(default_factory=dict)


async def _located(uc: UseCases, details: Details) -> tuple[float, float] | None:
    """The home's coordinates: as given, else the geocoder's (None if neither)."""
    if details.home is not None:
        return details.home
    if uc.geocoder is None or not details.address.strip():
        return None
    return await asyncio.to_thread(uc.geocoder.locate, details.address)


@action()
async def sign_up(
    uc: UseCases, who: Actor, clinic_id: UUID, *, details: Details, password: str, client: str
) -> tuple[PatientView, AccountView]:
    """A new patient signs up: their record, then the account that acts for it.

    Every value is checked before anything is written: the account's (an e-mail with an
    account is refused), then the record's (a patient the clinic already has is
    refused). The record is registered first: should the account still fail (another
    sign-up of the address won in between), the record is kept for the front desk to
    find, and nothing points at a record that does not exist.
    """
    if uc.limits is not None:
        await uc.limits.hit_key(SIGN_UP, client)
    check_new_account(details.email, password, "patient")
    if await uc.accounts_store.run(uc.accounts.has_account, details.email):
        raise AccountExists(
            f"{details.email.strip().lower()} already has an account: sign in with it"
        )
    home = await _located(uc, details)
    patient_id = uuid4()

    def register(app: Scheduling, now: datetime) -> PatientView:
        app.register_patient(
            clinic_id=clinic_id,
            name=details.name,
            home=home,
            phone=details.phone,
            email=details.email,
            address=details.address,
            availability=details.availability,
            patient_id=patient_id,
            actor=f"patient:{account_id(details.email)}",
            now=now,
        )
        return app.get_patient(patient_id)

    patient = await uc.write(register)
    account = await uc.accounts_store.run(
        uc.accounts.open_account,
        email=details.email,
        password=password,
        role="patient",
        acts_for=patient_id,
        clinic_id=clinic_id,
        actor="self-sign-up",
        now=uc.clock(),
    )
    return patient, account


@action()
async def register(uc: UseCases, who: Actor, clinic_id: UUID, *, details: Details) -> PatientView:
    """The front desk registers a patient (no account: open one later if they want it)."""
    access.check_role(who, "dispatcher", "admin")
    home = await _located(uc, details)

    def run(app: Scheduling, now: datetime) -> PatientView:
        access.clinic_for(app, who, clinic_id)
        patient_id = app.register_patient(
            clinic_id=clinic_id,
            name=details.name,
            home=home,
            phone=details.phone,
            email=details.email,
            address=details.address,
            availability=details.availability,
            actor=who.actor,
            now=now,
        )
        return app.get_patient(patient_id)

    return await uc.write(run)


@action()
async def search(uc: UseCases, who: Actor, clinic_id: UUID, *, text: str) -> list[PatientView]:
    """The clinic's patients whose name, e-mail, phone or address contain `text` (any
    case; all of them for an empty text), at most 50, by name."""
    access.check_role(who, "dispatcher", "admin")
    wanted = text.strip().lower()

    def run(app: Scheduling, _: datetime) -> list[PatientView]:
        access.clinic_for(app, who, clinic_id)
        found = [
            p
            for p in app.list_patients(clinic_id)
            if wanted in f"{p.name}\n{p.email}\n{p.phone}\n{p.address}".lower()
        ]
        return sorted(found, key=lambda p: p.name.lower())[:50]

    return await uc.read(run)


@action()
async def patient(uc: UseCases, who: Actor, patient_id: UUID) -> PatientView:
    """The patient's record: themself, their clinic's staff, their therapists."""
    return await uc.read(lambda app, _: access.patient_for(app, who, patient_id))


@action()
async def history(uc: UseCases, who: Actor, patient_id: UUID) -> list[HistoryEntry]:
    """Every event of the patient's record (registered, details, intake, evaluations,
    prescriptions, plans), oldest first: for whoever may see the patient."""

    def run(app: Scheduling, _: datetime) -> list[HistoryEntry]:
        access.patient_for(app, who, patient_id)
        return app.history(patient_id)

    return await uc.read(run)


def _self_or_desk(app: Scheduling, who: Actor, patient_id: UUID) -> PatientView:
    """The patient, if the caller is them or their clinic's front desk."""
    if who.role == "therapist":
        raise Forbidden("the patient or the front desk changes the patient's details")
    return access.patient_for(app, who, patient_id)


@action()
async def change_details(
    uc: UseCases, who: Actor, patient_id: UUID, *, details: Details
) -> PatientView:
    """New contact details or home (the patient, or the front desk)."""
    home = await _located(uc, details)

    def run(app: Scheduling, now: datetime) -> PatientView:
        _self_or_desk(app, who, patient_id)
        app.change_patient_details(
            patient_id,
            name=details.name,
            phone=details.phone,
            email=details.email,
            address=details.address,
            home=home,
            actor=who.actor,
            now=now,
        )
        return app.get_patient(patient_id)

    return await uc.write(run)


@action()
async def change_availability(
    uc: UseCases, who: Actor, patient_id: UUID, *, availability: Availability
) -> PatientView:
    """When the patient can be seen each week (the patient, or the front desk)."""

    def run(app: Scheduling, now: datetime) -> PatientView:
        _self_or_desk(app, who, patient_id)
        app.change_availability(patient_id, availability=availability, actor=who.actor, now=now)
        return app.get_patient(patient_id)

    return await uc.write(run)


@dataclass(frozen=True)
class Intake:
    """The intake questionnaire's answers."""

    answers: Mapping[str, bool]
    conditions: str = ""
    medications: str = ""
    pregnant: bool = False
    recent_surgery: str = ""


@action()
async def submit_intake(
    uc: UseCases, who: Actor, patient_id: UUID, *, intake: Intake
) -> PatientView:
    """The patient's health questionnaire (the patient, or the front desk for them); its
    yes answers suggest contraindication flags the therapist confirms in the evaluation."""

    def run(app: Scheduling, now: datetime) -> PatientView:
        _self_or_desk(app, who, patient_id)
        app.submit_intake(
            patient_id,
            answers=intake.answers,
            conditions=intake.conditions,
            medications=intake.medications,
            pregnant=intake.pregnant,
            recent_surgery=intake.recent_surgery,
            actor=who.actor,
            now=now,
        )
        return app.get_patient(patient_id)

    return await uc.write(run)
