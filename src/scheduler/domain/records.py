"""Commands that register clinics and patients, and patients' clinical records."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.care import contraindication_flags
from scheduler.domain.clinic import Clinic, ClinicDirectory
from scheduler.domain.errors import InvalidDuration, InvalidInput, UnknownPatient, UnknownPlan
from scheduler.domain.ids import ClinicId, PatientId, PrescriptionId
from scheduler.domain.inputs import location, text
from scheduler.domain.patient import Patient, pain_level
from scheduler.domain.plan import COMPLETED, TreatmentPlan
from scheduler.domain.staff import Staff
from scheduler.domain.timekeeping import as_utc, clinic_zone


class Records(Staff):
    """Registering clinics, therapists (see `Staff`) and patients, and clinical records."""

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
    ) -> ClinicId:
        """Open a clinic (with its empty directory); returns its id."""
        latitude, longitude = _location(location, "clinic location")
        clinic_zone(timezone)
        if not (math.isfinite(travel_speed_kmh) and travel_speed_kmh > 0):
            raise InvalidInput(f"travel speed must be > 0 km/h, got {travel_speed_kmh!r}")
        if late_cancel_hours < 0:
            raise InvalidDuration(f"late-cancel window must be >= 0 hours, got {late_cancel_hours}")
        at = as_utc(now, "now")
        clinic = Clinic(
            name=text(name, "clinic name"),
            address=text(address, "clinic address"),
            latitude=latitude,
            longitude=longitude,
            timezone=timezone,
            travel_speed_kmh=float(travel_speed_kmh),
            late_cancel_hours=int(late_cancel_hours),
            actor=actor,
            at=at,
        )
        self.save(clinic, ClinicDirectory(clinic_id=clinic.id, at=at))
        return ClinicId(clinic.id)

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
    ) -> PatientId:
        """Add a patient to a clinic; `home` is where home visits take place."""
        clinic = self._clinic(clinic_id)
        latitude, longitude = _location(home, "patient home")
        at = as_utc(now, "now")
        display_name = text(name, "patient name")

        def command() -> list[Aggregate]:
            patient = Patient(
                clinic_id=clinic.id,
                name=display_name,
                phone=phone,
                email=email,
                home_latitude=latitude,
                home_longitude=longitude,
                actor=actor,
                at=at,
            )
            directory = self._directory(clinic.id)
            directory.list_patient(patient.id, at)
            return [patient, directory]

        return PatientId(self._save_retrying(command)[0].id)

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
    ) -> None:
        """Record a completed evaluation; the latest one governs bookings."""
        condition = text(condition, "condition")
        level = _pain_level(pain_level)
        flags = list(contraindication_flags(contraindications))
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient, for_update=True)
            patient.evaluate(
                condition=condition,
                pain_level=level,
                contraindications=flags,
                notes=notes,
                actor=actor,
                at=at,
            )
            # Open plans keep the clearance bookings check, in the same transaction.
            plans: list[Aggregate] = []
            for plan_id in patient.plans:
                plan = self._load(TreatmentPlan, plan_id, UnknownPlan, for_update=True)
                if plan.status != COMPLETED:
                    plan.note_evaluation(flags, actor, at)
                    plans.append(plan)
            return [patient, *plans]

        self._save_retrying(command)

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
    ) -> PrescriptionId:
        """Record a prescription or referral authorizing sessions until `expires_on`."""
        if isinstance(authorized_sessions, bool) or authorized_sessions < 1:
            raise InvalidInput(f"authorized sessions must be >= 1, got {authorized_sessions!r}")
        if not isinstance(expires_on, date) or isinstance(expires_on, datetime):
            raise InvalidInput(f"expires_on must be a calendar date, got {expires_on!r}")
        prescription_id = uuid4()
        condition = text(condition, "condition")
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient, for_update=True)
            patient.record_prescription(
                prescription_id=prescription_id,
                condition=condition,
                authorized_sessions=int(authorized_sessions),
                expires_on=expires_on,
                prescriber=prescriber,
                actor=actor,
                at=at,
            )
            return [patient]

        self._save_retrying(command)
        return PrescriptionId(prescription_id)


# Module-level aliases: the methods' keyword names shadow these helpers inside them.
_location = location
_pain_level = pain_level
