"""Queries: the clinic's records as views of plain values (calendars: see `calendar.py`)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from scheduler.domain.calendar import Calendar
from scheduler.domain.clinic import ClinicDirectory
from scheduler.domain.errors import (
    UnknownPatient,
    UnknownPlan,
    UnknownSession,
    UnknownTherapist,
)
from scheduler.domain.ids import directory_id
from scheduler.domain.patient import Patient
from scheduler.domain.plan import TreatmentPlan
from scheduler.domain.session import Session
from scheduler.domain.therapist import Therapist
from scheduler.domain.timekeeping import wall_clock
from scheduler.domain.views import (
    ClinicView,
    PatientView,
    PlanView,
    SessionView,
    TherapistView,
)


class Reads(Calendar):
    """Everything the API and the CLI read: views of plain values, never aggregates."""

    def get_clinic(self, clinic_id: UUID | str) -> ClinicView:
        """The clinic and its policies."""
        clinic = self._clinic(clinic_id)
        return ClinicView(
            id=clinic.id,
            name=clinic.name,
            address=clinic.address,
            location=clinic.location,
            timezone=clinic.timezone,
            travel_speed_kmh=clinic.travel_speed_kmh,
            late_cancel_hours=clinic.late_cancel_hours,
        )

    def local_time(self, clinic_id: UUID | str, day: date, minute: int) -> datetime:
        """The UTC instant of local wall-clock `minute` after midnight on `day` at the clinic."""
        return wall_clock(day, minute, self._zone_of(self._clinic(clinic_id).id))

    def get_therapist(self, therapist_id: UUID | str) -> TherapistView:
        """A therapist's profile, shifts and time off."""
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        return TherapistView(
            id=therapist.id,
            clinic_id=therapist.clinic_id,
            name=therapist.name,
            specializations=tuple(therapist.specializations),
            mobile=therapist.mobile,
            home=therapist.home(),
            shifts={day: (window[0], window[1]) for day, window in therapist.shifts.items()},
            max_visits_per_day=therapist.max_visits_per_day,
            time_off=tuple(dict(entry) for entry in therapist.time_off),
        )

    def get_patient(self, patient_id: UUID | str) -> PatientView:
        """A patient with evaluations, prescriptions and plan ids."""
        patient = self._load(Patient, patient_id, UnknownPatient)
        return PatientView(
            id=patient.id,
            clinic_id=patient.clinic_id,
            name=patient.name,
            phone=patient.phone,
            email=patient.email,
            home=patient.home,
            evaluations=tuple(dict(entry) for entry in patient.evaluations),
            prescriptions=tuple(dict(entry) for entry in patient.prescriptions.values()),
            plans=tuple(patient.plans),
        )

    def get_plan(self, plan_id: UUID | str) -> PlanView:
        """A treatment plan and the sessions it holds."""
        plan = self._load(TreatmentPlan, plan_id, UnknownPlan)
        return PlanView(
            id=plan.id,
            clinic_id=plan.clinic_id,
            patient_id=plan.patient_id,
            prescription_id=plan.prescription_id,
            condition=plan.condition,
            specialization=plan.specialization,
            sessions=plan.sessions,
            session_minutes=plan.session_minutes,
            min_days=plan.min_days,
            max_days=plan.max_days,
            setting=plan.setting,
            preferred_therapist=plan.preferred_therapist,
            authorized_sessions=plan.authorized_sessions,
            expires_on=plan.expires_on,
            status=plan.status,
            sessions_held=len(plan.held),
            session_ids=tuple(plan.booked),
        )

    def get_session(self, session_id: UUID | str) -> SessionView:
        """A session with its times in UTC and in the clinic's zone."""
        session = self._load(Session, session_id, UnknownSession)
        zone = self._zone_of(session.clinic_id)
        return SessionView(
            id=session.id,
            clinic_id=session.clinic_id,
            plan_id=session.plan_id,
            patient_id=session.patient_id,
            therapist_id=session.therapist_id,
            start=session.start,
            end=session.end,
            start_local=session.start.astimezone(zone),
            end_local=session.end.astimezone(zone),
            location=session.location,
            setting=session.setting,
            status=session.status,
            late_cancel=session.late_cancel,
            progress_note=dict(session.progress_note) if session.progress_note else None,
        )

    def _directory_of(self, clinic_id: UUID | str) -> ClinicDirectory:
        clinic = self._clinic(clinic_id)
        directory: ClinicDirectory = self.repository.get(directory_id(clinic.id))
        return directory

    def list_therapists(self, clinic_id: UUID | str) -> list[TherapistView]:
        """The clinic's therapists in registration order."""
        return [self.get_therapist(t) for t in self._directory_of(clinic_id).therapists]

    def list_patients(self, clinic_id: UUID | str) -> list[PatientView]:
        """The clinic's patients in registration order."""
        return [self.get_patient(p) for p in self._directory_of(clinic_id).patients]

    def list_plans(self, clinic_id: UUID | str) -> list[PlanView]:
        """The clinic's treatment plans in creation order."""
        return [self.get_plan(p) for p in self._directory_of(clinic_id).plans]

    def patient_sessions(self, patient_id: UUID | str) -> list[SessionView]:
        """Every session ever booked for the patient (any status), in start order."""
        patient = self._load(Patient, patient_id, UnknownPatient)
        sessions = [
            self.get_session(session_id)
            for plan_id in patient.plans
            for session_id in self._load(TreatmentPlan, plan_id, UnknownPlan).booked
        ]
        return sorted(sessions, key=lambda session: session.start)
