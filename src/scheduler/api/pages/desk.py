"""The front desk's pages (dispatchers, and admins for any clinic): the desk's overview
(therapists, shift requests, intakes to review, re-authorizations due), finding and
registering patients, and a patient's page with plans, sessions and history.

Every page reads through the actions the JSON routes call; nothing here decides a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages import availability, fields, forms
from scheduler.api.pages.submit import refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.domain import PatientView, PlanView, SessionView
from scheduler.domain.rules.care import INTAKE_QUESTIONS
from scheduler.usecases import UseCases
from scheduler.usecases import accounts as account_actions
from scheduler.usecases import admin as admin_actions
from scheduler.usecases import clinics as clinic_actions
from scheduler.usecases import patients as patient_actions
from scheduler.usecases import plans as plan_actions
from scheduler.usecases import sessions as session_actions
from scheduler.usecases.actor import Actor

DESK = ("dispatcher", "admin")


def directions(address: str) -> str:
    """A link that opens driving directions to a street address (never coordinates)."""
    return f"https://www.google.com/maps/dir/?api=1&destination={quote(address)}"


@dataclass(frozen=True)
class PlanRow:
    """A plan on the patient's page, with its sessions (booked first, by time)."""

    plan: PlanView
    sessions: list[SessionView]
    therapist_names: dict[UUID, str]


def read_details(form: dict[str, str], errors: dict[str, str]) -> patient_actions.Details | None:
    """A patient's contact details, home and weekly availability from the desk's form."""
    name, email = form.get("name", ""), form.get("email", "")
    if not name:
        errors["name"] = "Enter the patient's full name."
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        errors["email"] = "Enter an e-mail address like name@example.com, or leave it empty."
    home = forms.point(form, "home", errors, required=False)
    weekly = fields.weekly(form, "availability", errors)
    if errors:
        return None
    return patient_actions.Details(
        name=name,
        email=email,
        phone=form.get("phone", ""),
        address=form.get("address", ""),
        home=home,
        availability=weekly,
    )


def details_form(patient: PatientView) -> dict[str, str]:
    """The details form's fields showing `patient` as they are."""
    home = patient.home if patient.home_located else None
    return {
        "name": patient.name,
        "phone": patient.phone,
        "email": patient.email,
        "address": patient.address,
        "home_latitude": f"{home[0]:g}" if home else "",
        "home_longitude": f"{home[1]:g}" if home else "",
        "availability": availability.describe(patient.availability),
    }


class DeskPages(Controller):
    """`/app/desk`, `/app/desk/clinics/{id}[/patients]` and `/app/desk/patients/{id}`."""

    path = "/app/desk"
    include_in_schema = False
    opt = PUBLIC

    @get("/", name="pages:desk")
    async def home(self, page: NamedDependency[PageContext]) -> Redirect:
        """A dispatcher's own clinic desk; an admin chooses a clinic first."""
        who = page.signed_in(*DESK)
        if who.role == "admin":
            return go("/app/admin")
        clinic = await clinic_actions.mine(page.uc, who)
        return go(f"/app/desk/clinics/{clinic.id}")

    @get("/clinics/{clinic_id:uuid}", name="pages:desk-clinic")
    async def clinic(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template:
        """Therapists and their shift requests, intakes to review, re-authorizations due."""
        who = page.signed_in(*DESK)
        clinic = await admin_actions.clinic(page.uc, who, clinic_id)
        therapists = await clinic_actions.therapists(page.uc, who, clinic_id)
        patients = await patient_actions.search(page.uc, who, clinic_id, text="")
        return page.render(
            "desk_home.html",
            role=who.role,
            clinic=clinic,
            therapists=therapists,
            requests=[
                (t, r) for t in therapists for r in t.shift_requests if r["status"] == "pending"
            ],
            intakes=[p for p in patients if p.intake and not p.evaluations],
            reauthorizations=await clinic_actions.reauthorizations(page.uc, who, clinic_id),
            accounts=await account_actions.clinic_accounts(page.uc, who, clinic_id),
            names={t.id: t.name for t in therapists} | {p.id: p.name for p in patients},
        )

    @get("/clinics/{clinic_id:uuid}/patients", name="pages:desk-patients")
    async def patients(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID], q: FromQuery[str] = ""
    ) -> Template:
        """Find patients by part of a name, e-mail, phone or address."""
        who = page.signed_in(*DESK)
        clinic = await admin_actions.clinic(page.uc, who, clinic_id)
        found = await patient_actions.search(page.uc, who, clinic_id, text=q[:200])
        return page.render("desk_patients.html", role=who.role, clinic=clinic, found=found, q=q)

    @get("/clinics/{clinic_id:uuid}/patients/new", name="pages:desk-new-patient")
    async def new_patient_form(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template:
        """Register a patient at the desk (on the phone or at the counter)."""
        who = page.signed_in(*DESK)
        clinic = await admin_actions.clinic(page.uc, who, clinic_id)
        return page.render(
            "desk_patient_new.html",
            role=who.role,
            clinic=clinic,
            form={},
            errors={},
            example=availability.EXAMPLE,
        )

    @post("/clinics/{clinic_id:uuid}/patients/new", status_code=303)
    async def register(
        self, page: NamedDependency[PageContext], clinic_id: FromPath[UUID]
    ) -> Template | Redirect:
        """Register the patient, then show their page (to book on their behalf)."""
        who = page.signed_in(*DESK)
        form = await page.form()
        clinic = await admin_actions.clinic(page.uc, who, clinic_id)
        errors: dict[str, str] = {}
        details = read_details(form, errors)
        if details is not None:
            with refusal_on(errors):
                patient = await patient_actions.register(page.uc, who, clinic_id, details=details)
                return go(f"/app/desk/patients/{patient.id}", done="registered")
        return page.render(
            "desk_patient_new.html",
            status=400,
            role=who.role,
            clinic=clinic,
            form=form,
            errors=errors,
            example=availability.EXAMPLE,
        )

    @get("/patients/{patient_id:uuid}", name="pages:desk-patient")
    async def patient(
        self,
        page: NamedDependency[PageContext],
        patient_id: FromPath[UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        """Contact, home, availability, intake, prescriptions, plans with their sessions
        (book, move, cancel on the patient's behalf) and the record's history."""
        who = page.signed_in(*DESK)
        patient = await patient_actions.patient(page.uc, who, patient_id)
        return page.render("desk_patient.html", **await patient_page(page.uc, who, patient, done))


async def patient_page(
    uc: UseCases, who: Actor, patient: PatientView, done: str = ""
) -> dict[str, Any]:
    """What the desk's patient page shows."""
    clinic = await admin_actions.clinic(uc, who, patient.clinic_id)
    therapists = await clinic_actions.therapists(uc, who, clinic.id)
    names = {t.id: t.name for t in therapists}
    plans = []
    for plan_id in patient.plans:
        plan = await plan_actions.get(uc, who, plan_id)
        sessions = await plan_actions.sessions(uc, who, plan_id)
        plans.append(PlanRow(plan, sorted(sessions, key=lambda s: s.start), names))
    visit = None
    if patient.evaluation_visit is not None:
        visit = await session_actions.get(uc, who, patient.evaluation_visit)
    return {
        "role": who.role,
        "clinic": clinic,
        "zone": ZoneInfo(clinic.timezone),
        "patient": patient,
        "plans": plans,
        "visit": visit,
        "names": names,
        "history": await patient_actions.history(uc, who, patient.id),
        "directions": directions(patient.address) if patient.address else "",
        "availability": availability.describe(patient.availability),
        "details_form": details_form(patient),
        "details_errors": {},
        "example": availability.EXAMPLE,
        "questions": {key: asked for key, (asked, _) in INTAKE_QUESTIONS.items()},
        "now": uc.clock(),
        "done": done,
        "account_form": {},
        "account_errors": {},
    }
