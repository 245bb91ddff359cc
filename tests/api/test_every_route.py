"""A net over every API route, including ones added later: no sign-in is 401, and no role
asking about unknown records ever gets a 5xx or another record's data."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens, error_code
from .world import EMAILS, World

UNKNOWN = "00000000-0000-4000-8000-00000000dead"
QUERY = {"start": "2026-10-05", "date": "2026-10-05"}
# Served to browsers (their own cookie sign-in), documentation and static files.
NOT_API = re.compile(r"^/(app|static|schema)(/|$)|^/$")


def _api_routes(app: Litestar) -> list[tuple[str, str, bool]]:
    """(method, path with unknown ids, public) of every API route."""
    found = []
    for route in app.routes:
        if NOT_API.match(route.path):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method in ("OPTIONS", "HEAD"):
                    continue
                path = re.sub(r"\{[^}]+\}", UNKNOWN, route.path)
                found.append((method, path, bool(handler.opt.get("public"))))
    return found


def test_every_api_route_needs_a_sign_in_unless_public(
    app: Litestar, client: TestClient[Litestar]
) -> None:
    routes = _api_routes(app)
    assert len(routes) >= 20
    public = {(m, p) for m, p, is_public in routes if is_public}
    assert ("POST", "/auth/login") in public
    for method, path, is_public in routes:
        if is_public:
            continue
        client.cookies.clear()
        response = client.request(method, path, params=QUERY, json={})
        assert response.status_code == 401, (method, path, response.status_code)
        assert error_code(response) == "not_authenticated"


def test_no_role_gets_a_5xx_or_data_for_unknown_records(
    app: Litestar, client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    failures = []
    for who in EMAILS:
        for method, path, is_public in _api_routes(app):
            if is_public or UNKNOWN not in path:
                continue
            response = client.request(method, path, params=QUERY, json={}, headers=tokens[who])
            if response.status_code not in (400, 403, 404, 422):
                failures.append((who, method, path, response.status_code))
            for private in ("Pat Patel", "Quinn Quade", str(world.pat), str(world.quinn)):
                assert private not in response.text, (who, method, path)
    assert failures == []
