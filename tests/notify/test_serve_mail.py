"""`scheduler serve` on the embedded default with `SCHEDULER_SMTP_URL`: a patient who
books through the API has the invitation within seconds; cancelling sends the
matching CANCEL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

from .sink import Sink, calendar_part, spare_port

SCHEDULER = str(Path(sys.executable).with_name("scheduler"))
WITHIN_S = 10.0


@pytest.fixture
def serve(tmp_path: Path, sink: Sink) -> Iterator[str]:
    """`scheduler serve` with the demo clinic, mailing through the sink; its base URL."""
    port = spare_port()
    env = {
        **os.environ,
        "SCHEDULER_DATA_DIR": str(tmp_path),
        "SCHEDULER_SMTP_URL": sink.url,
        "SCHEDULER_MAIL_FROM": "desk@demo.example",
        "SCHEDULER_DEMO": "1",
    }
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [SCHEDULER, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_a_patient_booking_through_serve_gets_the_invitation_within_seconds(
    serve: str, sink: Sink, tmp_path: Path
) -> None:
    login = json.loads((tmp_path / "demo-logins.json").read_text())["patient"]
    with httpx.Client(base_url=serve, timeout=30) as http:
        token = http.post("/auth/login", json=login).json()["access_token"]
        me = {"Authorization": f"Bearer {token}"}
        plan = http.get("/me/plans", headers=me).json()[0]["id"]
        option = http.get(f"/me/plans/{plan}/options", headers=me).json()["options"][0]
        booked_at = time.monotonic()
        booked = http.post(
            f"/plans/{plan}/sessions",
            json={"therapist_id": option["therapist_id"], "start": option["start"]},
            headers=me,
        )
        assert booked.status_code == 201, booked.text
        session = booked.json()["id"]
        sink.wait_for(lambda got: len(got) >= 1, timeout=WITHIN_S)
        print(f"\ninvitation arrived {time.monotonic() - booked_at:.2f} s after the booking")
        (invited,) = sink.to(login["email"])
        request = Calendar.from_ical(calendar_part(invited))
        assert str(request["METHOD"]) == "REQUEST"
        uid = str(request.walk("VEVENT")[0]["UID"])
        assert uid == f"{session}@scheduler"

        cancelled = http.post(f"/sessions/{session}/cancel", json={}, headers=me)
        assert cancelled.status_code == 200, cancelled.text
        sink.wait_for(lambda _got: len(sink.to(login["email"])) == 2, timeout=WITHIN_S)
        cancel = Calendar.from_ical(calendar_part(sink.to(login["email"])[1]))
        assert str(cancel["METHOD"]) == "CANCEL"
        event = cancel.walk("VEVENT")[0]
        assert str(event["UID"]) == uid
        assert int(event["SEQUENCE"]) > int(request.walk("VEVENT")[0]["SEQUENCE"])
