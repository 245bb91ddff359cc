"""A net over every page route, including ones added later: without a sign-in a page
sends the browser to the sign-in form; with one, unknown ids never answer 5xx."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from scheduler.api import create_app
from scheduler.settings import Settings

from .conftest import Site

UNKNOWN = "00000000-0000-4000-8000-00000000dead"
PAGES = re.compile(r"^/app(/|$)")


def _page_routes(tmp_path: Path) -> list[tuple[str, str]]:
    """(method, path with unknown ids) of every page route of the app."""
    app = create_app(Settings(data_dir=tmp_path, jwt_secret="x" * 40))
    found = []
    for route in app.routes:
        if not PAGES.match(route.path):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                found.append((method, re.sub(r"\{[^}]+\}", UNKNOWN, route.path)))
    return found


# One-click links from the mails: open, and refused without a valid signed token.
SIGNED_LINKS = ("/app/unsubscribe", "/app/offers/accept", "/app/verify", "/app/reset")


def _signed_in(client: httpx.Client, login: dict[str, str]) -> str:
    client.get("/app/login")
    token = client.cookies["scheduler_csrf"]
    client.post("/app/login", data={**login, "csrf_token": token})
    return token


def test_every_page_sends_strangers_to_sign_in(site: Site, tmp_path: Path) -> None:
    routes = _page_routes(tmp_path)
    assert len(routes) >= 15
    with httpx.Client(base_url=site.base) as client:
        client.get("/app/login")
        token = client.cookies["scheduler_csrf"]
        for method, path in routes:
            # Open to strangers.
            if path in ("/app/login", "/app/logout", "/app/signup", "/app/forgot"):
                continue
            answer = client.request(method, path, data={"csrf_token": token})
            if path in SIGNED_LINKS:  # a mailed link's signed token is the sign-in
                assert 400 <= answer.status_code < 500, (method, path, answer.status_code)
                continue
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/app/login"), (method, path)


def test_no_role_gets_a_5xx_for_unknown_records(site: Site, tmp_path: Path) -> None:
    routes = [(m, p) for m, p in _page_routes(tmp_path) if UNKNOWN in p]
    failures = []
    for role in ("patient", "therapist", "dispatcher"):
        with httpx.Client(base_url=site.base) as client:
            token = _signed_in(client, site.logins[role])
            for method, path in routes:
                answer = client.request(method, path, data={"csrf_token": token})
                if answer.status_code >= 500 or answer.status_code == 200:
                    failures.append((role, method, path, answer.status_code))
    assert failures == []
