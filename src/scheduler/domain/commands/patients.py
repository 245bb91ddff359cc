"""Commands on patients: register (the front desk, or the patient signing up), contact
details and weekly availability, and the intake questionnaire."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import InvalidInput, UnknownPatient
from scheduler.domain.ids import PatientId
from scheduler.domain.model.patient import Patient, weekly_windows
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


class Patients(Store):
    """Registering patients and what they tell the clinic about themselves."""

    def register_patient(
        self,
        *,
        clinic_id: UUID | str,
        name: str,
        home: Sequence[float],
        actor: str,
        now: datetime,
        phone: str = "",
        email: str = "",
        address: str = "",
        availability: Mapping[str, Sequence[Sequence[int]]] | None = None,
        patient_id: UUID | None = None,
    ) -> PatientId:
        """Add a patient to a clinic; `home` is where home visits take place, and
        `availability` when the patient can be seen each week (empty: any time).

        `patient_id` lets a sign-up name the record its account acts for beforehand.
        """
        clinic = self._clinic(clinic_id)
        latitude, longitude = _location(home, "patient home")
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
                availability=windows,
                actor=actor,
                at=at,
            )
            directory = self._directory(clinic.id)
            directory.list_patient(patient.id, at)
            return [patient, directory]

        saved = self._save_retrying(command, identity=("register_patient", str(key)))
        return PatientId(saved[0].id)

    def check_patient(
        self,
        *,
        clinic_id: UUID | str,
        name: str,
        home: Sequence[float],
        phone: str = "",
        email: str = "",
        address: str = "",
        availability: Mapping[str, Sequence[Sequence[int]]] | None = None,
    ) -> None:
        """Raise what `register_patient` would refuse, writing nothing (a sign-up checks
        first, then opens the account, then registers)."""
        self._clinic(clinic_id)
        _location(home, "patient home")
        weekly_windows(availability or {})
        _contact(phone, email, address)
        text(name, "patient name", max_length=200)

    def change_patient_details(
        self,
        patient_id: UUID | str,
        *,
        name: str,
        phone: str,
        email: str,
        address: str,
        home: Sequence[float],
        actor: str,
        now: datetime,
    ) -> None:
        """New contact details or home (plans made later take the new home)."""
        latitude, longitude = _location(home, "patient home")
        phone, email, address = _contact(phone, email, address)
        display_name, at = text(name, "patient name", max_length=200), as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            patient.change_details(
                name=display_name,
                phone=phone,
                email=email,
                address=address,
                home_latitude=latitude,
                home_longitude=longitude,
                actor=actor,
                at=at,
            )
            return [patient]

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
