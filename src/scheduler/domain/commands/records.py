"""Commands on clinics and patients: registration, policies, and the clinical record
(evaluations and prescriptions)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import (
    InvalidDuration,
    InvalidInput,
    UnknownPatient,
    UnknownPlan,
    UnknownPrescription,
    UnknownSession,
)
from scheduler.domain.ids import ClinicId, PatientId, PrescriptionId
from scheduler.domain.model.clinic import Clinic, ClinicDirectory
from scheduler.domain.model.patient import Patient, weekly_windows
from scheduler.domain.model.plan import COMPLETED, TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.session import BOOKED, Session
from scheduler.domain.rules import conditions
from scheduler.domain.rules.care import SPECIALIZATIONS, contraindication_flags, ruled_out_by
from scheduler.domain.rules.inputs import location as _location
from scheduler.domain.rules.inputs import pain_level as _pain_level
from scheduler.domain.rules.inputs import text
from scheduler.domain.timekeeping import as_utc, clinic_zone

SLOT_CHOICES = (5, 10, 15, 20, 30, 60)
"""Booking grids a clinic may choose, in minutes."""


def _policies(
    *,
    travel_speed_kmh: float,
    late_cancel_hours: int,
    slot_minutes: int,
    offer_hours: int,
    reassessment_every: int,
) -> dict[str, float | int]:
    if isinstance(travel_speed_kmh, bool) or not (
        isinstance(travel_speed_kmh, int | float)
        and math.isfinite(travel_speed_kmh)
        and 1 <= travel_speed_kmh <= 200
    ):
        raise InvalidInput(f"travel speed must be 1-200 km/h, got {travel_speed_kmh!r}")
    if not 0 <= late_cancel_hours <= 24 * 14:
        raise InvalidDuration(f"late-cancel window must be 0-336 hours, got {late_cancel_hours}")
    if slot_minutes not in SLOT_CHOICES:
        raise InvalidInput(f"the booking grid must be one of {SLOT_CHOICES} minutes")
    if not 1 <= offer_hours <= 72:
        raise InvalidDuration(f"a waitlist offer must stay open 1-72 hours, got {offer_hours}")
    if not 0 <= reassessment_every <= 52:
        raise InvalidInput(f"reassess every 0 (never) to 52 sessions, got {reassessment_every}")
    return {
        "travel_speed_kmh": float(travel_speed_kmh),
        "late_cancel_hours": int(late_cancel_hours),
        "slot_minutes": int(slot_minutes),
        "offer_hours": int(offer_hours),
        "reassessment_every": int(reassessment_every),
    }


class Records(Store):
    """Registering clinics and patients, and their clinical records."""

    def register_clinic(
        self,
        *,
        name: str,
        address: str,
        location: Sequence[float],
        timezone: str,
        actor: str,
        now: datetime,
        travel_speed_kmh: float = 30.0,
        late_cancel_hours: int = 24,
        slot_minutes: int = 15,
        offer_hours: int = 2,
        reassessment_every: int = 6,
    ) -> ClinicId:
        """Open a clinic (with its empty directory); returns its id."""
        latitude, longitude = _location(location, "clinic location")
        clinic_zone(timezone)
        policies = _policies(
            travel_speed_kmh=travel_speed_kmh,
            late_cancel_hours=late_cancel_hours,
            slot_minutes=slot_minutes,
            offer_hours=offer_hours,
            reassessment_every=reassessment_every,
        )
        at = as_utc(now, "now")
        clinic = Clinic(
            name=text(name, "clinic name"),
            address=text(address, "clinic address"),
            latitude=latitude,
            longitude=longitude,
            timezone=timezone,
            actor=actor,
            at=at,
            **policies,  # type: ignore[arg-type]
        )
        self.save(clinic, ClinicDirectory(clinic_id=clinic.id, at=at))
        return ClinicId(clinic.id)

    def change_clinic(
        self,
        clinic_id: UUID | str,
        *,
        name: str,
        address: str,
        location: Sequence[float],
        travel_speed_kmh: float,
        late_cancel_hours: int,
        slot_minutes: int,
        offer_hours: int,
        reassessment_every: int,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Replace the clinic's details and policies (its time zone is fixed)."""
        latitude, longitude = _location(location, "clinic location")
        policies = _policies(
            travel_speed_kmh=travel_speed_kmh,
            late_cancel_hours=late_cancel_hours,
            slot_minutes=slot_minutes,
            offer_hours=offer_hours,
            reassessment_every=reassessment_every,
        )
        display_name, street = text(name, "clinic name"), text(address, "clinic address")
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            clinic = self._clinic(clinic_id)
            clinic.change_policies(
                name=display_name,
                address=street,
                latitude=latitude,
                longitude=longitude,
                actor=actor,
                reason=reason,
                at=at,
                **policies,  # type: ignore[arg-type]
            )
            return [clinic]

        self._save_retrying(command, identity=("change_clinic", str(clinic_id), repr(policies)))

    def map_condition(
        self,
        clinic_id: UUID | str,
        *,
        phrase: str,
        specializations: Sequence[str],
        actor: str,
        now: datetime,
    ) -> None:
        """Let plans of `specializations` treat conditions mentioning `phrase` here."""
        words, skills = conditions.mapping(phrase, specializations)
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            clinic = self._clinic(clinic_id)
            clinic.map_condition(phrase=words, specializations=list(skills), actor=actor, at=at)
            return [clinic]

        self._save_retrying(command, identity=("map_condition", str(clinic_id), words, skills))

    # --- patients -----------------------------------------------------------------------
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
    ) -> PatientId:
        """Add a patient to a clinic; `home` is where home visits take place, and
        `availability` when the patient can be seen each week (empty: any time)."""
        clinic = self._clinic(clinic_id)
        latitude, longitude = _location(home, "patient home")
        windows = weekly_windows(availability or {})
        at = as_utc(now, "now")
        display_name = text(name, "patient name")

        def command() -> list[Aggregate]:
            patient = Patient(
                clinic_id=clinic.id,
                name=display_name,
                phone=phone.strip(),
                email=email.strip().lower(),
                address=address.strip(),
                home_latitude=latitude,
                home_longitude=longitude,
                availability=windows,
                actor=actor,
                at=at,
            )
            directory = self._directory(clinic.id)
            directory.list_patient(patient.id, at)
            return [patient, directory]

        saved = self._save_retrying(command, identity=("register_patient", str(clinic.id), name))
        return PatientId(saved[0].id)

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
        display_name, at = text(name, "patient name"), as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            patient.change_details(
                name=display_name,
                phone=phone.strip(),
                email=email.strip().lower(),
                address=address.strip(),
                home_latitude=latitude,
                home_longitude=longitude,
                actor=actor,
                at=at,
            )
            return [patient]

        self._save_retrying(
            command, identity=("change_patient_details", str(patient_id), name, address)
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

    # --- the clinical record ------------------------------------------------------------
    def record_evaluation(
        self,
        patient_id: UUID | str,
        *,
        condition: str,
        pain_level: int,
        contraindications: Sequence[str],
        actor: str,
        now: datetime,
        notes: str = "",
        findings: str = "",
        recommended: str | None = None,
    ) -> None:
        """Record a completed evaluation; the latest one governs bookings.

        Booked sessions still to come that the new contraindications rule out are
        flagged (an event on each session, and on its plan) in the same transaction;
        sessions an earlier flag held and this evaluation clears are resolved.
        """
        condition = text(condition, "condition")
        level = _pain_level(pain_level)
        flags = list(contraindication_flags(contraindications))
        if recommended is not None and recommended not in SPECIALIZATIONS:
            raise InvalidInput(
                f"unknown specialization {recommended!r}: use {sorted(SPECIALIZATIONS)}"
            )
        if len(notes) > 5000 or len(findings) > 5000:
            raise InvalidInput("keep the notes and findings under 5000 characters each")
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            patient.evaluate(
                condition=condition,
                pain_level=level,
                contraindications=flags,
                notes=notes,
                findings=findings,
                recommended=recommended,
                actor=actor,
                at=at,
            )
            changed: list[Aggregate] = [patient]
            for plan_id in patient.plans:
                plan = self._load(TreatmentPlan, plan_id, UnknownPlan)
                if plan.status == COMPLETED:
                    continue
                flagged = self._flag_sessions(plan, flags, actor, at, changed)
                plan.note_evaluation(flags, flagged, actor, at)
                changed.append(plan)
            return changed

        self._save_retrying(
            command, identity=("record_evaluation", str(patient_id), condition, level, flags)
        )

    def _flag_sessions(
        self,
        plan: TreatmentPlan,
        flags: list[str],
        actor: str,
        at: datetime,
        changed: list[Aggregate],
    ) -> list[UUID]:
        """Flag (or clear) the plan's booked sessions still to come; the flagged ids."""
        ruling = ruled_out_by(flags, plan.specialization)
        flagged: list[UUID] = []
        for session_id in plan.days:
            session = self._load(Session, session_id, UnknownSession)
            if session.status != BOOKED or session.start <= at:
                continue
            if ruling:
                flagged.append(session.id)
                if session.flags != ruling:
                    session.flag(ruling, actor, "the latest evaluation rules it out", at)
                    changed.append(session)
            elif session.flags:
                session.resolve_flag(actor, "the latest evaluation clears it", at)
                changed.append(session)
        return flagged

    def record_prescription(
        self,
        patient_id: UUID | str,
        *,
        condition: str,
        authorized_sessions: int,
        expires_on: date,
        actor: str,
        now: datetime,
        prescriber: str = "",
        icd10: str | None = None,
        npi: str | None = None,
        authorization_number: str | None = None,
    ) -> PrescriptionId:
        """Record a prescription or referral authorizing sessions until `expires_on`."""
        if isinstance(authorized_sessions, bool) or not 1 <= authorized_sessions <= 200:
            raise InvalidInput(f"authorized sessions must be 1-200, got {authorized_sessions!r}")
        if not isinstance(expires_on, date) or isinstance(expires_on, datetime):
            raise InvalidInput(f"expires_on must be a calendar date, got {expires_on!r}")
        if npi is not None and npi.strip() and not (len(npi.strip()) == 10 and npi.isdigit()):
            raise InvalidInput("an NPI has 10 digits")
        code = conditions.icd10(icd10)
        condition = text(condition, "condition")
        at = as_utc(now, "now")
        prescription_id = uuid4()

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            prescription = Prescription(
                prescription_id=prescription_id,
                clinic_id=patient.clinic_id,
                patient_id=patient.id,
                condition=condition,
                icd10=code,
                authorized_sessions=int(authorized_sessions),
                expires_on=expires_on,
                prescriber=prescriber.strip(),
                npi=(npi or "").strip() or None,
                authorization_number=(authorization_number or "").strip() or None,
                actor=actor,
                at=at,
            )
            patient.record_prescription(prescription.id, actor, at)
            return [patient, prescription]

        self._save_retrying(
            command,
            identity=("record_prescription", str(patient_id), condition, expires_on),
        )
        return PrescriptionId(prescription_id)

    def renew_prescription(
        self,
        prescription_id: UUID | str,
        *,
        authorized_sessions: int,
        expires_on: date,
        actor: str,
        reason: str,
        now: datetime,
        authorization_number: str | None = None,
    ) -> None:
        """The payer renewed the authorization: sessions in total, and the new expiry."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            prescription = self._load(Prescription, prescription_id, UnknownPrescription)
            if not len(prescription.held) <= authorized_sessions <= 200:
                raise InvalidInput(
                    f"authorized sessions must be {len(prescription.held)}-200 (sessions "
                    "already held count)"
                )
            if expires_on < prescription.expires_on:
                raise InvalidInput("a renewal cannot end before the current expiry")
            prescription.renew(
                authorized_sessions=authorized_sessions,
                expires_on=expires_on,
                authorization_number=(authorization_number or "").strip() or None,
                actor=actor,
                reason=reason,
                at=at,
            )
            return [prescription]

        self._save_retrying(
            command,
            identity=("renew_prescription", str(prescription_id), authorized_sessions, expires_on),
        )
