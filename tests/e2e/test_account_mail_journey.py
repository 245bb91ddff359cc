"""A new patient's e-mail in the browser, with a real SMTP server: signing up mails a
link that confirms the address (the patient's page asks until then, and can mail a
new one); a forgotten password is reset from the sign-in page through the mailed link,
which works once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from api.world import Clock
from notify.conftest import sink  # noqa: F401 (the fixture: a real SMTP server)
from notify.sink import Sink

from .conftest import DESKTOP, PHONE
from .empty_site import EmptySite, empty_site
from .test_front_door_journey import (
    checked,
    open_page,
    set_up_clinic_over_http,
    sign_in,
    sign_up,
)

pytestmark = pytest.mark.slow

EMAIL = "pat@mail.example"
NEW_PASSWORD = "my brand new passphrase"


@pytest.fixture
def site(tmp_path: Path, sink: Sink) -> Iterator[EmptySite]:  # noqa: F811
    with empty_site(tmp_path, Clock(), smtp_url=sink.url) as served:
        yield served


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def _link(sink: Sink, subject: str, path: str) -> str:  # noqa: F811
    found = sink.wait_for(lambda got: any(str(m["Subject"]) == subject for m in got))
    mail = [m for m in found if str(m["Subject"]) == subject][-1]
    body = mail.get_body(("plain",))
    assert body is not None
    match = re.search(rf"http://127\.0\.0\.1:\d+({re.escape(path)}\?token=\S+)", body.get_content())
    assert match, body.get_content()
    return match.group(1)


def test_a_new_patient_confirms_their_address_and_resets_a_forgotten_password(
    site: EmptySite,
    sink: Sink,  # noqa: F811
    browser: Browser,
    contexts: list[BrowserContext],
) -> None:
    set_up_clinic_over_http(site)
    problems: list[str] = []

    # Signing up mails a link; until it is followed the patient's page asks for it.
    patient = open_page(browser, site, contexts, PHONE)
    sign_up(patient)
    patient.goto("/app/patient")
    banner = patient.get_by_test_id("verify-email")
    expect(banner).to_contain_text("Please confirm your e-mail address")
    problems += checked(patient, "patient-unverified")
    banner.get_by_role("button", name="Mail me a new link").click()
    expect(patient.get_by_test_id("verify-email")).to_contain_text("A new link is on its way")
    sink.wait_for(lambda got: len([m for m in got if m["To"] == EMAIL]) == 2)

    link = _link(sink, "Confirm your e-mail address", "/app/verify")
    patient.goto(link)
    problems += checked(patient, "verify-link")
    patient.get_by_role("button", name="Confirm my e-mail address").click()
    expect(patient.get_by_role("heading", name="E-mail address confirmed")).to_be_visible()
    patient.goto("/app/patient")
    expect(patient.get_by_test_id("verify-email")).to_have_count(0)
    # The link works once.
    patient.goto(link)
    expect(patient.get_by_role("heading", name="Link expired")).to_be_visible()

    # Forgotten password: asked for on the sign-in page, set through the mailed link.
    visitor = open_page(browser, site, contexts, DESKTOP)
    visitor.goto("/app/login")
    visitor.get_by_role("link", name="Forgot your password?").click()
    visitor.get_by_label("E-mail address").fill(EMAIL)
    visitor.get_by_role("button", name="Mail me a link").click()
    expect(visitor.get_by_test_id("reset-sent")).to_be_visible()
    problems += checked(visitor, "forgot")
    reset = _link(sink, "Set a new password", "/app/reset")
    site.clock.advance(seconds=1)  # the app's clock stands still; tokens carry seconds
    visitor.goto(reset)
    visitor.get_by_label("New password").fill("short")
    visitor.get_by_label("The same password again").fill("short")
    visitor.get_by_role("button", name="Set the password").click()
    expect(visitor.get_by_text("Use at least 10 characters.")).to_be_visible()
    problems += checked(visitor, "reset-error")
    visitor.get_by_label("New password").fill(NEW_PASSWORD)
    visitor.get_by_label("The same password again").fill(NEW_PASSWORD)
    visitor.get_by_role("button", name="Set the password").click()
    expect(visitor.get_by_role("heading", name="Password changed")).to_be_visible()

    # The patient's earlier sign-in has ended; the new password opens the page.
    patient.goto("/app/patient")
    expect(patient).to_have_url(re.compile(r"/app/login"))
    sign_in(patient, EMAIL, NEW_PASSWORD)
    expect(patient).to_have_url(re.compile(r"/app/patient"))
    visitor.goto(reset)
    expect(visitor.get_by_role("heading", name="Link expired")).to_be_visible()
    assert problems == []
