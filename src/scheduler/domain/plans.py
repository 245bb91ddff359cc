"""Commands on treatment plans: create one from a prescription, then change it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.base import SchedulingBase, as_uuid
from scheduler.domain.care import specializations
from scheduler.domain.clinic import ClinicDirectory
from scheduler.domain.errors import (
    InvalidDuration,
    InvalidInput,
    UnknownClinic,
    UnknownPatient,
    UnknownPlan,
    UnknownPrescription,
    UnknownTherapist,
)
from scheduler.domain.ids import PlanId, directory_id
from scheduler.domain.patient import Patient
from scheduler.domain.plan import SETTINGS, TreatmentPlan, cadence
from scheduler.domain.therapist import Therapist
from scheduler.domain.timekeeping import as_utc

MAX_SESSION_MINUTES = 8 * 60


class Plans(SchedulingBase):
    """Creating treatment plans and recording every change to them as an event."""

    def create_plan(
        self,
        *,
        patient_id: UUID | str,
        prescription_id: UUID | str,
        specialization: str,
        sessions: int,
        session_minutes: int,
        min_days: int,
        max_days: int,
        setting: str,
        actor: str,
        now: datetime,
        preferred_therapist: UUID | str | None = None,
    ) -> PlanId:
        """Start a plan of `sessions` sessions under one of the patient's prescriptions.

        The plan may hold at most the prescription's authorized sessions, and only
        sessions on or before its expiry date.
        """
        (skill,) = specializations([specialization])
        if isinstance(sessions, bool) or sessions < 1:
            raise InvalidInput(f"a plan needs at least 1 session, got {sessions!r}")
        if not 0 < session_minutes <= MAX_SESSION_MINUTES:
            raise InvalidDuration(
                f"session length must be 1..{MAX_SESSION_MINUTES} minutes, got {session_minutes}"
            )
        cadence(min_days, max_days)
        if setting not in SETTINGS:
            raise InvalidInput(f"setting must be one of {SETTINGS}, got {setting!r}")
        preferred = None
        if preferred_therapist is not None:
            preferred = self._load(Therapist, preferred_therapist, UnknownTherapist).id
        at = as_utc(now, "now")
        prescription_key = as_uuid(prescription_id, UnknownPrescription, "prescription")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient, for_update=True)
            prescription = patient.prescription(prescription_key)
            evaluation = patient.latest_evaluation
            place = patient.home if setting == "home" else self._clinic(patient.clinic_id).location
            plan = TreatmentPlan(
                clinic_id=patient.clinic_id,
                patient_id=patient.id,
                prescription_id=prescription_key,
                condition=prescription["condition"],
                specialization=skill,
                sessions=int(sessions),
                session_minutes=int(session_minutes),
                min_days=min_days,
                max_days=max_days,
                setting=setting,
                preferred_therapist=preferred,
                authorized_sessions=prescription["authorized_sessions"],
                expires_on=prescription["expires_on"],
                latitude=place[0],
                longitude=place[1],
                evaluated=evaluation is not None,
                contraindications=evaluation["contraindications"] if evaluation else [],
                actor=actor,
                at=at,
            )
            patient.start_plan(plan.id, actor, at)
            directory = self._load(
                ClinicDirectory, directory_id(patient.clinic_id), UnknownClinic, for_update=True
            )
            directory.list_plan(plan.id, at)
            return [plan, patient, directory]

        saved = self._save_retrying(command)
        return PlanId(saved[0].id)

    def _plan(self, plan_id: UUID | str) -> TreatmentPlan:
        return self._load(TreatmentPlan, plan_id, UnknownPlan, for_update=True)

    def change_cadence(
        self,
        plan_id: UUID | str,
        *,
        min_days: int,
        max_days: int,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Change the days allowed between consecutive sessions."""
        at = as_utc(now, "now")
        self._change(
            plan_id, lambda plan: plan.change_cadence(min_days, max_days, actor, reason, at)
        )

    def add_sessions(
        self, plan_id: UUID | str, *, count: int, actor: str, reason: str, now: datetime
    ) -> None:
        """Plan `count` more sessions (still capped by the prescription)."""
        at = as_utc(now, "now")
        self._change(plan_id, lambda plan: plan.change_sessions(count, actor, reason, at))

    def remove_sessions(
        self, plan_id: UUID | str, *, count: int, actor: str, reason: str, now: datetime
    ) -> None:
        """Plan `count` fewer sessions (never fewer than those already held)."""
        at = as_utc(now, "now")
        self._change(plan_id, lambda plan: plan.change_sessions(-count, actor, reason, at))

    def pause_plan(self, plan_id: UUID | str, *, actor: str, reason: str, now: datetime) -> None:
        """Stop new bookings on the plan until it is resumed."""
        at = as_utc(now, "now")
        self._change(plan_id, lambda plan: plan.pause(actor, reason, at))

    def resume_plan(self, plan_id: UUID | str, *, actor: str, reason: str, now: datetime) -> None:
        """Allow bookings on a paused plan again."""
        at = as_utc(now, "now")
        self._change(plan_id, lambda plan: plan.resume(actor, reason, at))

    def complete_plan(self, plan_id: UUID | str, *, actor: str, reason: str, now: datetime) -> None:
        """Close the plan for good."""
        at = as_utc(now, "now")
        self._change(plan_id, lambda plan: plan.complete(actor, reason, at))

    def switch_therapist(
        self,
        plan_id: UUID | str,
        *,
        therapist_id: UUID | str | None,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Change (or with None, clear) the plan's preferred therapist."""
        at = as_utc(now, "now")
        preferred = None
        if therapist_id is not None:
            preferred = self._load(Therapist, therapist_id, UnknownTherapist).id
        self._change(plan_id, lambda plan: plan.switch_therapist(preferred, actor, reason, at))

    def _change(self, plan_id: UUID | str, change: Callable[[TreatmentPlan], None]) -> None:
        """Apply `change` to the current plan and save it, retrying if a booking raced."""

        def command() -> list[Aggregate]:
            plan = self._plan(plan_id)
            change(plan)
            return [plan]

        self._save_retrying(command)
