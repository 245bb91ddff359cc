"""Cookie sessions and cross-site requests: the pages' cookie cannot be ridden.

A browser attaches cookies to requests another site makes it send. The pages guard
their forms with a CSRF token; the JSON API accepts the same cookie, so a forged
cross-site request to it must fail too.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from api.world import EMAILS, PASSWORD, World


def _cookie_session(client: TestClient[Litestar], who: str) -> None:
    """Sign in through the sign-in page, as a browser does (CSRF token included)."""
    client.get("/app/login")
    token = client.cookies["scheduler_csrf"]
    answer = client.post(
        "/app/login",
        data={"email": EMAILS[who], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert "scheduler_token" in client.cookies


def test_session_cookie_is_http_only_and_same_site(client: TestClient[Litestar]) -> None:
    client.get("/app/login")
    answer = client.post(
        "/app/login",
        data={
            "email": EMAILS["pat"],
            "password": PASSWORD,
            "csrf_token": client.cookies["scheduler_csrf"],
        },
        follow_redirects=False,
    )
    cookie = next(
        value
        for name, value in answer.headers.multi_items()
        if name == "set-cookie" and value.startswith("scheduler_token=")
    ).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie or "samesite=strict" in cookie


def test_cookie_form_post_without_csrf_token_changes_nothing(
    client: TestClient[Litestar], world: World
) -> None:
    _cookie_session(client, "pat")
    forged = client.post(
        f"/app/patient/plans/{world.pat_plan}/book",
        data={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    sessions = client.get(f"/plans/{world.pat_plan}/sessions")
    assert sessions.status_code == 200
    assert sessions.json() == []


def test_cross_site_simple_post_to_the_json_api_with_the_cookie_books_nothing(
    client: TestClient[Litestar], world: World
) -> None:
    _cookie_session(client, "pat")
    body = f'{{"therapist_id": "{world.ana}", "start": "{world.local["mon 10:00"].isoformat()}"}}'
    # What a hostile page can make a browser send without a CORS preflight.
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        forged = client.post(
            f"/plans/{world.pat_plan}/sessions",
            content=body,
            headers={"Content-Type": content_type, "Origin": "https://evil.example"},
        )
        assert forged.status_code >= 400, (content_type, forged.status_code)
    sessions = client.get(f"/plans/{world.pat_plan}/sessions")
    assert sessions.json() == []
