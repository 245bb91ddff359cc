"""`/patients/{id}`: a patient's record and care: details, availability, the intake,
the evaluation visit, evaluations, prescriptions and plans. `/prescriptions/{id}`:
renewing an authorization."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import responses
from scheduler.api.schemas.care import (
    BookEvaluation,
    EvaluationSlot,
    NewPlan,
    NewPrescription,
    RecordEvaluation,
    Renewal,
    Setting,
)
from scheduler.api.schemas.people import (
    AvailabilityChange,
    IntakeAnswers,
    Patient,
    PatientDetails,
    Prescription,
)
from scheduler.api.schemas.records import Event, Plan, Session
from scheduler.usecases import UseCases, clinical
from scheduler.usecases import evaluations as evaluation_actions
from scheduler.usecases import patients as actions

ANYONE = allow("patient", "therapist", "dispatcher", "admin")
CLINICIANS = allow("therapist", "dispatcher", "admin")
WRITES = responses(400, 401, 403, 404, 409, 422)
Days = Annotated[int, QueryParameter(ge=1, le=21, description="how many days ahead")]


class PatientsController(Controller):
    """One patient."""

    path = "/patients/{patient_id:uuid}"
    tags = ("patients",)
    guards = (ANYONE,)

    @get(
        "/",
        operation_id="getPatient",
        summary="A patient's record",
        responses=responses(401, 403, 404),
    )
    async def patient(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> Patient:
        """Contact, home, availability, intake, evaluations, prescriptions, plans: the
        patient themself, their clinic's front desk, their therapists."""
        return Patient.of(await actions.patient(uc, principal_of(request), patient_id))

    @get(
        "/history",
        operation_id="patientHistory",
        summary="Every event of a patient's record",
        responses=responses(401, 403, 404),
    )
    async def history(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
    ) -> list[Event]:
        """Registered, details changed, intake, evaluations, prescriptions and plans,
        oldest first, each with who, when and why."""
        entries = await actions.history(uc, principal_of(request), patient_id)
        return [Event.of(entry) for entry in entries]

    @put(
        "/",
        operation_id="changePatientDetails",
        summary="Change a patient's contact details or home",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=WRITES,
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        data: JSONBody[PatientDetails],
        uc: NamedDependency[UseCases],
    ) -> Patient:
        """Every field is replaced (the availability is changed on its own route). 409
        `patient_exists` if the new e-mail (or name and phone) is another patient's."""
        view = await actions.change_details(
            uc, principal_of(request), patient_id, details=data.details()
        )
        return Patient.of(view)

    @put(
        "/availability",
        operation_id="changeAvailability",
        summary="When the patient can be seen each week",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=WRITES,
    )
    async def availability(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        data: JSONBody[AvailabilityChange],
        uc: NamedDependency[UseCases],
    ) -> Patient:
        """Weekday → windows of local minutes; feeds the options, the optimizer and
        re-plans. Sessions already booked stay."""
        view = await actions.change_availability(
            uc,
            principal_of(request),
            patient_id,
            availability={d: [list(w) for w in ws] for d, ws in data.availability.items()},
        )
        return Patient.of(view)

    @put(
        "/intake",
        operation_id="submitIntake",
        summary="The patient's health questionnaire",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=WRITES,
    )
    async def intake(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        data: JSONBody[IntakeAnswers],
        uc: NamedDependency[UseCases],
    ) -> Patient:
        """Answers to `GET /intake/questions` (unknown keys: 422) and free text. Yes
        answers suggest contraindication flags, shown on `intake.suggested`; the
        therapist confirms or clears them in the evaluation. Sent again, it replaces
        the previous answers (both stay in the history)."""
        view = await actions.submit_intake(
            uc,
            principal_of(request),
            patient_id,
            intake=actions.Intake(
                answers=data.answers,
                conditions=data.conditions,
                medications=data.medications,
                pregnant=data.pregnant,
                recent_surgery=data.recent_surgery,
            ),
        )
        return Patient.of(view)

    @get(
        "/evaluation-options",
        operation_id="evaluationOptions",
        summary="When the patient's initial evaluation can be booked",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=responses(400, 401, 403, 404, 422),
    )
    async def evaluation_options(
        self,
        *,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        uc: NamedDependency[UseCases],
        reason: Annotated[
            str,
            QueryParameter(min_length=1, max_length=300, description="what the visit is for"),
        ],
        setting: Annotated[Setting, QueryParameter(description="clinic or home")] = "clinic",
        days: Days = 14,
    ) -> list[EvaluationSlot]:
        """Starts on the clinic's grid, in the patient's weekly availability, with
        therapists who treat what the visit is for, that the booking would accept now;
        by day then time (at most six a day per therapist)."""
        found = await evaluation_actions.options(
            uc, principal_of(request), patient_id, reason=reason, setting=setting, days=days
        )
        return [EvaluationSlot.of(option) for option in found]

    @post(
        "/evaluation-visits",
        operation_id="bookEvaluation",
        summary="Book the patient's initial evaluation",
        guards=[allow("patient", "dispatcher", "admin")],
        responses=responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def book_evaluation(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        data: JSONBody[BookEvaluation],
        uc: NamedDependency[UseCases],
    ) -> Session:
        """An evaluation visit needs no plan; its length is the clinic's
        `evaluation_minutes`. One at a time (409 `evaluation_booked`); 409 when the slot
        was taken meanwhile. Cancel or move it like any session."""
        view = await evaluation_actions.book(
            uc,
            principal_of(request),
            patient_id,
            therapist_id=data.therapist_id,
            start=data.start,
            reason=data.reason,
            setting=data.setting,
        )
        return Session.of(view)

    @post(
        "/evaluations",
        operation_id="recordEvaluation",
        summary="Record an evaluation (therapists)",
        guards=[allow("therapist")],
        responses=WRITES,
    )
    async def evaluate(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        data: JSONBody[RecordEvaluation],
        uc: NamedDependency[UseCases],
    ) -> Patient:
        """Pain 0-10, confirmed contraindication flags, findings, a recommended
        specialization. With `visit` it completes that evaluation visit (once started).
        Booked sessions the new flags rule out are flagged for the front desk."""
        view = await clinical.record_evaluation(
            uc, principal_of(request), patient_id, evaluation=data.evaluation(), visit=data.visit
        )
        return Patient.of(view)

    @post(
        "/prescriptions",
        operation_id="recordPrescription",
        summary="Record a prescription or referral",
        guards=[CLINICIANS],
        responses=WRITES,
    )
    async def prescribe(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        data: JSONBody[NewPrescription],
        uc: NamedDependency[UseCases],
    ) -> Prescription:
        """Prescriber (and optional NPI), condition (optional ICD-10 code), authorized
        sessions, expiry (not in the past), authorization number."""
        view = await clinical.record_prescription(
            uc, principal_of(request), patient_id, prescription=data.prescription()
        )
        return Prescription.of(view)

    @post(
        "/plans",
        operation_id="createPlan",
        summary="Start a treatment plan",
        guards=[CLINICIANS],
        responses=WRITES,
    )
    async def plan(
        self,
        request: Request[Any, Any, Any],
        patient_id: FromPath[UUID],
        data: JSONBody[NewPlan],
        uc: NamedDependency[UseCases],
    ) -> Plan:
        """Under one of the patient's prescriptions (unexpired, enough sessions
        authorized, a condition the specialization treats), after an evaluation, for a
        located home if at home."""
        view = await clinical.create_plan(
            uc, principal_of(request), patient_id, request=data.request()
        )
        return Plan.of(view)


class PrescriptionsController(Controller):
    """One prescription."""

    path = "/prescriptions/{prescription_id:uuid}"
    tags = ("patients",)
    guards = (CLINICIANS,)

    @post(
        "/renewals",
        operation_id="renewPrescription",
        summary="Record a renewed authorization",
        responses=WRITES,
    )
    async def renew(
        self,
        request: Request[Any, Any, Any],
        prescription_id: FromPath[UUID],
        data: JSONBody[Renewal],
        uc: NamedDependency[UseCases],
    ) -> Prescription:
        """Sessions authorized in total (at least those held) and the new expiry."""
        view = await clinical.renew_prescription(
            uc,
            principal_of(request),
            prescription_id,
            authorized_sessions=data.authorized_sessions,
            expires_on=data.expires_on,
            authorization_number=data.authorization_number,
            reason=data.reason,
        )
        return Prescription.of(view)
