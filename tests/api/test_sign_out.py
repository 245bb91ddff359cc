"""Signing out revokes the token everywhere, across processes; tokens from the future fail.

Each test runs on both backends: the deny-list in the accounts' store (embedded SQLite)
and in Redis (PostgreSQL with Redis). "Another process" is a second app over the same
store and Redis, as a second `scheduler serve` would be.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
import redis
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from scheduler.accounts import Accounts, account_id
from scheduler.api import create_app
from scheduler.api.auth import COOKIE
from scheduler.notify.account_mail import reset_token
from scheduler.settings import Settings

# Both backends: the embedded default, and PostgreSQL (a seeded copy) with Redis.
from .backends import backend_settings, backend_world, world_embedded  # noqa: F401
from .conftest import REDIS_URL, SECRET, error_code, login
from .world import EMAILS, PASSWORD, Clock, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
SAMPLE = {"uuid": str(uuid.UUID(int=0xBEEF)), "str": "x", "path": "x"}


@pytest.fixture
def other_process(settings: Settings, world: World, clock: Clock) -> Iterator[TestClient[Litestar]]:
    """A second API process over the same store (and Redis)."""
    with TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as client:
        yield client


def _closed_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, concrete path) of every API route that needs a sign-in."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(("/schema", "/app")):
            continue
        path = re.sub(r"\{\w+:(\w+)\}", lambda m: SAMPLE[m.group(1)], route.path)
        for handler in route.route_handlers:
            if handler.opt.get("public"):
                continue
            found += [(method, path) for method in handler.http_methods - {"OPTIONS", "HEAD"}]
    return sorted(found)


def test_a_signed_out_token_is_refused_on_every_route_by_every_process(
    app: Litestar,
    client: TestClient[Litestar],
    other_process: TestClient[Litestar],
    world: World,
) -> None:
    bearer = login(client, "dispatcher")
    client.cookies.clear()
    kept = login(client, "dispatcher")  # another sign-in of the same account
    client.cookies.clear()
    assert other_process.get("/auth/me", headers=bearer).status_code == 200

    out = client.post("/auth/logout", headers=bearer)
    assert out.status_code == 204

    closed = _closed_routes(app)
    assert len(closed) > 30
    for method, path in closed:
        for process in (client, other_process):
            response = process.request(method, path, headers=bearer, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert error_code(response) == "not_authenticated"
    assert "revoked" in other_process.get("/auth/me", headers=bearer).json()["detail"]
    # Only that token: the account's other sign-in goes on working.
    assert other_process.get("/auth/me", headers=kept).status_code == 200
    board = other_process.get(f"/clinics/{world.clinic}/board?date=2026-10-05", headers=kept)
    assert board.status_code == 200
    # Signing out again with the dead token changes nothing and fails nothing.
    assert client.post("/auth/logout", headers=bearer).status_code == 204


def test_a_signed_out_cookie_opens_no_page(
    client: TestClient[Litestar], other_process: TestClient[Litestar]
) -> None:
    token = login(client, "dispatcher")["Authorization"].removeprefix("Bearer ")
    other_process.cookies.set(COOKIE, token)
    assert other_process.get("/app/board", follow_redirects=False).status_code == 200
    client.cookies.clear()
    client.cookies.set(COOKIE, token)
    out = client.post("/auth/logout", headers={"Content-Type": "application/json"})
    assert out.status_code == 204
    assert f"{COOKIE}=" in out.headers["set-cookie"]  # cleared in this browser
    # A copy of the cookie (another tab, a thief) no longer opens anything.
    page = other_process.get("/app/board", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/app/login")
    assert other_process.get("/auth/me").status_code == 401


def test_a_token_issued_in_the_future_is_refused(
    client: TestClient[Litestar], clock: Clock
) -> None:
    token = login(client, "pat")["Authorization"].removeprefix("Bearer ")
    client.cookies.clear()
    claims = jwt.decode(token, options={"verify_signature": False})
    now = int(clock().timestamp())

    def forged(**changes: object) -> dict[str, str]:
        signed = jwt.encode({**claims, **changes}, SECRET, algorithm="HS256")
        return {"Authorization": f"Bearer {signed}"}

    ahead = forged(iat=now + 3600, exp=now + 7200)
    assert client.get("/auth/me", headers=ahead).status_code == 401
    assert client.get("/auth/me", headers=forged(iat=now + 10)).status_code == 200  # skew
    without_id = {k: v for k, v in claims.items() if k != "jti"}
    unrevocable = {"Authorization": f"Bearer {jwt.encode(without_id, SECRET, 'HS256')}"}
    assert client.get("/auth/me", headers=unrevocable).status_code == 401


def test_the_revocation_lasts_as_long_as_the_token(
    client: TestClient[Litestar], settings: Settings, clock: Clock
) -> None:
    headers = login(client, "pat")
    client.cookies.clear()
    token_id = jwt.decode(
        headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}
    )["jti"]
    clock.advance(hours=2)
    assert client.post("/auth/logout", headers=headers).status_code == 204
    if settings.redis_url is not None:
        store = redis.Redis.from_url(REDIS_URL)
        try:
            ttl = store.ttl(f"{settings.redis_prefix}revoked:{token_id}")
        finally:
            store.close()
        assert 6 * 3600 - 5 <= ttl <= 6 * 3600  # the 8 h token had 6 h left
    else:
        accounts = Accounts(settings.store_env(create_table=False))
        try:
            assert accounts.token_revoked(token_id, clock() + timedelta(hours=5, minutes=59))
            assert not accounts.token_revoked(token_id, clock() + timedelta(hours=6))
        finally:
            accounts.close()


def test_signing_out_while_redis_is_down_says_so(
    settings: Settings, world: World, clock: Clock
) -> None:
    # Redis configured (on either store) but unreachable.
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(down, clock=clock), raise_server_exceptions=False) as client:
        headers = login(client, "pat")
        client.cookies.clear()
        out = client.post("/auth/logout", headers=headers)
        assert out.status_code == 503
        assert out.headers["retry-after"] == "5"
        assert out.json()["error"] == "revocation_unavailable"


def _reset_token(who: str, clock: Clock) -> str:
    """The token a reset mail to `who` would carry (the seeded password: version 0)."""
    return reset_token(SECRET, account_id(EMAILS[who]), 0, clock() + timedelta(hours=1))


def test_a_password_reset_ends_every_earlier_sign_in_in_every_process(
    client: TestClient[Litestar],
    other_process: TestClient[Litestar],
    world: World,
    clock: Clock,
) -> None:
    first = login(client, "pat")
    client.cookies.clear()
    second = login(other_process, "pat")
    other_process.cookies.clear()
    staff = login(client, "dispatcher")
    client.cookies.clear()
    clock.advance(seconds=1)  # tokens carry whole seconds

    new = "a new password for pat"
    reset = client.post(
        "/auth/password-reset/confirm",
        json={"token": _reset_token("pat", clock), "password": new},
    )
    assert reset.status_code == 204, reset.text
    for process in (client, other_process):
        for headers in (first, second):
            assert process.get("/me/plans", headers=headers).status_code == 401
        # Another account's sign-in goes on.
        assert process.get("/auth/me", headers=staff).status_code == 200
    fresh = client.post("/auth/login", json={"email": EMAILS["pat"], "password": new})
    assert fresh.status_code == 200
    bearer = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert other_process.get("/me/plans", headers=bearer).status_code == 200


def test_a_password_reset_while_redis_is_down_changes_nothing(
    settings: Settings, world: World, clock: Clock
) -> None:
    if settings.redis_url is None:
        return  # the embedded default keeps the sign-outs in the accounts' store
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(down, clock=clock), raise_server_exceptions=False) as client:
        reset = client.post(
            "/auth/password-reset/confirm",
            json={"token": _reset_token("pat", clock), "password": "a new password for pat"},
        )
        assert reset.status_code == 503
        assert reset.headers["retry-after"] == "5"
        assert reset.json()["error"] == "revocation_unavailable"
        assert (
            client.post(
                "/auth/login", json={"email": EMAILS["pat"], "password": PASSWORD}
            ).status_code
            == 200
        )
