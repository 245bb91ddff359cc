"""Health, readiness, OpenAPI, request ids, JSON access logs and the error bodies."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.api.context import JSONFormatter
from scheduler.settings import Settings

from .conftest import SECRET, Tokens
from .world import MONDAY, Clock, World

NULL = {"type": "null"}


def test_health_answers_without_sign_in(client: TestClient[Litestar]) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_ready_on_the_embedded_store_without_redis(client: TestClient[Litestar]) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "store": "ok", "redis": "not_configured"}


def test_ready_is_503_when_configured_redis_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, jwt_secret=SECRET, redis_url="redis://127.0.0.1:1/0", store_threads=2
    )
    with TestClient(create_app(settings, clock=Clock())) as client:
        response = client.get("/ready")
        store_only = client.get("/ready", params={"require": "store"})
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "store": "ok", "redis": "unreachable"}
    # The orchestrator's probe: bookings work without Redis, so the replica stays in service.
    assert store_only.status_code == 200
    assert store_only.json() == {"status": "ready", "store": "ok", "redis": "unreachable"}


@pytest.mark.redis
def test_ready_with_real_redis(tmp_path: Path, redis_prefix: str) -> None:
    settings = Settings(
        data_dir=tmp_path,
        jwt_secret=SECRET,
        redis_url="redis://127.0.0.1:6379/0",
        redis_prefix=redis_prefix,
        store_threads=2,
    )
    with TestClient(create_app(settings, clock=Clock())) as client:
        assert client.get("/ready").json()["redis"] == "ok"


def test_every_operation_has_an_id_a_summary_and_typed_responses(
    client: TestClient[Litestar],
) -> None:
    schema = client.get("/schema/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) >= 6
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    for path, method, operation in operations:
        assert operation.get("summary"), (path, method)
        assert operation.get("description"), (path, method)
        for status, response in operation["responses"].items():
            if status != "204":
                assert "content" in response, (path, method, status)
        if method == "post" and "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            # A named schema; an optional body is that schema or null.
            named = [body] if "$ref" in body else [s for s in body.get("oneOf", []) if s != NULL]
            assert len(named) == 1, (path, method, body)
            assert "$ref" in named[0], (path, method, body)


def test_request_id_is_propagated_or_made(client: TestClient[Litestar]) -> None:
    given = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = client.get("/health")
    assert len(made.headers["x-request-id"]) == 32
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


def test_error_body_names_the_error_and_the_request(client: TestClient[Litestar]) -> None:
    response = client.get("/no/such/route", headers={"X-Request-ID": "r-404"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert response.json()["request_id"] == "r-404"


def test_malformed_json_is_400_with_a_detail(client: TestClient[Litestar]) -> None:
    response = client.post(
        "/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "JSON" in body["detail"]


def test_missing_field_is_400_naming_the_field(client: TestClient[Litestar]) -> None:
    response = client.post("/auth/login", json={"email": "pat@mail.example"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "password" in json.dumps(body["fields"])


def test_access_log_has_route_template_and_no_personal_data(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="scheduler"):
        client.post(
            "/auth/login",
            json={"email": "pat@mail.example", "password": "wrong password!"},
            headers={"X-Request-ID": "r-log"},
        )
    lines = [json.loads(JSONFormatter().format(r)) for r in caplog.records]
    access = [line for line in lines if line["logger"] == "scheduler.access"]
    assert access == [
        {
            **access[0],
            "method": "POST",
            "route": "/auth/login",
            "status": 401,
            "request_id": "r-log",
        }
    ]
    assert access[0]["duration_ms"] >= 0
    text = caplog.text + json.dumps(lines)
    assert "pat@mail.example" not in text
    assert "wrong password" not in text


def test_a_whole_visit_logs_templates_and_never_patient_data(
    client: TestClient[Litestar],
    world: World,
    tokens: Tokens,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="scheduler"):
        booked = client.post(
            f"/plans/{world.pat_plan}/sessions",
            json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
            headers=tokens["pat"],
        ).json()
        client.get(f"/clinics/{world.clinic}/board?date={MONDAY}", headers=tokens["dispatcher"])
        client.get(f"/me/week?start={MONDAY}", headers=tokens["ana"])
        client.get(f"/sessions/{booked['id']}/history", headers=tokens["pat"])
        client.post(
            f"/sessions/{booked['id']}/cancel", json={"reason": "flu"}, headers=tokens["pat"]
        )
    lines = [json.loads(JSONFormatter().format(record)) for record in caplog.records]
    routes = {line["route"] for line in lines if line["logger"] == "scheduler.access"}
    assert "/sessions/{session_id}/history" in routes
    assert "/clinics/{clinic_id}/board" in routes
    text = json.dumps(lines)
    for private in ("Pat Patel", "Quinn Quade", "multiple sclerosis", "spasticity", "flu"):
        assert private not in text
