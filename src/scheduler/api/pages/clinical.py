"""The patient's chart for their therapist (and the clinic's front desk): the intake and
its suggested flags, evaluations, prescriptions and plans; and the therapist's forms at
the evaluation visit: the evaluation, the prescription or referral, the treatment plan.

Every form keeps what was typed when something is wrong and says what to fix beside the
field; field names carry the form's prefix (`ev-`, `rx-`, `plan-`) so one page can hold
all three forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages import fields
from scheduler.api.pages.submit import OwnFields, refusal_on
from scheduler.api.pages.web import PageContext, go, parse_date
from scheduler.domain import PatientView, PlanView, SessionView, TherapistView
from scheduler.domain.errors import AuthorizationExhausted, PrescriptionExpired, SchedulingError
from scheduler.domain.rules.care import CONTRAINDICATIONS, SPECIALIZATIONS
from scheduler.usecases import UseCases, clinical
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import patients as patient_actions
from scheduler.usecases import plans as plan_actions
from scheduler.usecases import sessions as session_actions
from scheduler.usecases import staff as staff_actions
from scheduler.usecases.actor import Actor
from scheduler.usecases.errors import Forbidden

STAFF = ("therapist", "dispatcher")
CARE_REFUSALS = (SchedulingError, Forbidden)
"""What a chart form's action may answer: a broken rule, or a patient not the staff's."""


@dataclass(frozen=True)
class Chart:
    """What the chart page shows."""

    patient: PatientView
    plans: list[PlanView]
    visit: SessionView | None  # the evaluation visit booked now
    therapists: list[TherapistView]  # whom a plan may prefer
    zone: ZoneInfo


async def colleagues(uc: UseCases, who: Actor) -> tuple[list[TherapistView], ZoneInfo]:
    """The therapists a plan may name (a therapist names themself; the front desk any of
    the clinic's), and the clinic's zone."""
    if who.role == "therapist":
        me = await staff_actions.me(uc, who)
        return [me.therapist], ZoneInfo(me.timezone)
    clinic = await clinic_actions.mine(uc, who)
    return await clinic_actions.therapists(uc, who, clinic.id), ZoneInfo(clinic.timezone)


async def chart_of(uc: UseCases, who: Actor, patient_id: UUID) -> Chart:
    """The patient's record, plans, evaluation visit, and whom a plan may prefer."""
    patient = await patient_actions.patient(uc, who, patient_id)
    plans = [await plan_actions.get(uc, who, plan_id) for plan_id in patient.plans]
    visit = None
    if patient.evaluation_visit is not None:
        visit = await session_actions.get(uc, who, patient.evaluation_visit)
    therapists, zone = await colleagues(uc, who)
    return Chart(patient, plans, visit, therapists, zone)


def _optional(value: str) -> str | None:
    return value or None


def _evaluation(form: dict[str, str], errors: dict[str, str]) -> clinical.Evaluation | None:
    condition = fields.text(
        form, "ev-condition", errors, label="the condition", required=True, limit=300
    )
    pain = fields.whole(form, "ev-pain", errors, low=0, high=10, what="the pain level")
    flags = [flag for flag in sorted(CONTRAINDICATIONS) if form.get(f"ev-flag-{flag}") == "yes"]
    recommended = form.get("ev-recommended", "")
    if recommended and recommended not in SPECIALIZATIONS:
        errors["ev-recommended"] = "Choose one of the listed specializations, or none."
    findings = fields.text(form, "ev-findings", errors, label="the findings", limit=2000)
    notes = fields.text(form, "ev-notes", errors, label="the notes", limit=2000)
    if errors or pain is None:
        return None
    return clinical.Evaluation(
        condition=condition,
        pain_level=pain,
        contraindications=flags,
        findings=findings,
        notes=notes,
        recommended=recommended or None,
    )


def _prescription(form: dict[str, str], errors: dict[str, str]) -> clinical.Prescription | None:
    prescriber = fields.text(form, "rx-prescriber", errors, label="the prescriber", required=True)
    npi = fields.text(form, "rx-npi", errors, label="the NPI", limit=10)
    if npi and (not npi.isdigit() or len(npi) != 10):
        errors["rx-npi"] = "An NPI has 10 digits (or leave it empty)."
    condition = fields.text(
        form, "rx-condition", errors, label="the condition", required=True, limit=300
    )
    icd10 = fields.text(form, "rx-icd10", errors, label="the ICD-10 code", limit=8)
    sessions = fields.whole(
        form, "rx-sessions", errors, low=1, high=200, what="the sessions authorized"
    )
    expires = parse_date(form.get("rx-expires", ""), "rx-expires", errors)
    number = fields.text(
        form, "rx-authorization", errors, label="the authorization number", limit=60
    )
    if errors or sessions is None or expires is None:
        return None
    return clinical.Prescription(
        condition=condition,
        authorized_sessions=sessions,
        expires_on=expires,
        prescriber=prescriber,
        icd10=_optional(icd10.upper()),
        npi=_optional(npi),
        authorization_number=_optional(number),
    )


def _plan(
    form: dict[str, str], errors: dict[str, str], chart: Chart
) -> clinical.PlanRequest | None:
    prescriptions = {str(p.id) for p in chart.patient.prescriptions}
    if form.get("plan-prescription", "") not in prescriptions:
        errors["plan-prescription"] = "Choose the prescription this plan follows."
    specialization = form.get("plan-specialization", "")
    if specialization not in SPECIALIZATIONS:
        errors["plan-specialization"] = "Choose a specialization."
    sessions = fields.whole(
        form, "plan-sessions", errors, low=1, high=100, what="the number of sessions"
    )
    minutes = fields.whole(
        form, "plan-minutes", errors, low=15, high=180, what="the minutes per session"
    )
    low = fields.whole(
        form, "plan-min-days", errors, low=1, high=60, what="the fewest days between sessions"
    )
    high = fields.whole(
        form, "plan-max-days", errors, low=1, high=90, what="the most days between sessions"
    )
    if low is not None and high is not None and low > high:
        errors["plan-max-days"] = "The most days between sessions must be at least the fewest."
    setting = form.get("plan-setting", "")
    if setting not in ("clinic", "home"):
        errors["plan-setting"] = "Choose the clinic or the patient's home."
    preferred = form.get("plan-therapist", "")
    if preferred and preferred not in {str(t.id) for t in chart.therapists}:
        errors["plan-therapist"] = "Choose a therapist of the list, or no preference."
    if errors or sessions is None or minutes is None or low is None or high is None:
        return None
    return clinical.PlanRequest(
        prescription_id=UUID(form["plan-prescription"]),
        specialization=specialization,
        sessions=sessions,
        session_minutes=minutes,
        min_days=low,
        max_days=high,
        setting=setting,
        preferred_therapist=UUID(preferred) if preferred else None,
    )


def _renewal(form: dict[str, str], errors: dict[str, str], chart: Chart) -> dict[str, Any] | None:
    chosen = form.get("rn-prescription", "")
    if chosen not in {str(p.id) for p in chart.patient.prescriptions}:
        errors["rn-prescription"] = "Choose the prescription that was renewed."
    sessions = fields.whole(
        form, "rn-sessions", errors, low=1, high=200, what="the sessions authorized in total"
    )
    expires = parse_date(form.get("rn-expires", ""), "rn-expires", errors)
    number = fields.text(form, "rn-authorization", errors, label="the number", limit=60)
    reason = fields.text(form, "rn-reason", errors, label="the reason", limit=500)
    if errors or sessions is None or expires is None:
        return None
    return {
        "prescription_id": UUID(chosen),
        "authorized_sessions": sessions,
        "expires_on": expires,
        "authorization_number": number or None,
        "reason": reason,
    }


class ClinicalPages(Controller):
    """`/app/chart/{patient_id}` and its three forms."""

    path = "/app/chart/{patient_id:uuid}"
    include_in_schema = False
    opt = PUBLIC

    async def _chart(
        self,
        page: PageContext,
        patient_id: UUID,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        who = page.signed_in(*STAFF)
        chart = await chart_of(page.uc, who, patient_id)
        now = page.uc.clock()
        visit = chart.visit
        return page.render(
            "clinical_chart.html",
            status=status,
            chart=chart,
            role=who.role,
            zone=chart.zone,
            visit_started=visit is not None and visit.start <= now,
            flags=sorted(CONTRAINDICATIONS),
            specializations=[(s, s.replace("_", " ")) for s in sorted(SPECIALIZATIONS)],
            form=form or {},
            errors=errors or {},
            today=now.astimezone(chart.zone).date(),
            done=page.request.query_params.get("done", ""),
        )

    @get("/", name="pages:chart")
    async def chart(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template:
        """The chart, with the forms the signed-in role may use."""
        return await self._chart(page, patient_id)

    async def _answer(
        self,
        page: PageContext,
        patient_id: UUID,
        *,
        form: dict[str, str],
        errors: dict[str, str],
        done: str,
    ) -> Template | Redirect:
        if errors:
            return await self._chart(page, patient_id, form=form, errors=errors, status=400)
        return go(f"/app/chart/{patient_id}", done=done)

    @post("/evaluations", status_code=303)
    async def evaluate(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record the evaluation (completing the evaluation visit, when one was sent)."""
        who = page.signed_in("therapist")
        form = await page.form()
        errors: dict[str, str] = {}
        evaluation = _evaluation(form, errors)
        visit = form.get("ev-visit", "")
        if evaluation is not None:
            not_recorded = "The evaluation was not recorded: {}."
            with refusal_on(
                errors, "ev-form", said=not_recorded, catch=(*CARE_REFUSALS, ValueError)
            ):
                await clinical.record_evaluation(
                    page.uc,
                    who,
                    patient_id,
                    evaluation=evaluation,
                    visit=UUID(visit) if visit else None,
                )
        return await self._answer(page, patient_id, form=form, errors=errors, done="evaluation")

    @post("/prescriptions", status_code=303)
    async def prescribe(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record the prescription or referral."""
        who = page.signed_in(*STAFF)
        form = await page.form()
        errors: dict[str, str] = {}
        prescription = _prescription(form, errors)
        if prescription is not None:
            not_recorded = "The prescription was not recorded: {}."
            expired: OwnFields = {PrescriptionExpired: "rx-expires"}
            with refusal_on(
                errors, "rx-form", said=not_recorded, fields=expired, catch=CARE_REFUSALS
            ):
                await clinical.record_prescription(
                    page.uc, who, patient_id, prescription=prescription
                )
        return await self._answer(page, patient_id, form=form, errors=errors, done="prescription")

    @post("/renewals", status_code=303)
    async def renew(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Record a renewed authorization (sessions in total, the new expiry)."""
        who = page.signed_in(*STAFF)
        form = await page.form()
        errors: dict[str, str] = {}
        renewal = _renewal(form, errors, await chart_of(page.uc, who, patient_id))
        if renewal is not None:
            prescription_id = renewal.pop("prescription_id")
            not_recorded = "The renewal was not recorded: {}."
            expired: OwnFields = {PrescriptionExpired: "rn-expires"}
            with refusal_on(
                errors, "rn-form", said=not_recorded, fields=expired, catch=CARE_REFUSALS
            ):
                await clinical.renew_prescription(page.uc, who, prescription_id, **renewal)
        return await self._answer(page, patient_id, form=form, errors=errors, done="renewal")

    @post("/plans", status_code=303)
    async def start_plan(
        self, page: NamedDependency[PageContext], patient_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Start the treatment plan under one of the patient's prescriptions."""
        who = page.signed_in(*STAFF)
        form = await page.form()
        errors: dict[str, str] = {}
        plan = _plan(form, errors, await chart_of(page.uc, who, patient_id))
        if plan is not None:
            not_started = "The plan was not started: {}."
            exhausted: OwnFields = {AuthorizationExhausted: "plan-sessions"}
            with refusal_on(
                errors, "plan-form", said=not_started, fields=exhausted, catch=CARE_REFUSALS
            ):
                await clinical.create_plan(page.uc, who, patient_id, request=plan)
        return await self._answer(page, patient_id, form=form, errors=errors, done="plan")
