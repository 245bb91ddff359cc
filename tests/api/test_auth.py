"""Sign-in, tokens and cookies, roles, and opening accounts."""

from __future__ import annotations

import jwt
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api.auth import COOKIE

from .conftest import SECRET, login
from .world import EMAILS, PASSWORD, Clock, World


def test_login_returns_a_token_and_an_http_only_cookie(client: TestClient[Litestar]) -> None:
    response = client.post("/auth/login", json={"email": EMAILS["pat"], "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["role"] == "patient"
    claims = jwt.decode(
        body["access_token"], SECRET, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert claims["role"] == "patient"
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


def test_me_with_bearer_and_with_cookie(client: TestClient[Litestar], world: World) -> None:
    headers = login(client, "pat")
    me = client.get("/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["acts_for"] == str(world.pat)
    assert me.json()["clinic_id"] == str(world.clinic)
    client.cookies.clear()
    token = headers["Authorization"].removeprefix("Bearer ")
    client.cookies.set(COOKIE, token)
    assert client.get("/auth/me").json()["email"] == EMAILS["pat"]


def test_wrong_password_and_unknown_email_are_the_same_401(client: TestClient[Litestar]) -> None:
    wrong = client.post("/auth/login", json={"email": EMAILS["pat"], "password": "not it at all"})
    unknown = client.post("/auth/login", json={"email": "nobody@x.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_tampered_token_is_401(client: TestClient[Litestar]) -> None:
    token = login(client, "pat")["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "role": "admin"}, "another-secret-of-enough-length-000000", algorithm="HS256"
    )
    for bad in (forged, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), "garbage"):
        response = client.get("/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
        assert response.json()["error"] == "not_authenticated"


def test_unsigned_token_is_401(client: TestClient[Litestar]) -> None:
    token = login(client, "pat")["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    unsigned = jwt.encode({**claims, "role": "admin"}, None, algorithm="none")
    response = client.get("/auth/me", headers={"Authorization": f"Bearer {unsigned}"})
    assert response.status_code == 401


def test_expired_token_is_401(client: TestClient[Litestar], clock: Clock) -> None:
    headers = login(client, "pat")
    assert client.get("/auth/me", headers=headers).status_code == 200
    clock.advance(hours=8, seconds=1)
    response = client.get("/auth/me", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_no_token_is_401(client: TestClient[Litestar]) -> None:
    assert client.get("/auth/me").status_code == 401


def test_staff_open_accounts_others_get_403(
    client: TestClient[Litestar], world: World, tokens: dict[str, dict[str, str]]
) -> None:
    new = {
        "email": "Nia@Loop.example",
        "password": "a long password",
        "role": "therapist",
        "therapist_id": str(world.ben),
    }
    for who in ("ana", "pat"):
        assert client.post("/accounts", json=new, headers=tokens[who]).status_code == 403
    # A dispatcher opens the accounts of their own clinic's people, not staff accounts.
    staff = {
        "email": "d2@loop.example",
        "password": "a long password",
        "role": "dispatcher",
        "clinic_id": str(world.clinic),
    }
    refused = client.post("/accounts", json=staff, headers=tokens["dispatcher"])
    assert refused.status_code == 403, refused.text
    created = client.post("/accounts", json=new, headers=tokens["dispatcher"])
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "nia@loop.example"
    assert created.json()["clinic_id"] == str(world.clinic)
    assert "password" not in created.text
    again = client.post("/accounts", json=new, headers=tokens["admin"])
    assert again.status_code == 409
    assert again.json()["error"] == "account_exists"
    signed_in = client.post(
        "/auth/login", json={"email": "nia@loop.example", "password": "a long password"}
    )
    assert signed_in.json()["role"] == "therapist"
    assert client.post("/accounts", json=staff, headers=tokens["admin"]).status_code == 201


def test_account_naming_an_unknown_record_is_422(
    client: TestClient[Litestar], tokens: dict[str, dict[str, str]]
) -> None:
    new = {
        "email": "x@loop.example",
        "password": "a long password",
        "role": "patient",
        "patient_id": "6c9f3f9e-0000-4000-8000-000000000000",
    }
    response = client.post("/accounts", json=new, headers=tokens["admin"])
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_account"
    missing = client.post("/accounts", json={**new, "patient_id": None}, headers=tokens["admin"])
    assert missing.status_code == 422
    assert "patient_id" in missing.json()["detail"]
