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
