"""The OpenAPI document says what the server does, for every route (`api/openapi.py`).

These read the document the app serves and compare it with the routes themselves, so a
route added later is held to the same rules without being listed here. The strict
schemathesis run (`test_schema_strict.py`) then checks the answers against it.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from scheduler.api.openapi import _request_structs

from .conftest import Tokens

OURS = {"#/components/schemas/ErrorBody", "#/components/schemas/OperationOutcome"}


@pytest.fixture
def document(client: TestClient[Litestar]) -> dict[str, Any]:
    """The served OpenAPI document."""
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(app: Litestar, document: dict[str, Any]) -> list[tuple[Any, str, dict[str, Any]]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in document["paths"]:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = document["paths"][route.path_format].get(method.lower())
            if operation is not None:
                found.append((handler, f"{method} {route.path_format}", operation))
    return found


def test_every_error_answer_is_documented_with_our_body(
    app: Litestar, document: dict[str, Any]
) -> None:
    operations = _operations(app, document)
    assert len(operations) > 60
    wrong = []
    for _, label, operation in operations:
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")) or label == "GET /ready":
                continue  # /ready's 503 is its own report (Health), by design
            refs = {m["schema"].get("$ref") for m in response.get("content", {}).values()}
            if not refs or not refs <= OURS:
                wrong.append(f"{label} {status}: {refs}")
            if status in ("429", "503") and "Retry-After" not in response.get("headers", {}):
                wrong.append(f"{label} {status}: no Retry-After")
        if "requestBody" in operation and not {"400", "413", "415"} <= set(operation["responses"]):
            wrong.append(f"{label}: bad input (400, 413, 415) undocumented")
    assert wrong == []


def test_public_routes_need_no_token_and_the_rest_do(
    app: Litestar, document: dict[str, Any]
) -> None:
    assert document["security"] == [{"bearer": []}]
    public = set()
    for handler, label, operation in _operations(app, document):
        if handler.opt.get("public") is True:
            public.add(label)
            assert operation["security"] == [], label
        else:
            assert "security" not in operation, label  # the document's bearer token
            assert "401" in operation["responses"], label
    assert {"GET /health", "GET /ready", "POST /auth/login", "GET /calendar/{name}"} <= public


def test_bodies_that_refuse_unknown_fields_say_so(app: Litestar, document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    refusing = [s for s in _request_structs(app) if s.__struct_config__.forbid_unknown_fields]
    assert len(refusing) > 20
    for struct in refusing:
        schema = schemas[struct.__name__]
        assert schema["additionalProperties"] is False, struct.__name__


def test_a_body_with_an_unknown_field_is_refused(
    client: TestClient[Litestar], tokens: Tokens
) -> None:
    refused = client.post(
        "/me/password",
        json={"current": "x" * 12, "new": "y" * 12, "extra": True},
        headers=tokens["pat"],
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"


def test_the_calendar_feed_is_documented_as_icalendar(document: dict[str, Any]) -> None:
    answer = document["paths"]["/calendar/{name}"]["get"]["responses"]["200"]
    assert list(answer["content"]) == ["text/calendar"]


def test_options_allow_every_documented_method(
    client: TestClient[Litestar], document: dict[str, Any], tokens: Tokens
) -> None:
    samples = {"{name}": "x.ics"}
    for path, item in document["paths"].items():
        url = path
        for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            url = url.replace(f"{{{name}}}", samples.get(f"{{{name}}}", str(_an_id())))
        response = client.options(url, headers=tokens["dispatcher"])
        documented = {m.upper() for m in item if m in ("get", "post", "put", "patch", "delete")}
        allowed = {m.strip() for m in response.headers.get("allow", "").split(",")}
        assert response.status_code == 204, (path, response.status_code, response.text)
        assert allowed - {"OPTIONS", "HEAD"} == documented, (path, allowed)


def _an_id() -> str:
    return "9f0e8a52-5f43-4a53-8d52-6f0c7a0c2a11"


def test_an_unknown_fhir_id_is_an_operation_outcome(
    client: TestClient[Litestar], tokens: Tokens
) -> None:
    response = client.get("/fhir/Appointment/not,an,id", headers=tokens["dispatcher"])
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert response.json()["resourceType"] == "OperationOutcome"


def _rate_limited(handler: Any) -> bool:
    """True when the handler calls an action declared `@action(limit=...)` (by name,
    through the module it imports the actions as)."""
    fn = handler.fn
    code = fn.__code__
    modules = [
        fn.__globals__[n] for n in code.co_names if isinstance(fn.__globals__.get(n), ModuleType)
    ]
    return any(
        getattr(getattr(module, name, None), "limit", None) is not None
        for module in modules
        for name in code.co_names
    )


def test_every_rate_limited_route_documents_429_with_retry_after(
    app: Litestar, document: dict[str, Any]
) -> None:
    limited = [
        (label, operation)
        for handler, label, operation in _operations(app, document)
        if _rate_limited(handler)
    ]
    assert {"POST /plans/{plan_id}/sessions", "POST /sessions/{session_id}/move"} <= {
        label for label, _ in limited
    }
    for label, operation in limited:
        assert "429" in operation["responses"], label
        assert "Retry-After" in operation["responses"]["429"]["headers"], label
