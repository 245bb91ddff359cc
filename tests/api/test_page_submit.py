"""The page forms' refusal helper: a refusal becomes the form's message, in its words."""

from __future__ import annotations

import pytest

from scheduler.api.pages.submit import refusal_on
from scheduler.domain.errors import (
    AuthorizationExhausted,
    CadenceBroken,
    PatientExists,
    SchedulingError,
)
from scheduler.usecases.errors import Forbidden


def test_a_refusal_is_the_message_at_the_forms_field_and_the_block_stops() -> None:
    errors: dict[str, str] = {}
    reached = []

    def refuse() -> None:
        raise CadenceBroken("too soon")

    with refusal_on(errors, "shifts_form"):
        refuse()
        reached.append("after")
    assert errors == {"shifts_form": "too soon."}
    assert reached == []


def test_the_form_may_say_what_was_not_done_and_send_a_kind_to_its_own_field() -> None:
    errors: dict[str, str] = {}
    fields = {AuthorizationExhausted: "plan-sessions"}
    refusals = (SchedulingError, Forbidden)
    with refusal_on(errors, "plan-form", said="Not started: {}.", fields=fields, catch=refusals):
        raise Forbidden("not your patient")
    with refusal_on(errors, "plan-form", said="Not started: {}.", fields=fields, catch=refusals):
        raise AuthorizationExhausted("no sessions left")
    assert errors == {
        "plan-form": "Not started: not your patient.",
        "plan-sessions": "no sessions left.",
    }


def test_a_kind_with_its_own_field_may_have_its_own_words() -> None:
    errors: dict[str, str] = {}
    taken = ("email", "Another patient has this e-mail.")
    with refusal_on(errors, fields={PatientExists: taken}):
        raise PatientExists("duplicate")
    assert errors == {"email": "Another patient has this e-mail."}


def test_what_it_does_not_catch_goes_on_and_success_notes_nothing() -> None:
    errors: dict[str, str] = {}
    with refusal_on(errors):
        pass
    assert errors == {}
    with pytest.raises(Forbidden), refusal_on(errors):
        raise Forbidden("not caught unless named")
    with pytest.raises(ValueError, match="bad"), refusal_on(errors):
        raise ValueError("bad")
    assert errors == {}
