"""The clinical record: evaluations (an evaluation visit's, or a reassessment's) and
prescriptions (referrals) with their renewals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import (
    InvalidInput,
    PrescriptionExpired,
    UnknownPatient,
    UnknownPlan,
    UnknownPrescription,
    UnknownSession,
)
from scheduler.domain.ids import PrescriptionId
from scheduler.domain.model.patient import Patient
from scheduler.domain.model.plan import COMPLETED, TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.session import BOOKED, EVALUATION, Session
from scheduler.domain.rules import conditions
from scheduler.domain.rules.care import SPECIALIZATIONS, contraindication_flags, ruled_out_by
from scheduler.domain.rules.inputs import pain_level as _pain_level
from scheduler.domain.rules.inputs import text
from scheduler.domain.timekeeping import as_utc, local_date

MAX_CLINICAL_TEXT = 5000


@dataclass(frozen=True)
class Findings:
    """What an evaluation (or a reassessment) found: validated by `checked`."""

    condition: str
    pain_level: int
    contraindications: tuple[str, ...] = ()
    notes: str = ""
    findings: str = ""
    recommended: str | None = None

    def checked(self) -> Findings:
        """These findings, validated; InvalidInput (or InvalidPainLevel) says what is wrong."""
        if self.recommended is not None and self.recommended not in SPECIALIZATIONS:
            raise InvalidInput(
                f"unknown specialization {self.recommended!r}: use {sorted(SPECIALIZATIONS)}"
            )
        if len(self.notes) > MAX_CLINICAL_TEXT or len(self.findings) > MAX_CLINICAL_TEXT:
            raise InvalidInput(f"keep notes and findings under {MAX_CLINICAL_TEXT} characters")
        return Findings(
            condition=text(self.condition, "condition", max_length=300),
            pain_level=_pain_level(self.pain_level),
            contraindications=contraindication_flags(self.contraindications),
            notes=self.notes.strip(),
            findings=self.findings.strip(),
            recommended=self.recommended,
        )


def evaluate(
    store: Store,
    patient: Patient,
    found: Findings,
    *,
    kind: str,
    session_id: UUID | None,
    actor: str,
    at: datetime,
) -> list[Aggregate]:
    """Record `found` on the patient and take it into every open plan: booked sessions
    still to come that its contraindications rule out are flagged, and those an earlier
    flag held and it clears are resolved. Returns the aggregates changed besides the
    patient (plans, sessions)."""
    flags = list(found.contraindications)
    patient.evaluate(
        kind=kind,
        condition=found.condition,
        pain_level=found.pain_level,
        contraindications=flags,
        notes=found.notes,
        findings=found.findings,
        recommended=found.recommended,
        session_id=session_id,
        actor=actor,
        at=at,
    )
    changed: list[Aggregate] = []
    for plan_id in patient.plans:
        plan = store._load(TreatmentPlan, plan_id, UnknownPlan)
        if plan.status == COMPLETED:
            continue
        ruling = ruled_out_by(flags, plan.specialization)
        flagged: list[UUID] = []
        for planned in plan.days:
            session = store._load(Session, planned, UnknownSession)
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
        plan.note_evaluation(flags, flagged, actor, at)
        changed.append(plan)
    return changed


class Clinical(Store):
    """Evaluations and prescriptions."""

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
        visit: UUID | str | None = None,
    ) -> None:
        """Record a completed evaluation; the latest one governs bookings.

        With `visit` (the patient's evaluation visit, once it has started) that visit is
        completed in the same transaction, with the findings as its note. Booked sessions
        the new contraindications rule out are flagged (see `evaluate`).
        """
        found = Findings(
            condition, pain_level, tuple(contraindications), notes, findings, recommended
        ).checked()
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            changed: list[Aggregate] = [patient]
            session_id = None
            if visit is not None:
                session = self._evaluation_visit_of(patient, visit, at)
                session_id = session.id
                summary = found.findings or found.notes or f"evaluated: {found.condition}"
                session.complete(summary, found.pain_level, found.pain_level, actor, at)
                changed.append(session)
            changed += evaluate(
                self, patient, found, kind="evaluation", session_id=session_id, actor=actor, at=at
            )
            return changed

        self._save_retrying(
            command,
            identity=("record_evaluation", str(patient_id), str(visit), found.condition, at),
        )

    def _evaluation_visit_of(self, patient: Patient, visit: UUID | str, at: datetime) -> Session:
        session = self._load(Session, visit, UnknownSession)
        if session.patient_id != patient.id or session.kind != EVALUATION:
            raise UnknownSession("that is not an evaluation visit of this patient")
        session.check_booked("completed")
        session.check_started("completed", at, self._zone_of(session.clinic_id))
        return session

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
        npi = (npi or "").strip() or None
        if npi is not None and not (len(npi) == 10 and npi.isascii() and npi.isdigit()):
            raise InvalidInput("an NPI has 10 digits")
        number = (authorization_number or "").strip() or None
        if number is not None and len(number) > 60:
            raise InvalidInput("keep the authorization number under 60 characters")
        if len(prescriber) > 200:
            raise InvalidInput("keep the prescriber's name under 200 characters")
        code = conditions.icd10(icd10)
        condition = text(condition, "condition", max_length=300)
        at = as_utc(now, "now")
        prescription_id = uuid4()

        def command() -> list[Aggregate]:
            patient = self._load(Patient, patient_id, UnknownPatient)
            today = local_date(at, self._zone_of(patient.clinic_id))
            if expires_on < today:
                raise PrescriptionExpired(
                    f"this prescription expired on {expires_on.isoformat()}: "
                    "ask the prescriber for a new one"
                )
            prescription = Prescription(
                prescription_id=prescription_id,
                clinic_id=patient.clinic_id,
                patient_id=patient.id,
                condition=condition,
                icd10=code,
                authorized_sessions=int(authorized_sessions),
                expires_on=expires_on,
                prescriber=prescriber.strip(),
                npi=npi,
                authorization_number=number,
                actor=actor,
                at=at,
            )
            patient.record_prescription(prescription.id, actor, at)
            return [patient, prescription]

        saved = self._save_retrying(
            command,
            identity=("record_prescription", str(patient_id), condition, expires_on),
        )
        return PrescriptionId(saved[-1].id)

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
