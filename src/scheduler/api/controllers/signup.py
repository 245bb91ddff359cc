"""`/signup` and `/intake/questions`: what a new patient needs before signing in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from scheduler.api.auth import PUBLIC
from scheduler.api.errors import responses
from scheduler.api.schemas.people import IntakeQuestion, SignedUp, SignUp
from scheduler.domain.rules.care import INTAKE_QUESTIONS
from scheduler.usecases import UseCases
from scheduler.usecases import patients as actions
from scheduler.usecases.actor import Actor

# The body holds a password: never stored as an idempotent reply (nor is the request).
SIGN_UP_OPT = {**PUBLIC, "idempotent": False}


class SignUpController(Controller):
    """A new patient at the front door."""

    tags = ("patients",)

    @post(
        "/signup",
        operation_id="signUp",
        summary="Sign up as a new patient of a clinic (no sign-in)",
        opt=SIGN_UP_OPT,
        security=[],
        responses=responses(400, 404, 409, 422, 429),
    )
    async def sign_up(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SignUp],
        uc: NamedDependency[UseCases],
    ) -> SignedUp:
        """The patient's record and account at once: contact details, street address
        (with coordinates, or found by the clinic's geocoder), weekly availability.
        Then sign in (`POST /auth/login`), fill the intake and book the evaluation.
        409 `account_exists` for an e-mail with an account, `patient_exists` for a
        patient the clinic already has (the front desk opens their account). Rate
        limited per client address (429 with Retry-After)."""
        client = request.client.host if request.client else "unknown"
        patient, account = await actions.sign_up(
            uc,
            Actor.anonymous(),
            data.clinic_id,
            details=data.details(),
            password=data.password,
            client=client,
        )
        return SignedUp.of(patient, account)

    @get(
        "/intake/questions",
        operation_id="intakeQuestions",
        summary="The intake's contraindication questions (no sign-in)",
        opt=PUBLIC,
        security=[],
    )
    async def questions(self) -> list[IntakeQuestion]:
        """Answer each yes or no in `PUT /patients/{id}/intake`; a yes suggests the flag."""
        return [
            IntakeQuestion(key=key, question=question, suggests=flag)
            for key, (question, flag) in INTAKE_QUESTIONS.items()
        ]
