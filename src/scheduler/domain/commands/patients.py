"""Commands on patients: register (the front desk, or the patient signing up), contact
details and weekly availability, and the intake questionnaire."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import InvalidInput, PatientExists, UnknownPatient
from scheduler.domain.ids import PatientId
from scheduler.domain.model.patient import Patient, PatientKey, patient_keys, weekly_windows
from scheduler.domain.rules.care import INTAKE_QUESTIONS, suggested_flags
from scheduler.domain.rules.inputs import location as _location
from scheduler.domain.rules.inputs import text
from scheduler.domain.timekeeping import as_utc

MAX_FREE_TEXT = 2000


def _contact(phone: str, email: str, address: str) -> tuple[str, str, str]:
    phone, email, address = phone.strip(), email.strip().lower(), address.strip()
    if len(phone) > 40 or (phone and not all(c.isdigit() or c in "+-() ." for c in phone)):
        raise InvalidInput("a phone number has digits, spaces and + - ( ) only (at most 40)")
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        raise InvalidInput(f"{email!r} is not an e-mail address such as ana@example.com")
    if len(address) > 300:
        raise InvalidInput("keep the street address under 300 characters")
    return phone, email, address


_ALREADY = (
    "the clinic already has a patient with this {what}: find them in the patient search "
    "(or, signing up, ask the front desk to open your account)"
)


class Patients(Store):
    """Registering patients and what they tell the clinic about themselves."""

    def _held(self, clinic_id: UUID, patient_id: UUID | None, keys: Sequence[str]) -> list[Any]:
        """The keys' aggregates (None: never claimed); PatientExists if another patient
        than `patient_id` holds one."""
        found = [self._load_or_none(PatientKey.create_id(clinic_id, key)) for key in keys]
        for key, holder in zip(keys, found, strict=True):
            if holder is not None and holder.patient_id not in (None, patient_id):
                what = "e-mail address" if key.startswith("email:") else "name and phone number"
                raise PatientExists(_ALREADY.format(what=what))
        return found

    def _claims(
        self, clinic_id: UUID, patient_id: UUID, keys: Sequence[str], at: datetime
    ) -> list[Aggregate]:
        """Claim each key for the patient (PatientExists if another patient holds one)."""
        claimed: list[Aggregate] = []
        for key, found in zip(keys, self._held(clinic_id, patient_id, keys), strict=True):
            if found is None:
                claimed.append(
                    PatientKey(clinic_id=clinic_id, key=key, patient_id=patient_id, at=at)
                )
            elif found.patient_id is None:
                found.reclaim(patient_id=patient_id, at=at)
                claimed.append(found)
        return claimed

    def _releases(
        self, clinic_id: UUID, patient_id: UUID, keys: Sequence[str], at: datetime
    ) -> list[Aggregate]:
        """Give up the keys the patient held and no longer goes by."""
        released: list[Aggregate] = []
        for key in keys:
            found = self._load_or_none(PatientKey.create_id(clinic_id, key))
            if found is not None and found.patient_id == patient_id:
                found.release(at=at)
                released.append(found)
        return released

    def register_patient(
        self,
        *,
        clinic_id: UUID | str,
        name: str,
        home: Sequence[float] | None,
        actor: str,
        now: datetime,
        phone: str = "",
        email: str = "",
        address: str = "",
        availability: Mapping[str, Sequence[Sequence[int]]] | None = None,
        patient_id: UUID | None = None,
    ) -> PatientId:
        """Add a patient to a clinic; `home` is where home visits take place (None: not
        found on the map yet, no home visit until it is), and `availability` when the
        patient can be seen each week (empty: any time).

        `patient_id` lets a sign-up name the record its account acts for beforehand.
        """
        clinic = self._clinic(clinic_id)
        located = home is not None
        latitude, longitude = _location(home, "patient home") if home else clinic.location
        windows = weekly_windows(availability or {})
        phone, email, address = _contact(phone, email, address)
        at = as_utc(now, "now")
        display_name = text(name, "patient name", max_length=200)
        key = patient_id or uuid4()

        def command() -> list[Aggregate]:
            patient = Patient(
                patient_id=key,
                clinic_id=clinic.id,
                name=display_name,
                phone=phone,
                email=email,
                address=address,
                home_latitude=latitude,
                home_longitude=longitude,
                home_located=located,
                availability=windows,
                actor=actor,
                at=at,
            )
            directory = self._directory(clinic.id)
            directory.list_patient(patient.id, at)
            keys = patient_keys(display_name, email, phone)
            return [patient, directory, *self._claims(clinic.id, patient.id, keys, at)]

        saved = self._save_retrying(command, identity=("register_patient", str(key)))
        return PatientId(saved[0].id)

    def check_patient(
        self,
        *,
        clinic_id: UUID | str,
        name: str,
        home: Sequence[float] | None,
        phone: str = "",
        email: str = "",
        address: str = "",
        availability: Mapping[str, Sequence[Sequence[int]]] | None = None,
    ) -> None:
        """Raise what `register_patient` would refuse, writing nothing (a sign-up checks
        first, then registers, then opens the account)."""
        clinic = self._clinic(clinic_id)
        if home is not None:
            _location(home, "patient home")
        weekly_windows(availability or {})
        phone, email, _ = _contact(phone, email, address)
        display_name = text(name, "patient name", max_length=200)
        keys = patient_keys(display_name, email, phone)
        self._held(clinic.id, None, keys)

    def change_patient_details(
        self,
        patient_id: UUID | str,
        *,
        name: str,
        phone: str,
        email: str,
        address: str,
        home: Sequence[float] | None,
        actor: str,
        now: datetime,
    ) -> None:
        """New contact details or home (plans made later take the new home; None: the
        new address is not found on the map yet)."""
        located = home is not None
        phone, email, address = _contact(phone, email, address)
        display_name, at = text(name, "patient name", max_length=200), as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            where = (
                _location(home, "patient home")
                if home
                else self._clinic(patient.clinic_id).location
            )
            before = patient_keys(patient.name, patient.email, patient.phone)
            after = patient_keys(display_name, email, phone)
            keys = [
                *self._releases(
                    patient.clinic_id, patient.id, sorted(set(before) - set(after)), at
                ),
                *self._claims(patient.clinic_id, patient.id, after, at),
            ]
            patient.change_details(
                name=display_name,
                phone=phone,
                email=email,
                address=address,
                home_latitude=where[0],
                home_longitude=where[1],
                home_located=located,
                actor=actor,
                at=at,
            )
            return [patient, *keys]

        self._save_retrying(
            command, identity=("change_patient_details", str(patient_id), display_name, address)
        )

    def change_availability(
        self,
        patient_id: UUID | str,
        *,
        availability: Mapping[str, Sequence[Sequence[int]]],
        actor: str,
        now: datetime,
    ) -> None:
        """When the patient can be seen each week, from now on (empty: any time)."""
        windows, at = weekly_windows(availability), as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            patient.change_availability(windows, actor, at)
            return [patient]

        self._save_retrying(
            command, identity=("change_availability", str(patient_id), repr(windows))
        )

    def submit_intake(
        self,
        patient_id: UUID | str,
        *,
        answers: Mapping[str, bool],
        conditions: str,
        medications: str,
        pregnant: bool,
        recent_surgery: str,
        actor: str,
        now: datetime,
    ) -> list[str]:
        """The patient's health questionnaire; returns the contraindication flags its
        answers suggest (the therapist confirms or clears them in the evaluation)."""
        unknown = sorted(set(answers) - set(INTAKE_QUESTIONS))
        if unknown:
            raise InvalidInput(
                f"unknown intake question(s) {unknown}: use {list(INTAKE_QUESTIONS)}"
            )
        if not all(isinstance(v, bool) for v in answers.values()):
            raise InvalidInput("answer each intake question yes or no")
        for what, value in (
            ("conditions", conditions),
            ("medications", medications),
            ("recent surgery", recent_surgery),
        ):
            if len(value) > MAX_FREE_TEXT:
                raise InvalidInput(f"keep {what} under {MAX_FREE_TEXT} characters")
        flags = suggested_flags(dict(answers))
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            patient.submit_intake(
                answers=dict(answers),
                conditions=conditions.strip(),
                medications=medications.strip(),
                pregnant=bool(pregnant),
                recent_surgery=recent_surgery.strip(),
                suggested=flags,
                actor=actor,
                at=at,
            )
            return [patient]

        self._save_retrying(command, identity=("submit_intake", str(patient_id), repr(answers)))
        return flags
