"""The accounts' own mails through a real SMTP server: a new patient's address is
verified with a signed link that works once and expires; a forgotten password is reset
with a link that works once, for an hour, and ends every earlier sign-in. Both mails
come through the outbox, once each; a reset never says whether an address has an account.
"""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import Tokens, error_code
from api.world import EMAILS, PASSWORD, Clock, World
from scheduler.notify.outbox import Outbox

from .sink import Sink

NEW = "nora.new@mail.example"
NEW_PASSWORD = "a brand new passphrase"


def _link(message: EmailMessage, path: str) -> str:
    """The path and query of the link to `path` in the mail's text."""
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(
        rf"https://care\.loop\.example({re.escape(path)}\?token=\S+)", body.get_content()
    )
    assert found, body.get_content()
    return found.group(1)


def _sign_up(client: TestClient[Litestar], world: World) -> dict[str, str]:
    response = client.post(
        "/signup",
        json={
            "clinic_id": str(world.clinic),
            "name": "Nora New",
            "email": NEW,
            "password": PASSWORD,
            "phone": "+1 773 555 0142",
            "address": "2100 N Halsted St, Chicago, IL",
            "home": {"latitude": 41.9199, "longitude": -87.6487},
            "availability": {"mon": [[540, 720]]},
        },
    )
    assert response.status_code == 201, response.text
    login = client.post("/auth/login", json={"email": NEW, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _new_patient_on_the_pages(client: TestClient[Litestar], world: World, sink: Sink) -> str:
    """Sign up (its mail arrives), then sign in on the sign-in page; the form token."""
    _sign_up(client, world)
    sink.wait_for(lambda got: len([m for m in got if m["To"] == NEW]) == 1)
    client.cookies.clear()
    client.get("/app/login")
    csrf = client.cookies["scheduler_csrf"]
    signed = client.post(
        "/app/login",
        data={"email": NEW, "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    return csrf


def _form(client: TestClient[Litestar], path: str, **fields: str) -> object:
    client.get("/app/login")
    csrf = client.cookies["scheduler_csrf"]
    return client.post(path, data={"csrf_token": csrf, **fields}, follow_redirects=False)


def test_a_new_patient_verifies_their_address_once_with_the_mailed_link(
    client: TestClient[Litestar], world: World, sink: Sink, clock: Clock
) -> None:
    headers = _sign_up(client, world)
    assert client.get("/auth/me", headers=headers).json()["verified"] is False
    mails = sink.wait_for(lambda got: any(m["To"] == NEW for m in got))
    [mail] = sink.to(NEW)
    assert str(mail["Subject"]) == "Confirm your e-mail address"
    link = _link(mail, "/app/verify")

    # Opening the link shows a button and changes nothing (mail scanners follow links).
    opened = client.get(link)
    assert opened.status_code == 200
    assert "Confirm my e-mail address" in opened.text
    assert client.get("/auth/me", headers=headers).json()["verified"] is False

    confirmed = client.post(link)
    assert confirmed.status_code == 200, confirmed.text
    assert "E-mail address confirmed" in confirmed.text
    assert client.get("/auth/me", headers=headers).json()["verified"] is True
    listed = client.get("/me/messages", headers=headers).json()
    assert [m["subject"] for m in listed] == ["Confirm your e-mail address"]

    # Once only: the same link is gone, on the page and on the JSON route.
    assert client.get(link).status_code == 410
    again = client.post(link)
    assert again.status_code == 410
    assert 'action="/app/verify' not in again.text  # no button on a spent link
    token = link.split("token=", 1)[1]
    reused = client.post("/auth/verify-email", json={"token": token})
    assert reused.status_code == 410
    assert error_code(reused) == "link_gone"
    assert len(sink.to(NEW)) == len([m for m in mails if m["To"] == NEW])  # nothing more sent


def test_a_verification_link_expires_and_a_new_one_can_be_asked_for(
    client: TestClient[Litestar], world: World, sink: Sink, clock: Clock
) -> None:
    _sign_up(client, world)
    sink.wait_for(lambda got: len([m for m in got if m["To"] == NEW]) == 1)
    first = _link(sink.to(NEW)[0], "/app/verify")
    token = first.split("token=", 1)[1]

    clock.advance(days=3, minutes=1)
    assert client.get(first).status_code == 410
    expired = client.post("/auth/verify-email", json={"token": token})
    assert expired.status_code == 410, expired.text
    forged = client.post("/auth/verify-email", json={"token": token[:-4] + "0000"})
    assert forged.status_code == 410
    login = client.post("/auth/login", json={"email": NEW, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}  # 3 days on
    assert client.get("/auth/me", headers=headers).json()["verified"] is False

    resent = client.post("/me/email-verification", headers=headers)
    assert resent.status_code == 202, resent.text
    assert resent.json()["sent"] is True
    sink.wait_for(lambda got: len([m for m in got if m["To"] == NEW]) == 2)
    second = _link(sink.to(NEW)[1], "/app/verify").split("token=", 1)[1]
    verified = client.post("/auth/verify-email", json={"token": second})
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True
    # Verified: asking again sends nothing.
    assert client.post("/me/email-verification", headers=headers).json()["sent"] is False


def test_the_patient_page_asks_an_unverified_patient_and_mails_a_new_link(
    client: TestClient[Litestar], world: World, sink: Sink
) -> None:
    csrf = _new_patient_on_the_pages(client, world, sink)
    page = client.get("/app/patient")
    assert 'data-testid="verify-email"' in page.text
    resend = client.post(
        "/app/patient/verification", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert resend.status_code == 303
    assert resend.headers["location"] == "/app/patient?verification=sent"
    sink.wait_for(lambda got: len([m for m in got if m["To"] == NEW]) == 2)
    # Without the form's token nothing is sent.
    refused = client.post("/app/patient/verification", data={}, follow_redirects=False)
    assert refused.status_code == 403
    client.post(_link(sink.to(NEW)[1], "/app/verify"))
    assert 'data-testid="verify-email"' not in client.get("/app/patient").text


def test_a_forgotten_password_is_reset_once_and_every_earlier_sign_in_ends(
    client: TestClient[Litestar], world: World, sink: Sink, clock: Clock, tokens: Tokens
) -> None:
    old = tokens["pat"]
    assert client.get("/me/plans", headers=old).status_code == 200
    clock.advance(seconds=5)  # tokens carry whole seconds: the reset is later

    known = client.post("/auth/password-reset", json={"email": EMAILS["pat"]})
    unknown = client.post("/auth/password-reset", json={"email": "nobody@mail.example"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()  # never says which addresses have accounts
    sink.wait_for(lambda got: any(m["To"] == EMAILS["pat"] for m in got))
    [mail] = sink.to(EMAILS["pat"])
    assert str(mail["Subject"]) == "Set a new password"
    assert sink.to("nobody@mail.example") == []
    link = _link(mail, "/app/reset")

    form = client.get(link)
    assert form.status_code == 200
    assert 'name="password"' in form.text
    # Bad input: the form says what to fix, and nothing changes.
    short = _form(client, link, password="short", repeat="short")
    assert short.status_code == 400  # type: ignore[attr-defined]
    assert "at least 10 characters" in short.text  # type: ignore[attr-defined]
    mismatch = _form(client, link, password=NEW_PASSWORD, repeat=NEW_PASSWORD + "!")
    assert mismatch.status_code == 400  # type: ignore[attr-defined]
    assert client.get("/me/plans", headers=old).status_code == 200
    login = client.post("/auth/login", json={"email": EMAILS["pat"], "password": PASSWORD})
    assert login.status_code == 200
    clock.advance(seconds=1)

    done = _form(client, link, password=NEW_PASSWORD, repeat=NEW_PASSWORD)
    assert done.status_code == 200, done.text  # type: ignore[attr-defined]
    assert "Password changed" in done.text  # type: ignore[attr-defined]
    # Every sign-in made before the reset ends; the old password no longer works.
    assert client.get("/me/plans", headers=old).status_code == 401
    stale = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert client.get("/me/plans", headers=stale).status_code == 401
    wrong = client.post("/auth/login", json={"email": EMAILS["pat"], "password": PASSWORD})
    assert wrong.status_code == 401
    fresh = client.post("/auth/login", json={"email": EMAILS["pat"], "password": NEW_PASSWORD})
    assert fresh.status_code == 200
    headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert client.get("/me/plans", headers=headers).status_code == 200

    # The link is spent: 410 on the page and on the JSON route, and nothing changes.
    assert client.get(link).status_code == 410
    token = link.split("token=", 1)[1]
    reused = client.post(
        "/auth/password-reset/confirm", json={"token": token, "password": "yet another one!"}
    )
    assert reused.status_code == 410
    assert error_code(reused) == "link_gone"
    again = client.post("/auth/login", json={"email": EMAILS["pat"], "password": NEW_PASSWORD})
    assert again.status_code == 200


def test_a_reset_link_expires_after_an_hour_and_a_bad_password_changes_nothing(
    client: TestClient[Litestar], world: World, sink: Sink, clock: Clock
) -> None:
    client.post("/auth/password-reset", json={"email": EMAILS["quinn"]})
    sink.wait_for(lambda got: any(m["To"] == EMAILS["quinn"] for m in got))
    token = _link(sink.to(EMAILS["quinn"])[0], "/app/reset").split("token=", 1)[1]

    short = client.post("/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert short.status_code == 400  # the schema's minimum length
    clock.advance(minutes=61)
    late = client.post(
        "/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert late.status_code == 410
    assert client.get(f"/app/reset?token={token}").status_code == 410
    kept = client.post("/auth/login", json={"email": EMAILS["quinn"], "password": PASSWORD})
    assert kept.status_code == 200


def test_reset_requests_are_rate_limited_like_sign_in(
    client: TestClient[Litestar], world: World
) -> None:
    answers = [
        client.post("/auth/password-reset", json={"email": "someone@mail.example"}).status_code
        for _ in range(11)
    ]
    assert answers[:10] == [202] * 10
    assert answers[10] == 429
    page = _form(client, "/app/forgot", email="someone@mail.example")
    assert page.status_code == 429  # type: ignore[attr-defined]
    assert "Too many requests" in page.text  # type: ignore[attr-defined]


def test_the_forgot_page_answers_the_same_for_any_address(
    client: TestClient[Litestar], world: World, sink: Sink
) -> None:
    known = _form(client, "/app/forgot", email=EMAILS["dispatcher"])
    unknown = _form(client, "/app/forgot", email="nobody@mail.example")
    assert known.status_code == unknown.status_code == 200  # type: ignore[attr-defined]
    assert 'data-testid="reset-sent"' in known.text  # type: ignore[attr-defined]
    assert 'data-testid="reset-sent"' in unknown.text  # type: ignore[attr-defined]
    bad = _form(client, "/app/forgot", email="not an address")
    assert bad.status_code == 400  # type: ignore[attr-defined]
    assert "reset-sent" not in bad.text  # type: ignore[attr-defined]
    sink.wait_for(lambda got: any(m["To"] == EMAILS["dispatcher"] for m in got))


def test_account_mails_are_recorded_once_in_the_outbox(
    client: TestClient[Litestar], world: World, sink: Sink, app: Litestar
) -> None:
    _sign_up(client, world)
    client.post("/auth/password-reset", json={"email": NEW})
    sink.wait_for(lambda got: len([m for m in got if m["To"] == NEW]) == 2)
    notifier = app.state.notifier
    outbox: Outbox = notifier.outbox
    deadline = time.monotonic() + 10  # a send is recorded just after the server took it
    while True:
        rows = [m for m in outbox.all() if m.recipient == NEW]
        if all(m.status == "sent" for m in rows) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sorted(m.kind for m in rows) == ["password_reset", "verify"]
    assert {m.channel for m in rows} == {"email:account"}
    assert [m.status for m in rows] == ["sent", "sent"]
    ids = [str(m["Message-ID"]) for m in sink.to(NEW)]
    assert len(set(ids)) == 2


def test_a_patient_account_the_desk_opens_is_mailed_its_link_too(
    client: TestClient[Litestar], world: World, sink: Sink, tokens: Tokens
) -> None:
    registered = client.post(
        f"/clinics/{world.clinic}/patients",
        json={"name": "Nora New", "email": NEW, "home": {"latitude": 41.93, "longitude": -87.65}},
        headers=tokens["dispatcher"],
    )
    assert registered.status_code == 201, registered.text
    opened = client.post(
        "/accounts",
        json={
            "email": NEW,
            "password": PASSWORD,
            "role": "patient",
            "patient_id": registered.json()["id"],
        },
        headers=tokens["dispatcher"],
    )
    assert opened.status_code == 201, opened.text
    assert opened.json()["verified"] is False
    sink.wait_for(lambda got: any(m["To"] == NEW for m in got))
    assert [str(m["Subject"]) for m in sink.to(NEW)] == ["Confirm your e-mail address"]


def test_asking_for_new_links_too_often_is_refused_on_the_page_and_sends_nothing_more(
    client: TestClient[Litestar], world: World, sink: Sink
) -> None:
    csrf = _new_patient_on_the_pages(client, world, sink)
    answers = [
        client.post(
            "/app/patient/verification", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        for _ in range(11)
    ]
    assert answers == [303] * 10 + [429]
    refused = client.post("/app/patient/verification", data={"csrf_token": csrf})
    assert refused.status_code == 429
    assert "too many verification requests" in refused.text
    sink.wait_for(lambda got: len([m for m in got if m["To"] == NEW]) == 11)
    time.sleep(2.5)
    assert len(sink.to(NEW)) == 11  # the first and ten more: none for the refused ones
