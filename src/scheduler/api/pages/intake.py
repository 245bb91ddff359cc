"""A new patient's pages before treatment: the intake questionnaire, booking the initial
evaluation (matched by what the visit is for), and the profile (contact details, home,
weekly availability). Each form calls the same action as the JSON API."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from scheduler.api.auth import PUBLIC
from scheduler.api.pages import availability, fields
from scheduler.api.pages.submit import REFUSALS, refusal_on
from scheduler.api.pages.web import PageContext, go
from scheduler.domain.errors import PatientExists
from scheduler.domain.rules.care import INTAKE_QUESTIONS
from scheduler.usecases import evaluations as evaluation_actions
from scheduler.usecases import patients as actions
from scheduler.usecases.actor import Actor
from scheduler.usecases.home import patient_home

YES_NO = {"yes": True, "no": False}


def _patient_id(who: Actor) -> UUID:
    assert who.acts_for is not None, "a patient account acts for a patient"
    return who.acts_for


def _intake_form(intake: dict[str, Any] | None) -> dict[str, str]:
    """The saved answers as form values (a patient sending it again starts from them)."""
    if not intake:
        return {}
    form = {f"q-{key}": "yes" if yes else "no" for key, yes in intake["answers"].items()}
    form["pregnant"] = "yes" if intake["pregnant"] else "no"
    for key in ("conditions", "medications", "recent_surgery"):
        form[key] = intake[key]
    return form


class IntakePages(Controller):
    """`/app/patient/intake`, `/app/patient/evaluation` and `/app/patient/profile`."""

    path = "/app/patient"
    include_in_schema = False
    opt = PUBLIC

    async def _intake(
        self,
        page: PageContext,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        who = page.signed_in("patient")
        patient = await actions.patient(page.uc, who, _patient_id(who))
        return page.render(
            "intake.html",
            status=status,
            patient=patient,
            questions=INTAKE_QUESTIONS,
            form=_intake_form(patient.intake) if form is None else form,
            errors=errors or {},
            welcome=page.request.query_params.get("welcome") == "1",
        )

    @get("/intake", name="pages:intake")
    async def intake(self, page: NamedDependency[PageContext]) -> Template:
        """The health questionnaire (with the answers sent before, if any)."""
        return await self._intake(page)

    @post("/intake", status_code=303)
    async def send_intake(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Every question answered yes or no, then the intake is submitted."""
        who = page.signed_in("patient")
        form = await page.form()
        errors: dict[str, str] = {}
        answers = {}
        for key in INTAKE_QUESTIONS:
            answer = form.get(f"q-{key}", "")
            if answer not in YES_NO:
                errors[f"q-{key}"] = "Answer yes or no."
            else:
                answers[key] = YES_NO[answer]
        if form.get("pregnant", "") not in YES_NO:
            errors["pregnant"] = "Answer yes or no."
        texts = {
            key: fields.text(form, key, errors, label="this answer", limit=2000)
            for key in ("conditions", "medications", "recent_surgery")
        }
        if not errors:
            intake = actions.Intake(answers=answers, pregnant=YES_NO[form["pregnant"]], **texts)
            with refusal_on(errors):
                await actions.submit_intake(page.uc, who, _patient_id(who), intake=intake)
                return go("/app/patient/evaluation", intake="sent")
        return await self._intake(page, form=form, errors=errors, status=400)

    async def _evaluation(
        self,
        page: PageContext,
        *,
        form: dict[str, str],
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        who = page.signed_in("patient")
        errors = dict(errors or {})
        home = await patient_home(page.uc, who)
        patient = await actions.patient(page.uc, who, _patient_id(who))
        reason, setting = form.get("reason", ""), form.get("setting", "")
        options: list[evaluation_actions.EvaluationOption] = []
        if reason and setting in ("clinic", "home") and not patient.evaluation_visit:
            options = await evaluation_actions.options(
                page.uc, who, patient.id, reason=reason, setting=setting, days=14
            )
        zone = ZoneInfo(home.timezone)
        days: dict[str, list[tuple[str, evaluation_actions.EvaluationOption]]] = {}
        for option in options:
            local = option.start.astimezone(zone)
            days.setdefault(local.strftime("%A %-d %B"), []).append(
                (local.strftime("%H:%M"), option)
            )
        booked = [s for s in home.upcoming if s.kind == "evaluation"]
        return page.render(
            "intake_evaluation.html",
            status=status,
            patient=patient,
            zone=zone,
            days=days,
            booked=booked[0] if booked else None,
            therapist_names=home.therapist_names,
            options=options,
            minutes=(options[0].end - options[0].start).seconds // 60 if options else 0,
            searched=bool(reason and setting),
            form=form,
            errors=errors,
            intake_sent=page.request.query_params.get("intake") == "sent",
        )

    @get("/evaluation", name="pages:evaluation")
    async def evaluation(
        self,
        page: NamedDependency[PageContext],
        reason: FromQuery[str] = "",
        setting: FromQuery[str] = "",
    ) -> Template:
        """What the visit is for, then the times a therapist who treats it can see you."""
        form = {"reason": reason.strip()[:300], "setting": setting}
        errors = {}
        if page.request.query_params.get("reason") is not None and not form["reason"]:
            errors["reason"] = "Say in a few words what you would like treated."
        if setting and setting not in ("clinic", "home"):
            errors["setting"] = "Choose the clinic or your home."
        status = 400 if errors else 200
        return await self._evaluation(page, form=form, errors=errors, status=status)

    @post("/evaluation", status_code=303)
    async def book_evaluation(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """Book the chosen time (the booking rules decide again)."""
        who = page.signed_in("patient")
        form = await page.form()
        reason, setting = form.get("reason", ""), form.get("setting", "")
        therapist, _, start_text = form.get("option", "").partition("@")
        errors: dict[str, str] = {}
        status = 400
        try:
            therapist_id, start = UUID(therapist), datetime.fromisoformat(start_text)
        except ValueError:
            errors["option"] = "Choose one of the times above."
        if not reason or setting not in ("clinic", "home"):
            errors["reason"] = "Say what the visit is for, and where, then search again."
        if not errors:
            with refusal_on(
                errors,
                "option",
                said="This time cannot be booked: {}. Choose another.",
                catch=REFUSALS,
            ):
                await evaluation_actions.book(
                    page.uc,
                    who,
                    _patient_id(who),
                    therapist_id=therapist_id,
                    start=start,
                    reason=reason,
                    setting=setting,
                )
                return go("/app/patient/evaluation", booked="1")
            status = 409
        return await self._evaluation(page, form=form, errors=errors, status=status)

    async def _profile(
        self,
        page: PageContext,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        who = page.signed_in("patient")
        patient = await actions.patient(page.uc, who, _patient_id(who))
        saved = {
            "name": patient.name,
            "email": patient.email,
            "phone": patient.phone,
            "address": patient.address,
            "availability": availability.describe(patient.availability),
        }
        return page.render(
            "intake_profile.html",
            status=status,
            patient=patient,
            form={**saved, **(form or {})},
            errors=errors or {},
            example=availability.EXAMPLE,
            saved=page.request.query_params.get("saved"),
        )

    @get("/profile", name="pages:profile")
    async def profile(self, page: NamedDependency[PageContext]) -> Template:
        """Contact details, home and weekly availability."""
        return await self._profile(page)

    @post("/profile", status_code=303)
    async def change_details(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """New contact details or home; the home stays on the map unless the address
        changes (then it is found again, or entered)."""
        who = page.signed_in("patient")
        form = await page.form()
        patient = await actions.patient(page.uc, who, _patient_id(who))
        errors: dict[str, str] = {}
        email = fields.text(form, "email", errors, label="your e-mail address", required=True)
        details = fields.contact(form, errors, email=email)
        if details.home is None and details.address == patient.address and patient.home_located:
            details = replace(details, home=patient.home)
        if not errors:
            taken = ("email", "Another patient of the clinic has this e-mail or phone.")
            with refusal_on(errors, fields={PatientExists: taken}):
                await actions.change_details(page.uc, who, patient.id, details=details)
                return go("/app/patient/profile", saved="details")
        return await self._profile(page, form=form, errors=errors, status=400)

    @post("/profile/availability", status_code=303)
    async def change_availability(self, page: NamedDependency[PageContext]) -> Template | Redirect:
        """When the patient can be seen each week (empty: any time)."""
        who = page.signed_in("patient")
        form = await page.form()
        errors: dict[str, str] = {}
        weekly = fields.weekly(form, "availability", errors)
        if not errors:
            with refusal_on(errors, "availability"):
                await actions.change_availability(
                    page.uc, who, _patient_id(who), availability=weekly
                )
                return go("/app/patient/profile", saved="availability")
        kept = {"availability": form.get("availability", "")}
        return await self._profile(page, form=kept, errors=errors, status=400)
