"""Fixtures of the notification suite: a real SMTP sink, and the API's fixtures on the
embedded default with `SCHEDULER_SMTP_URL` pointing at the sink."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import SECRET, app, client, clock, seeded_store, tokens, world  # noqa: F401
from api.world import EMAILS, PASSWORD, World
from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .sink import Sink

PAT_EMAIL = "pat.patel@mail.example"
QUINN_EMAIL = "quinn.quade@mail.example"


@pytest.fixture
def sink() -> Iterator[Sink]:
    """A real SMTP server on a spare port, for this test only."""
    server = Sink().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def settings(tmp_path: Path, sink: Sink) -> Settings:
    """The embedded default, mailing through the sink, retrying quickly."""
    return Settings(
        data_dir=tmp_path,
        jwt_secret=SECRET,
        store_threads=4,
        smtp_url=sink.url,
        mail_from="Loop Medical Massage <desk@loop.example>",
        public_url="https://care.loop.example",
        notify_retry_s=1.0,
        notify_attempts=3,
    )


@pytest.fixture
def mailable(settings: Settings, world: World) -> World:  # noqa: F811
    """The seeded clinic, with e-mail addresses on the patients' records."""
    records = Scheduling(settings.store_env(create_table=False))
    try:
        for patient_id, email in ((world.pat, PAT_EMAIL), (world.quinn, QUINN_EMAIL)):
            patient = records.get_patient(patient_id)
            records.change_patient_details(
                patient_id, name=patient.name, phone=patient.phone, email=email,
                address=patient.address, home=patient.home, actor="seed",
                now=datetime(2026, 9, 1, tzinfo=UTC),
            )  # fmt: skip
    finally:
        records.close()
    return world


def sign_in_page(browser: TestClient[Litestar], who: str) -> None:
    """Sign the client in through the sign-in page, as a browser does."""
    browser.cookies.clear()
    browser.get("/app/login")
    token = browser.cookies["scheduler_csrf"]
    signed = browser.post(
        "/app/login",
        data={"email": EMAILS[who], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
