"""Reminders: on the patient's wall clock across a DST change, never in quiet hours,
and stopped by one click."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import Tokens
from api.world import Clock, World
from scheduler.domain import Scheduling
from scheduler.notify.compose import reminder_time
from scheduler.settings import Settings

from .conftest import PAT_EMAIL
from .sink import Sink

CHICAGO = ZoneInfo("America/Chicago")
TICK_S = 2.5
"""Long enough for the notifier (1 s ticks) to have acted on a new clock reading."""


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


def test_reminder_time_keeps_the_wall_clock_and_leaves_quiet_hours() -> None:
    # US clocks go back at 02:00 on Sunday 1 November 2026: 10:00 on Sunday is 25 h after
    # 10:00 on Saturday, and the reminder still goes at 10:00 on Saturday.
    sunday = _local(2026, 11, 1, 10, 0)
    assert reminder_time(sunday, CHICAGO, hours=24, quiet_start=21, quiet_end=8) == _local(
        2026, 10, 31, 10, 0
    ).astimezone(UTC)
    # A 07:30 visit would be reminded at 07:30, inside 21-8: the evening before instead.
    early = _local(2026, 10, 7, 7, 30)
    assert reminder_time(early, CHICAGO, hours=24, quiet_start=21, quiet_end=8) == _local(
        2026, 10, 5, 20, 59
    ).astimezone(UTC)
    # Quiet hours that do not wrap midnight (13-15, a siesta).
    noon = _local(2026, 10, 7, 14, 0)
    assert reminder_time(noon, CHICAGO, hours=24, quiet_start=13, quiet_end=15) == _local(
        2026, 10, 6, 12, 59
    ).astimezone(UTC)
    # Not a whole number of days: hours on the clock.
    assert reminder_time(sunday, CHICAGO, hours=2, quiet_start=21, quiet_end=8) == (
        sunday - timedelta(hours=2)
    ).astimezone(UTC)


@pytest.fixture
def sunday_shifts(settings: Settings, mailable: World) -> World:
    """Ana works Sundays too, so a visit can fall on the morning the clocks go back."""
    records = Scheduling(settings.store_env(create_table=False))
    try:
        shifts = {day: [540, 1020] for day in ("sun", "mon", "tue", "wed", "thu", "fri")}
        records.change_shifts(
            mailable.ana,
            shifts=shifts,
            actor="seed",
            reason="test",
            now=datetime(2026, 9, 2, tzinfo=UTC),
        )
    finally:
        records.close()
    return mailable


def _reminders(sink: Sink) -> list[str]:
    return [str(m["Subject"]) for m in sink.to(PAT_EMAIL) if "Reminder" in str(m["Subject"])]


def test_a_reminder_goes_out_at_the_local_time_across_the_dst_change(
    client: TestClient[Litestar], sunday_shifts: World, tokens: Tokens, sink: Sink, clock: Clock
) -> None:
    world = sunday_shifts
    visit = _local(2026, 11, 1, 10, 0)  # Sunday, the morning the clocks went back
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": visit.isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    sink.wait_for(lambda got: any("Booked" in str(m["Subject"]) for m in got))
    due = _local(2026, 10, 31, 10, 0)  # Saturday 10:00 CDT = 15:00 UTC, 25 h before
    assert due.astimezone(UTC).hour == 15

    clock.current = (visit - timedelta(hours=24)).astimezone(UTC) - timedelta(hours=1, minutes=1)
    time.sleep(TICK_S)
    assert _reminders(sink) == []  # 09:59 local: not yet
    clock.current = due.astimezone(UTC)
    sink.wait_for(lambda _got: len(_reminders(sink)) == 1)
    (reminder,) = [m for m in sink.to(PAT_EMAIL) if "Reminder" in str(m["Subject"])]
    assert reminder["List-Unsubscribe"].startswith("<https://care.loop.example/")
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    time.sleep(TICK_S)
    assert len(_reminders(sink)) == 1  # once


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Quiet until 10:00, so a 09:00 visit's reminder cannot go at 09:00 the day before."""
    return dataclasses.replace(settings, quiet_hours=(21, 10))


def test_quiet_hours_move_the_reminder_to_the_evening_before_and_a_move_replaces_it(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink, clock: Clock
) -> None:
    world = mailable
    wednesday_9 = world.local["wed 10:00"] - timedelta(minutes=30)  # 09:30
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": wednesday_9.isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    sink.wait_for(lambda got: any("Booked" in str(m["Subject"]) for m in got))
    # Not at 09:30 on Tuesday (quiet until 10:00): at 20:59 on Monday.
    monday_evening = _local(2026, 10, 5, 20, 59).astimezone(UTC)
    clock.current = monday_evening - timedelta(minutes=1)
    time.sleep(TICK_S)
    assert _reminders(sink) == []
    clock.current = monday_evening
    sink.wait_for(lambda _got: len(_reminders(sink)) == 1)
    sent_at = clock.current.astimezone(CHICAGO)
    assert (sent_at.hour, sent_at.minute) == (20, 59)


def test_one_click_stops_reminders_and_a_moved_visit_has_one_reminder(
    client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink, clock: Clock
) -> None:
    world = mailable
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["wed 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    session = booked.json()["id"]
    moved = client.post(
        f"/sessions/{session}/move",
        json={"start": world.local["fri 10:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert moved.status_code == 200, moved.text
    sink.wait_for(lambda got: any("Moved" in str(m["Subject"]) for m in got))
    # The first reminder's time (Tuesday 10:00) passes: it was dropped with the move.
    clock.current = world.local["wed 10:00"] - timedelta(hours=23)
    time.sleep(TICK_S)
    assert _reminders(sink) == []
    clock.current = world.local["fri 10:00"] - timedelta(hours=24)
    sink.wait_for(lambda _got: len(_reminders(sink)) == 1)
    (reminder,) = [m for m in sink.to(PAT_EMAIL) if "Reminder" in str(m["Subject"])]
    link = reminder["List-Unsubscribe"].strip("<>").removeprefix("https://care.loop.example")

    # One click (RFC 8058's POST, as mail clients send it): no more reminders.
    stopped = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200, stopped.text
    assert "Reminders stopped" in stopped.text
    tokens.pop("dispatcher")  # the clock moved on days: sign in again
    second = client.post(
        f"/sessions/{session}/move",
        json={
            "start": world.local["fri 10:00"]
            .replace(hour=world.local["fri 10:00"].hour + 2)
            .isoformat()
        },
        headers=tokens["dispatcher"],
    )
    assert second.status_code == 200, second.text
    sink.wait_for(lambda got: len([m for m in got if "Moved" in str(m["Subject"])]) == 2)
    clock.current = world.local["fri 10:00"] - timedelta(hours=21)
    time.sleep(TICK_S)
    assert len(_reminders(sink)) == 1  # the moved visit's new reminder is not sent
