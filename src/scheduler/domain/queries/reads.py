"""Queries: the clinic's records as views of plain values (calendars: `calendar.py`)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import (
    UnknownPatient,
    UnknownPlan,
    UnknownPrescription,
    UnknownProposal,
    UnknownSession,
    UnknownTherapist,
)
from scheduler.domain.model.patient import Patient
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.proposal import Proposal
from scheduler.domain.model.session import Session
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.timekeeping import wall_clock
from scheduler.domain.views import (
    ClinicView,
    PatientView,
    PlanView,
    PrescriptionView,
    ProposalView,
    SessionView,
    TherapistView,
)


class Reads(Store):
    """Everything the use cases read: views of plain values, never aggregates."""

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
            slot_minutes=clinic.slot_minutes,
            offer_hours=clinic.offer_hours,
            reassessment_every=clinic.reassessment_every,
            evaluation_minutes=clinic.evaluation_minutes,
            condition_map={k: list(v) for k, v in clinic.condition_map.items()},
            reminder_hours=clinic.reminder_hours,
            quiet_hours=None if clinic.quiet_hours is None else tuple(clinic.quiet_hours),  # type: ignore[arg-type]
        )

    def local_time(self, clinic_id: UUID | str, day: date, minute: int) -> datetime:
        """The UTC instant of local wall-clock `minute` after midnight on `day` at the clinic."""
        return wall_clock(day, minute, self._zone_of(self._clinic(clinic_id).id))

    def get_therapist(self, therapist_id: UUID | str) -> TherapistView:
        """A therapist's profile, shifts, time off and route base."""
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        clinic = self._clinic(therapist.clinic_id)
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
            base=therapist.base(clinic.location),
            phone=therapist.phone,
            active=therapist.active,
            shift_requests=tuple(
                {"id": key, **request} for key, request in therapist.shift_requests.items()
            ),
        )

    def get_prescription(self, prescription_id: UUID | str) -> PrescriptionView:
        """A prescription and how much of its authorization is held."""
        found = self._load(Prescription, prescription_id, UnknownPrescription)
        return PrescriptionView(
            id=found.id,
            clinic_id=found.clinic_id,
            patient_id=found.patient_id,
            condition=found.condition,
            icd10=found.icd10,
            authorized_sessions=found.authorized_sessions,
            held=len(found.held),
            left=found.left,
            expires_on=found.expires_on,
            prescriber=found.prescriber,
            npi=found.npi,
            authorization_number=found.authorization_number,
            reauthorization_due=found.reauthorization_due,
            recorded_at=found.recorded_at,
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
            prescriptions=tuple(self.get_prescription(p) for p in patient.prescriptions),
            plans=tuple(patient.plans),
            address=patient.address,
            availability={day: [list(w) for w in ws] for day, ws in patient.availability.items()},
            home_located=patient.home_located,
            intake=dict(patient.intake) if patient.intake else None,
            evaluation_visit=patient.evaluation_visit,
            evaluation_visits=tuple(patient.evaluation_visits),
        )

    def get_plan(self, plan_id: UUID | str) -> PlanView:
        """A treatment plan, the sessions it holds, and what may still be booked."""
        plan = self._load(TreatmentPlan, plan_id, UnknownPlan)
        prescription = self._load(Prescription, plan.prescription_id, UnknownPrescription)
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
            authorized_sessions=prescription.authorized_sessions,
            expires_on=prescription.expires_on,
            status=plan.status,
            sessions_held=len(plan.held),
            session_ids=tuple(plan.booked),
            sessions_left=max(0, min(plan.sessions_left, prescription.left)),
            contraindications=tuple(plan.contraindications),
            flagged=tuple(plan.flagged),
            location=plan.location,
            summary=plan.summary,
            displaced=tuple(plan.displaced),
            postponed=tuple(plan.postponed),
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
            amendments=tuple(dict(entry) for entry in session.amendments),
            flags=tuple(session.flags),
            pinned=session.pinned,
            kind=session.kind,
            visit_reason=session.visit_reason,
            number=session.number,
            reassessment=session.reassessment,
            displaced_by=session.displaced_by,
        )

    def session_pinned(self, session_id: UUID | str) -> bool:
        """Whether the session is pinned now."""
        return self._load(Session, session_id, UnknownSession).pinned

    def get_proposal(self, proposal_id: UUID | str) -> ProposalView:
        """The stored proposal."""
        found = self._load(Proposal, proposal_id, UnknownProposal)
        return ProposalView(
            id=found.id,
            clinic_id=found.clinic_id,
            first_day=found.first_day,
            last_day=found.last_day,
            purpose=found.purpose,
            status=found.status,
            items=tuple(found.items),
            unplaced=tuple(found.unplaced),
            plans={key: list(value) for key, value in found.plans.items()},
            summary=dict(found.summary),
            proposed_by=found.proposed_by,
            proposed_at=found.proposed_at,
            outcomes=tuple(found.outcomes),
        )

    def list_therapists(self, clinic_id: UUID | str) -> list[TherapistView]:
        """The clinic's therapists in registration order."""
        directory = self._directory(self._clinic(clinic_id).id)
        return [self.get_therapist(t) for t in directory.therapists]

    def list_patients(self, clinic_id: UUID | str) -> list[PatientView]:
        """The clinic's patients in registration order."""
        return [self.get_patient(p) for p in self._directory(self._clinic(clinic_id).id).patients]

    def list_plans(self, clinic_id: UUID | str) -> list[PlanView]:
        """The clinic's treatment plans in creation order."""
        return [self.get_plan(p) for p in self._directory(self._clinic(clinic_id).id).plans]

    def patient_sessions(self, patient_id: UUID | str) -> list[SessionView]:
        """Every session ever booked for the patient, evaluation visits included (any
        status), in start order."""
        patient = self._load(Patient, patient_id, UnknownPatient)
        sessions = [
            self.get_session(session_id)
            for plan_id in patient.plans
            for session_id in self._load(TreatmentPlan, plan_id, UnknownPlan).booked
        ]
        sessions += [self.get_session(visit) for visit in patient.evaluation_visits]
        return sorted(sessions, key=lambda session: session.start)
