"""Commands that register the clinic's people and records: clinics, therapists, patients."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.base import SchedulingBase
from scheduler.domain.care import contraindication_flags, specializations
from scheduler.domain.clinic import Clinic, ClinicDirectory
from scheduler.domain.errors import (
    InvalidDuration,
    InvalidInput,
    UnknownClinic,
    UnknownPatient,
    UnknownPlan,
    UnknownTherapist,
)
from scheduler.domain.ids import ClinicId, PatientId, PrescriptionId, TherapistId, directory_id
from scheduler.domain.patient import Patient, pain_level
from scheduler.domain.plan import COMPLETED, TreatmentPlan
from scheduler.domain.therapist import Therapist, weekly_shifts
from scheduler.domain.timekeeping import as_utc, clinic_zone, dates_between, local_date

TIME_OFF_KINDS = ("time_off", "sick")
MAX_TIME_OFF = timedelta(days=92)


def location(value: Sequence[float], what: str) -> tuple[float, float]:
    """A validated (latitude, longitude); InvalidInput otherwise."""
    if len(value) != 2 or not all(isinstance(v, int | float) and math.isfinite(v) for v in value):
        raise InvalidInput(f"{what} must be [latitude, longitude] in degrees, got {value!r}")
    latitude, longitude = float(value[0]), float(value[1])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(f"{what} {value!r} is not on Earth: latitude ±90, longitude ±180")
    return latitude, longitude


def text(value: str, what: str) -> str:
    """A non-blank string, stripped; InvalidInput otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be non-empty text")
    return value.strip()


class Records(SchedulingBase):
    """Registering clinics, therapists and patients, and their clinical records."""

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

    def _directory(self, clinic_id: UUID) -> ClinicDirectory:
        self._clinic(clinic_id)
        return self._load(ClinicDirectory, directory_id(clinic_id), UnknownClinic, for_update=True)

    def register_therapist(
        self,
        *,
        clinic_id: UUID | str,
        name: str,
        specializations: Sequence[str],
        mobile: bool,
        shifts: Mapping[str, Sequence[int]],
        actor: str,
        now: datetime,
        home: Sequence[float] | None = None,
        max_visits_per_day: int = 8,
    ) -> TherapistId:
        """Add a therapist to a clinic. Mobile therapists need a `home` (their base)."""
        clinic = self._clinic(clinic_id)
        skills = _specializations(specializations)
        if mobile and home is None:
            raise InvalidInput("a mobile therapist needs a home location (their base)")
        base = _location(home, "therapist home") if home is not None else None
        pattern = weekly_shifts(shifts)
        if max_visits_per_day < 1:
            raise InvalidInput(f"max visits per day must be >= 1, got {max_visits_per_day}")
        at = as_utc(now, "now")
        display_name = text(name, "therapist name")

        def command() -> list[Aggregate]:
            therapist = Therapist(
                clinic_id=clinic.id,
                name=display_name,
                specializations=list(skills),
                mobile=bool(mobile),
                home_latitude=base[0] if base else None,
                home_longitude=base[1] if base else None,
                shifts=pattern,
                max_visits_per_day=int(max_visits_per_day),
                actor=actor,
                at=at,
            )
            directory = self._directory(clinic.id)
            directory.list_therapist(therapist.id, at)
            return [therapist, directory]

        return TherapistId(self._save_retrying(command)[0].id)

    def change_shifts(
        self,
        therapist_id: UUID | str,
        *,
        shifts: Mapping[str, Sequence[int]],
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Replace a therapist's weekly shift pattern (booked sessions are kept)."""
        pattern, at = weekly_shifts(shifts), as_utc(now, "now")

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist, for_update=True)
            therapist.change_shifts(pattern, actor, reason, at)
            return [therapist]

        self._save_retrying(command)

    def record_time_off(
        self,
        therapist_id: UUID | str,
        *,
        start: datetime,
        end: datetime,
        actor: str,
        reason: str,
        now: datetime,
        kind: str = "time_off",
    ) -> None:
        """Block `start`..`end` for time off or a sick day (`kind`: time_off or sick).

        Each affected day is marked in the same transaction, so a booking racing with a
        sick call either lands first (and stays, for the clinic to reassign) or fails.
        """
        if kind not in TIME_OFF_KINDS:
            raise InvalidInput(f"kind must be one of {TIME_OFF_KINDS}, got {kind!r}")
        start, end = as_utc(start, "start"), as_utc(end, "end")
        if not start < end <= start + MAX_TIME_OFF:
            raise InvalidDuration(
                f"time off must end after it starts and last at most {MAX_TIME_OFF.days} days"
            )
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            zone = self._zone_of(therapist.clinic_id)
            last = local_date(end - timedelta(microseconds=1), zone)
            changed: list[Aggregate] = [therapist]
            for day in dates_between(local_date(start, zone), last):
                day_record = self._therapist_day(therapist.id, day, at)
                day_record.mark_unavailable(
                    kind=kind, start=start, end=end, actor=actor, reason=reason, at=at
                )
                changed.append(day_record)
            therapist.record_time_off(
                kind=kind, start=start, end=end, actor=actor, reason=reason, at=at
            )
            return changed

        self._save_retrying(command)

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
_specializations = specializations
_pain_level = pain_level
