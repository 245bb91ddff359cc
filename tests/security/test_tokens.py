"""Every route is closed to a missing, forged, tampered, expired or mis-signed token.

The routes are read from the app itself, so a route added later is checked too; the
routes open without signing in are an explicit list that a new public route must join.
"""

from __future__ import annotations

import base64
import json
import re
import uuid

import jwt
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from api.conftest import SECRET, Tokens, error_code
from api.world import Clock

PUBLIC = {
    ("GET", "/"),
    ("GET", "/health"),
    ("GET", "/ready"),
    ("POST", "/auth/login"),
    ("POST", "/auth/logout"),
    # A mailed link's token is the proof; a reset request never says if an account exists.
    ("POST", "/auth/verify-email"),
    ("POST", "/auth/password-reset"),
    ("POST", "/auth/password-reset/confirm"),
    ("GET", "/calendar/{name:str}"),  # a feed URL holds its own unguessable token
    ("GET", "/clinics"),  # to choose a clinic when signing up: names and addresses only
    ("POST", "/signup"),
    ("GET", "/intake/questions"),
    ("GET", "/static/{file_path:path}"),
    ("HEAD", "/static/{file_path:path}"),
}
"""API routes open without a token (pages under /app sign in with their own cookie)."""
SAMPLE = {"uuid": str(uuid.UUID(int=0xDEAD)), "str": "x", "path": "app.css"}


def api_routes(app: Litestar) -> list[tuple[str, str, bool]]:
    """(method, path template, public) of every API route (not pages, docs or OPTIONS)."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(("/schema", "/app")):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods - {"OPTIONS"}:
                found.append((method, route.path, bool(handler.opt.get("public"))))
    return sorted(found)


def concrete(path: str) -> str:
    """The template with a sample value per path parameter."""
    return re.sub(r"\{\w+:(\w+)\}", lambda m: SAMPLE[m.group(1)], path)


def _segment(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def bad_tokens(good: str) -> dict[str, str]:
    """Variants of a valid admin token that must all be refused."""
    claims = jwt.decode(good, options={"verify_signature": False})
    header, _, signature = good.split(".")
    return {
        "alg_none": jwt.encode(claims, None, algorithm="none"),
        "alg_none_kept_signature": f"{_segment({'alg': 'none', 'typ': 'JWT'})}."
        f"{_segment(claims)}.{signature}",
        "wrong_secret": jwt.encode(claims, "another-secret-that-is-long-enough-000000", "HS256"),
        "hs384_right_secret": jwt.encode(claims, SECRET, algorithm="HS384"),
        "payload_swapped": f"{header}.{_segment({**claims, 'sub': str(uuid.uuid4())})}.{signature}",
        "wrong_issuer": jwt.encode({**claims, "iss": "someone-else"}, SECRET, "HS256"),
        "no_expiry": jwt.encode({k: v for k, v in claims.items() if k != "exp"}, SECRET, "HS256"),
        "expired": jwt.encode({**claims, "exp": claims["iat"] - 1}, SECRET, "HS256"),
        "issued_in_the_future": jwt.encode(
            {**claims, "iat": claims["iat"] + 3600, "exp": claims["exp"] + 3600}, SECRET, "HS256"
        ),
        "no_token_id": jwt.encode({k: v for k, v in claims.items() if k != "jti"}, SECRET, "HS256"),
        "not_a_jwt": "not.a.jwt",
    }


def test_the_public_routes_are_exactly_the_listed_ones(app: Litestar) -> None:
    public = {(method, path) for method, path, is_public in api_routes(app) if is_public}
    assert public == PUBLIC


def test_every_closed_route_refuses_missing_and_bad_tokens(
    client: TestClient[Litestar], tokens: Tokens, app: Litestar
) -> None:
    good = tokens["admin"]["Authorization"].removeprefix("Bearer ")
    client.cookies.clear()  # signing in set the pages' cookie: this test sends its own
    variants = {"missing": None, **bad_tokens(good)}
    closed = [(m, p) for m, p, is_public in api_routes(app) if not is_public]
    assert len(closed) > 30
    for method, template in closed:
        for name, token in variants.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = client.request(method, concrete(template), headers=headers, json={})
            assert response.status_code == 401, (method, template, name, response.text)
            assert error_code(response) == "not_authenticated"
    # The same tokens as the pages' cookie are refused too.
    for name, token in variants.items():
        if token is None:
            continue
        client.cookies.set("scheduler_token", token)
        assert client.get("/auth/me").status_code == 401, name
    client.cookies.clear()


def test_a_token_expires_on_the_apps_clock_and_is_refused_after(
    client: TestClient[Litestar], tokens: Tokens, clock: Clock
) -> None:
    headers = tokens["pat"]
    assert client.get("/me/plans", headers=headers).status_code == 200
    clock.advance(hours=8, seconds=1)  # the default lifetime is 8 h
    response = client.get("/me/plans", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize("role", ["pat", "ana", "dispatcher"])
def test_a_role_cannot_be_raised_by_editing_the_token(
    client: TestClient[Litestar], tokens: Tokens, role: str
) -> None:
    good = tokens[role]["Authorization"].removeprefix("Bearer ")
    client.cookies.clear()
    header, _payload, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    raised = f"{header}.{_segment({**claims, 'role': 'admin', 'clinic_id': None})}.{signature}"
    response = client.post(
        "/accounts",
        headers={"Authorization": f"Bearer {raised}"},
        json={"email": "mallory@x.example", "password": "p" * 16, "role": "admin"},
    )
    assert response.status_code == 401
