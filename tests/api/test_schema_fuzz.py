"""A bounded schemathesis run against our own OpenAPI document.

Every operation in `/schema/openapi.json` gets a handful of generated requests through
the whole stack (the embedded default: SQLite, seeded clinic, signed-in accounts).
Each answer must not be a server error, and its status code, content type and body
must be ones the document promises. So the document is the contract clients generate
code from, and a handler that crashes on odd input fails here.

Requests to `/me/...` are sent as a patient (only patients have a "me" of that kind);
all others as the clinic's dispatcher, who may reach most of the API, so requests
exercise the handlers rather than stop at the role guard. Generated ids name nothing,
so half of the examples put the seeded clinic's ids (and a booked session's) in the
path instead: their queries and bodies are then fuzzed against real records.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import Tokens
from .world import World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BASE_URL = "http://testserver.local"
EXAMPLES = 8


def documented_operations(client: TestClient[Litestar]) -> list[APIOperation]:
    """The operations of the app's own OpenAPI document, but the live board.

    The live board is a server-sent event stream that stays open until the client
    leaves; a generated request would wait on it forever (its behaviour has its own
    tests in `test_live.py`).
    """
    document = client.get("/schema/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document).exclude(path_regex=r"/board/live$")
    return [result.ok() for result in schema.get_all_operations()]


def seeded_ids(client: TestClient[Litestar], tokens: Tokens, world: World) -> dict[str, str]:
    """Path parameters naming real records: the clinic, Ana, Pat's plan, a booked session."""
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    return {
        "clinic_id": str(world.clinic),
        "therapist_id": str(world.ana),
        "plan_id": str(world.pat_plan),
        "session_id": booked.json()["id"],
    }


@pytest.mark.slow
def test_every_operation_answers_as_documented(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    # Each operation gets its own bounded Hypothesis run; schemathesis' pytest plugin
    # (one subtest per operation) does not run under pytest 9, so the loop is ours.
    failures: dict[str, str] = {}
    operations = documented_operations(client)
    known = seeded_ids(client, tokens, world)
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same requests every run: a failure is reproducible
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), real_records=st.booleans())
        def answers_as_documented(case: schemathesis.Case, real_records: bool) -> None:
            if real_records and case.path_parameters:
                for name in case.path_parameters.keys() & known.keys():
                    case.path_parameters[name] = known[name]
            send_and_check(client, tokens, case)

        # Keep going: every operation that fails is reported, not just the first.
        try:
            answers_as_documented()
        except (Exception, FailureGroup) as failure:
            failures[operation.label] = f"{type(failure).__name__}: {failure}"
    assert len(operations) > 40  # the document lists the whole API
    assert not failures, "\n\n".join(f"{label}\n{why}" for label, why in failures.items())


def send_and_check(client: TestClient[Litestar], tokens: Tokens, case: schemathesis.Case) -> None:
    """Send `case` through the app as the role its path calls for; check the answer."""
    who = "pat" if case.path.startswith("/me/") else "dispatcher"
    request: dict[str, Any] = case.as_transport_kwargs(base_url=BASE_URL, headers=tokens[who])
    response = client.request(
        request["method"],
        request["url"],
        headers=request["headers"],
        params=request.get("params"),
        json=request.get("json"),
        content=request.get("data"),
    )
    case.validate_response(response, checks=CHECKS)
