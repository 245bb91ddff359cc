"""Notifications under faults, with our own PostgreSQL and a real SMTP server.

`scheduler notify` delivers the mail of a few dozen bookings to a slow SMTP sink; it is
SIGKILLed mid-batch and started again; later the sink is down for 30 s while more
bookings are made. Every booking's mail arrives, counted by Message-ID.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest

from api.world import WEEKDAYS_9_TO_5
from notify.sink import Sink
from scheduler.domain import Scheduling
from scheduler.store import postgres_settings

from .clinic import TIMEZONE, _patient_with_plan, booking_day
from .cluster import SCHEDULER, SECRET, OwnPostgres, Service

pytestmark = [pytest.mark.system, pytest.mark.slow]

FIRST, SECOND = 40, 8
"""Bookings before the kill, and while the SMTP server is down."""


@pytest.fixture
def postgres(tmp_path: object) -> Iterator[OwnPostgres]:
    """Our own PostgreSQL, migrated."""
    server = OwnPostgres()
    try:
        server.start()
        server.create_database()
        migrated = subprocess.run(
            [SCHEDULER, "migrate"],
            env=_env(server.url, ""),
            capture_output=True,
            text=True,
            check=False,
        )
        assert migrated.returncode == 0, migrated.stderr
        yield server
    finally:
        server.remove()


def _env(database_url: str, smtp_url: str) -> dict[str, str]:
    import os  # noqa: PLC0415

    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SCHEDULER_JWT_SECRET": SECRET,
        "SCHEDULER_SMTP_URL": smtp_url,
        "SCHEDULER_MAIL_FROM": "desk@load.example",
        "SCHEDULER_REMINDER_HOURS": "0",
        "SCHEDULER_NOTIFY_RETRY_S": "1",
        "SCHEDULER_NOTIFY_ATTEMPTS": "12",
        "CREATE_TABLE": "n",
    }


class Bookings:
    """A clinic of one therapist; each `book(n)` books n new patients' first sessions."""

    def __init__(self, database_url: str) -> None:
        env = {**postgres_settings(database_url), "CREATE_TABLE": "n", "POSTGRES_POOL_SIZE": "2"}
        self.app = Scheduling(env)
        now = datetime.now(UTC)
        self.clinic = self.app.register_clinic(
            name="Mail Test Massage", address="1 N State St, Chicago",
            location=(41.8837, -87.6289), timezone=TIMEZONE, actor="seed", now=now,
        )  # fmt: skip
        self.therapist = self.app.register_therapist(
            clinic_id=self.clinic, name="Ana Alvarez", specializations=["ms"], mobile=False,
            shifts=WEEKDAYS_9_TO_5, actor="seed", now=now,
        )  # fmt: skip
        self.day = booking_day(now.date())
        self.count = 0

    def _slot(self, index: int) -> datetime:
        """The index-th hour slot of the therapist's weekdays from `day` on."""
        days, hour = divmod(index, 8)
        week, weekday = divmod(days, 5)
        day = self.day + timedelta(weeks=week, days=weekday)
        return datetime.combine(day, clock_time(9 + hour), tzinfo=ZoneInfo(TIMEZONE))

    def book(self, n: int) -> list[str]:
        """Book n new patients (with e-mail addresses); their addresses."""
        emails = []
        for _ in range(n):
            now = datetime.now(UTC)
            plan = _patient_with_plan(self.app, self.clinic, self.count, self.day, now)
            patient = self.app.get_plan(plan).patient_id
            email = f"patient{self.count}@mail.example"
            record = self.app.get_patient(patient)
            self.app.change_patient_details(
                patient, name=record.name, phone="", email=email, address="",
                home=record.home, actor="seed", now=now,
            )  # fmt: skip
            self.app.book_session(
                plan_id=plan, therapist_id=self.therapist, start=self._slot(self.count),
                actor="seed", now=now,
            )  # fmt: skip
            emails.append(email)
            self.count += 1
        return emails


def _wait(test: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not test():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_killed_deliverer_and_smtp_outage_lose_nothing(
    postgres: OwnPostgres, tmp_path: object
) -> None:
    from pathlib import Path  # noqa: PLC0415

    sink = Sink(delay_s=0.05).start()  # 50 ms per message: a batch takes seconds
    bookings = Bookings(postgres.url)
    deliverer = Service("notify", ["notify"], _env(postgres.url, sink.url), Path(str(tmp_path)))
    try:
        first = bookings.book(FIRST)
        deliverer.start()
        _wait(lambda: len(sink.message_ids()) >= FIRST // 4, 60, "the first mails")
        deliverer.kill()  # SIGKILL mid-batch
        delivered_before = len(sink.message_ids())
        assert delivered_before < FIRST, "the batch was over before the kill"
        deliverer.start()
        _wait(lambda: len(set(sink.message_ids())) >= FIRST, 60, "every mail after the restart")

        sink.stop()  # the SMTP server is down for 30 s
        down_at = time.monotonic()
        second = bookings.book(SECOND)
        time.sleep(max(0.0, 30 - (time.monotonic() - down_at)))
        assert len(set(sink.message_ids())) == FIRST
        sink.start()
        _wait(
            lambda: len(set(sink.message_ids())) >= FIRST + SECOND,
            90,
            "the mail held back by the outage",
        )
        time.sleep(3)  # anything still to come would be a duplicate
        ids = sink.message_ids()
        repeats = {mid: n for mid, n in Counter(ids).items() if n > 1}
        print(
            f"\nmails: {len(ids)} accepted, {len(set(ids))} distinct; delivered before the "
            f"kill: {delivered_before}; repeated Message-IDs: {repeats}"
        )
        assert len(set(ids)) == FIRST + SECOND
        # One message can be in the SMTP server's hands at the instant of the kill: sent
        # again with the same Message-ID (receivers drop it). Nothing else repeats.
        assert sum(n - 1 for n in repeats.values()) <= 1
        to = sorted({str(m["To"]) for m in sink.messages})
        assert to == sorted(first + second)
        assert deliverer.process is not None
        assert deliverer.process.poll() is None  # it outlived the outage
        assert deliverer.terminate() == 0
    finally:
        if deliverer.process is not None and deliverer.process.poll() is None:
            deliverer.kill()
        bookings.app.close()
        sink.stop()
