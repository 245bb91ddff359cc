"""Commands on treatment plans: start one under a prescription, then change it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import (
    AuthorizationExhausted,
    HomeNotLocated,
    InvalidDuration,
    InvalidInput,
    PrescriptionExpired,
    UnknownPatient,
    UnknownPlan,
    UnknownPrescription,
    UnknownTherapist,
)
from scheduler.domain.ids import PlanId
from scheduler.domain.model.patient import Patient
from scheduler.domain.model.plan import SETTINGS, TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.rules import conditions
from scheduler.domain.rules.cadence import cadence
from scheduler.domain.rules.care import specializations
from scheduler.domain.timekeeping import as_utc, local_date

MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 15, 8 * 60
MAX_PLANNED_SESSIONS = 100


class Plans(Store):
    """Starting treatment plans and recording every change to them as an event."""

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

        The prescription must be the patient's, unexpired, for a condition the
        specialization treats (`rules/conditions.py`, plus the clinic's own mapping),
        and must authorize at least `sessions` more sessions across its plans.
        """
        (skill,) = specializations([specialization])
        if isinstance(sessions, bool) or not 1 <= sessions <= MAX_PLANNED_SESSIONS:
            raise InvalidInput(f"a plan needs 1-{MAX_PLANNED_SESSIONS} sessions, got {sessions!r}")
        if not MIN_SESSION_MINUTES <= session_minutes <= MAX_SESSION_MINUTES:
            raise InvalidDuration(
                f"session length must be {MIN_SESSION_MINUTES}-{MAX_SESSION_MINUTES} minutes, "
                f"got {session_minutes}"
            )
        cadence(min_days, max_days)
        if setting not in SETTINGS:
            raise InvalidInput(f"setting must be one of {SETTINGS}, got {setting!r}")
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            prescription = self._load(Prescription, prescription_id, UnknownPrescription)
            if prescription.patient_id != patient.id:
                raise UnknownPrescription("the patient has no such prescription: record it first")
            clinic = self._clinic(patient.clinic_id)
            today = local_date(at, self._zone_of(clinic.id))
            if prescription.expires_on < today:
                raise PrescriptionExpired(
                    f"the prescription expired on {prescription.expires_on}: record a renewed "
                    "one before planning treatment"
                )
            conditions.check_treats(
                skill, prescription.condition, prescription.icd10, clinic.condition_map
            )
            if sessions > prescription.left:
                raise AuthorizationExhausted(
                    f"the prescription authorizes {prescription.left} more session(s) (of "
                    f"{prescription.authorized_sessions}): plan at most that many, or record "
                    "a renewal"
                )
            preferred = None
            if preferred_therapist is not None:
                therapist = self._load(Therapist, preferred_therapist, UnknownTherapist)
                if therapist.clinic_id != patient.clinic_id:
                    raise UnknownTherapist("the preferred therapist is not one of this clinic's")
                preferred = therapist.id
            if setting == "home" and not patient.home_located:
                raise HomeNotLocated(
                    "the patient's home is not on the map yet: enter its coordinates (or an "
                    "address the geocoder finds) before planning home visits"
                )
            evaluation = patient.latest_evaluation
            plan = TreatmentPlan(
                clinic_id=patient.clinic_id,
                patient_id=patient.id,
                prescription_id=prescription.id,
                condition=prescription.condition,
                specialization=skill,
                sessions=int(sessions),
                session_minutes=int(session_minutes),
                min_days=min_days,
                max_days=max_days,
                setting=setting,
                preferred_therapist=preferred,
                latitude=(patient.home if setting == "home" else clinic.location)[0],
                longitude=(patient.home if setting == "home" else clinic.location)[1],
                evaluated=evaluation is not None,
                contraindications=evaluation["contraindications"] if evaluation else [],
                actor=actor,
                at=at,
            )
            patient.start_plan(plan.id, actor, at)
            directory = self._directory(patient.clinic_id)
            directory.list_plan(plan.id, at)
            return [plan, patient, directory]

        saved = self._save_retrying(
            command,
            identity=("create_plan", str(patient_id), str(prescription_id), skill, sessions),
        )
        return PlanId(saved[0].id)

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
            plan_id,
            lambda plan: plan.change_cadence(min_days, max_days, actor, reason, at),
            ("change_cadence", min_days, max_days),
        )

    def add_sessions(
        self, plan_id: UUID | str, *, count: int, actor: str, reason: str, now: datetime
    ) -> None:
        """Plan `count` more sessions (bookings stay capped by the prescription)."""
        at = as_utc(now, "now")
        self._change(
            plan_id,
            lambda plan: plan.change_sessions(count, actor, reason, at),
            ("add_sessions", count),
        )

    def remove_sessions(
        self, plan_id: UUID | str, *, count: int, actor: str, reason: str, now: datetime
    ) -> None:
        """Plan `count` fewer sessions (never fewer than those already held)."""
        at = as_utc(now, "now")
        self._change(
            plan_id,
            lambda plan: plan.change_sessions(-count, actor, reason, at),
            ("remove_sessions", count),
        )

    def pause_plan(self, plan_id: UUID | str, *, actor: str, reason: str, now: datetime) -> None:
        """Stop new bookings on the plan until it is resumed."""
        at = as_utc(now, "now")
        self._change(plan_id, lambda plan: plan.pause(actor, reason, at), ("pause",))

    def resume_plan(self, plan_id: UUID | str, *, actor: str, reason: str, now: datetime) -> None:
        """Allow bookings on a paused plan again."""
        at = as_utc(now, "now")
        self._change(plan_id, lambda plan: plan.resume(actor, reason, at), ("resume",))

    def complete_plan(
        self, plan_id: UUID | str, *, actor: str, reason: str, now: datetime, summary: str = ""
    ) -> None:
        """Discharge: close the plan for good, with a summary of the course."""
        if len(summary) > 5000:
            raise InvalidInput("keep the discharge summary under 5000 characters")
        at = as_utc(now, "now")
        self._change(
            plan_id, lambda plan: plan.complete(actor, reason, at, summary.strip()), ("complete",)
        )

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

        def switch(plan: TreatmentPlan) -> None:
            if (
                preferred is not None
                and self._load(Therapist, preferred, UnknownTherapist).clinic_id != plan.clinic_id
            ):
                raise UnknownTherapist("the therapist is not one of this plan's clinic")
            plan.switch_therapist(preferred, actor, reason, at)

        self._change(plan_id, switch, ("switch_therapist", str(preferred)))

    def _change(
        self,
        plan_id: UUID | str,
        change: Callable[[TreatmentPlan], None],
        identity: tuple[object, ...],
    ) -> None:
        """Apply `change` to the current plan and save it, retrying if a booking raced."""

        def command() -> list[Aggregate]:
            plan = self._load(TreatmentPlan, plan_id, UnknownPlan)
            change(plan)
            return [plan]

        self._save_retrying(command, identity=(*identity, str(plan_id)))
