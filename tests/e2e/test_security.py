"""Pages send security headers, and a form POST without its CSRF token changes nothing."""

from __future__ import annotations

import httpx

from .conftest import Site


def test_pages_send_security_headers(site: Site) -> None:
    for path in ("/app/login", "/static/app.css"):
        response = httpx.get(site.base + path)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    assert httpx.get(site.base + "/app/login").headers["cache-control"] == "no-store"


def test_a_form_post_without_its_csrf_token_is_refused(site: Site) -> None:
    login = site.logins["patient"]
    with httpx.Client(base_url=site.base) as client:
        client.get("/app/login")  # sets the CSRF cookie
        refused = client.post("/app/login", data=login)
        assert refused.status_code == 403
        assert "scheduler_token" not in client.cookies
        forged = client.post("/app/login", data={**login, "csrf_token": "x" * 43})
        assert forged.status_code == 403
        token = client.cookies["scheduler_csrf"]
        signed_in = client.post("/app/login", data={**login, "csrf_token": token})
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/app/patient"
        assert "scheduler_token" in client.cookies


def _signed_in(client: httpx.Client, login: dict[str, str], next_page: str = "") -> httpx.Response:
    client.get("/app/login")
    token = client.cookies["scheduler_csrf"]
    return client.post("/app/login", data={**login, "next": next_page, "csrf_token": token})


def test_sign_in_returns_only_to_a_page_of_this_app(site: Site) -> None:
    for sent, landed in (
        ("/app/week", "/app/week"),
        ("//evil.example/app/", "/app/week"),
        ("https://evil.example/", "/app/week"),
        ("/app/\\evil.example", "/app/week"),
    ):
        with httpx.Client(base_url=site.base) as client:
            answer = _signed_in(client, site.logins["therapist"], sent)
            assert answer.headers["location"] == landed, sent


def test_other_roles_and_unknown_records_get_html_error_pages(site: Site) -> None:
    with httpx.Client(base_url=site.base) as client:
        _signed_in(client, site.logins["patient"])
        board = client.get("/app/board")
        assert board.status_code == 403
        assert board.headers["content-type"].startswith("text/html")
        assert "for dispatcher accounts" in board.text
        unknown = client.get("/app/sessions/00000000-0000-4000-8000-000000000000")
        assert unknown.status_code == 404
        assert "<h1>Not found</h1>" in unknown.text
        assert unknown.headers["x-frame-options"] == "DENY"
