"""Evaluation visits: a new patient's first appointment, before any plan exists.

Booked online by the patient (or by the front desk) with a therapist who treats the
reason for the visit, for the clinic's `evaluation_minutes`, at the clinic or (with a
mobile therapist) at home. It needs no plan, prescription or clearance: it is what
leads to them. A patient has at most one evaluation visit booked at a time; recording
the evaluation (`clinical.py`) completes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.visits import Visit, Visits
from scheduler.domain.errors import (
    EvaluationAlreadyBooked,
    HomeNotLocated,
    InvalidInput,
    UnknownPatient,
    UnknownTherapist,
)
from scheduler.domain.ids import SessionId
from scheduler.domain.model.patient import Patient
from scheduler.domain.model.session import EVALUATION, Session
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.rules import timing
from scheduler.domain.rules.inputs import text
from scheduler.domain.timekeeping import as_utc

SETTINGS = ("clinic", "home")


class EvaluationVisits(Visits):
    """Booking a new patient's evaluation visit."""

    def book_evaluation(
        self,
        *,
        patient_id: UUID | str,
        therapist_id: UUID | str,
        start: datetime,
        reason: str,
        actor: str,
        now: datetime,
        setting: str = "clinic",
        overrides: Mapping[str, str] | None = None,
    ) -> SessionId:
        """Book the patient's evaluation visit; `reason` is what it is for, in their words
        (it picks the therapists who may take it). Returns the visit's session id."""
        start, at, rules = as_utc(start, "start"), as_utc(now, "now"), timing.overrides(overrides)
        visit_reason = text(reason, "reason for the visit", max_length=300)
        if setting not in SETTINGS:
            raise InvalidInput(f"an evaluation takes place at {SETTINGS}, got {setting!r}")
        saved = self._save_retrying(
            lambda: self._evaluation(
                patient_id,
                therapist_id,
                start=start,
                reason=visit_reason,
                setting=setting,
                at=at,
                rules=rules,
                actor=actor,
            ),
            identity=("book_evaluation", str(patient_id), str(therapist_id), start),
        )
        return SessionId(saved[-1].id)

    def check_evaluation(
        self,
        *,
        patient_id: UUID | str,
        therapist_id: UUID | str,
        start: datetime,
        reason: str,
        now: datetime,
        setting: str = "clinic",
    ) -> None:
        """Raise what booking this evaluation visit would break now; nothing saved."""
        start, at = as_utc(start, "start"), as_utc(now, "now")
        self._evaluation(
            patient_id,
            therapist_id,
            start=start,
            reason=reason,
            setting=setting,
            at=at,
            rules={},
            actor="dry run",
        )

    def _evaluation(
        self,
        patient_id: UUID | str,
        therapist_id: UUID | str,
        *,
        start: datetime,
        reason: str,
        setting: str,
        at: datetime,
        rules: dict[str, str],
        actor: str,
    ) -> list[Aggregate]:
        patient = self._load(Patient, patient_id, UnknownPatient)
        therapist = self._load(Therapist, therapist_id, UnknownTherapist)
        if patient.evaluation_visit is not None:
            raise EvaluationAlreadyBooked(
                "an evaluation visit is already booked: move it, or cancel it first"
            )
        clinic = self._clinic(patient.clinic_id)
        if setting == "home" and not patient.home_located:
            raise HomeNotLocated(
                "the patient's home is not on the map yet: evaluate at the clinic, or enter "
                "the home's coordinates first"
            )
        visit: Visit = self._frame(
            clinic,
            therapist,
            start=start,
            minutes=clinic.evaluation_minutes,
            place=patient.home if setting == "home" else clinic.location,
            home_visit=setting == "home",
            at=at,
            rules=rules,
        )
        self._check_evaluates(therapist, reason, clinic.condition_map)
        session = Session(
            clinic_id=clinic.id,
            kind=EVALUATION,
            plan_id=None,
            patient_id=patient.id,
            prescription_id=None,
            therapist_id=therapist.id,
            start=visit.start,
            end=visit.end,
            therapist_day=visit.day,
            patient_day=visit.day,
            latitude=visit.place[0],
            longitude=visit.place[1],
            setting=setting,
            number=0,
            reassessment=False,
            visit_reason=reason,
            overrides=rules,
            actor=actor,
            reason="evaluation visit",
            at=at,
        )
        days = self._occupy(session.id, therapist.id, patient.id, visit, actor=actor, at=at)
        patient.note_evaluation_visit(session.id, actor, at)
        return [*days, patient, session]
