"""Short texts over apprise (`SCHEDULER_NOTIFY_URLS`), to a local HTTP receiver through
apprise's `json://` URLs: the patient's SMS URL (`{phone}`) and a front-desk channel
each get one text per message, retried after a failure; no condition in any text; a
patient without a phone gets no SMS; reminders stop with the patient's choice."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import Tokens
from api.world import Clock, World
from scheduler.domain import Scheduling
from scheduler.settings import Settings, SettingsError

from .sink import Sink

PHONE = "+1 (773) 555-0199"


class Texts:
    """An HTTP server that keeps what apprise's json:// posts (500 to the first few)."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.calls = 0
        self.got: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        texts = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with texts.lock:
                    texts.calls += 1
                    status = 500 if texts.calls <= texts.fail_first else 200
                    if status == 200:
                        texts.got.append((self.path, body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def wait_for(self, count: int, timeout: float = 15.0) -> list[tuple[str, dict[str, Any]]]:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                got = list(self.got)
            if len(got) >= count:
                return got
            assert time.monotonic() < deadline, f"only {len(got)} texts arrived: {got}"
            time.sleep(0.05)


@pytest.fixture
def texts() -> Iterator[Texts]:
    receiver = Texts(fail_first=1)
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def settings(settings: Settings, texts: Texts) -> Settings:
    """Mail, and two apprise URLs: the patient's SMS and the front desk's channel."""
    return dataclasses.replace(
        settings,
        notify_urls=(
            f"json://127.0.0.1:{texts.port}/sms/{{phone}}",
            f"json://127.0.0.1:{texts.port}/desk",
        ),
    )


@pytest.fixture
def with_phone(settings: Settings, mailable: World) -> World:
    """Pat has a phone; Quinn has none."""
    records = Scheduling(settings.store_env(create_table=False))
    try:
        patient = records.get_patient(mailable.pat)
        records.change_patient_details(
            mailable.pat, name=patient.name, phone=PHONE, email=patient.email,
            address=patient.address, home=patient.home, actor="seed",
            now=datetime(2026, 9, 1, tzinfo=UTC),
        )  # fmt: skip
    finally:
        records.close()
    return mailable


def test_each_patient_message_goes_as_one_short_text_to_each_url(
    client: TestClient[Litestar],
    with_phone: World,
    tokens: Tokens,
    sink: Sink,
    texts: Texts,
    clock: Clock,
) -> None:
    world = with_phone
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    texts.wait_for(1)
    clock.advance(seconds=2)  # the first try failed (500): its retry is due
    got = texts.wait_for(2)
    time.sleep(2.5)  # and nothing more comes
    assert sorted(path for path, _ in got) == ["/desk", "/sms/+17735550199"]
    for _, body in got:
        assert body["message"].startswith("Booked: ")
        assert "Ana Alvarez" in body["message"]
        assert "https://care.loop.example/app/patient" in body["message"]
        assert "sclerosis" not in json.dumps(body).lower()  # never the condition
    assert texts.calls == 3

    # Quinn has no phone: the desk's channel only.
    quinn = client.post(
        f"/plans/{world.quinn_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 14:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert quinn.status_code == 201, quinn.text
    got = texts.wait_for(3)
    time.sleep(2.5)
    assert [path for path, _ in texts.got[2:]] == ["/desk"]


def test_notify_urls_are_checked_at_start() -> None:
    env = {"SCHEDULER_NOTIFY_URLS": "json://127.0.0.1:9/a, not a url"}
    with pytest.raises(SettingsError, match="URL 2 is not an apprise URL"):
        Settings.from_env(env)
    good = Settings.from_env({"SCHEDULER_NOTIFY_URLS": "json://127.0.0.1:9/sms/{phone},"})
    assert good.notify_urls == ("json://127.0.0.1:9/sms/{phone}",)


def test_a_patient_who_stops_reminders_gets_no_reminder_text(
    app: Litestar,
    client: TestClient[Litestar],
    with_phone: World,
    tokens: Tokens,
    sink: Sink,
    texts: Texts,
    clock: Clock,
) -> None:
    world = with_phone
    texts.fail_first = 0
    visit = world.local["wed 10:00"]
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": visit.isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    texts.wait_for(2)  # booked: the SMS and the desk
    stopped = client.put(
        "/me/message-preferences", json={"email": True, "reminders": False}, headers=tokens["pat"]
    )
    assert stopped.status_code == 200, stopped.text
    clock.current = visit - timedelta(hours=23)  # past the reminder's time
    time.sleep(3)
    assert [body["message"].split(":")[0] for _, body in texts.got] == ["Booked", "Booked"]
    assert not [m for m in sink.messages if "Reminder" in str(m["Subject"])]
    rows = [m for m in app.state.notifier.outbox.all() if m.channel == "apprise:reminder"]
    assert [m.status for m in rows] == ["dropped", "dropped"]  # recorded, then not sent
