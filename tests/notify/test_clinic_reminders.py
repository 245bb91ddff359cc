"""Reminder lead time and quiet hours are each clinic's: two clinics with different
settings remind their patients at their own times; the deployment's values are the
defaults; bad values are refused and change nothing (JSON and the desk's page)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from api.conftest import Tokens
from api.world import NOW, Clock, World
from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .conftest import PAT_EMAIL, sign_in_page
from .sink import Sink

CHICAGO = ZoneInfo("America/Chicago")
LAKE_EMAIL = "lee.lake@mail.example"
TICK_S = 2.5


@dataclass(frozen=True)
class Lake:
    """The other clinic's therapist and patient's plan."""

    therapist: UUID
    plan: UUID


@pytest.fixture
def lake(settings: Settings, mailable: World) -> Lake:
    """A therapist and a patient with a plan in the other clinic (Lake Massage)."""
    records = Scheduling(settings.store_env(create_table=False))
    who = {"actor": "seed", "now": NOW}
    try:
        therapist = records.register_therapist(
            clinic_id=mailable.other_clinic,
            name="Lou Lind",
            specializations=["ms"],
            mobile=True,
            home=(41.90, -87.66),
            shifts={day: [480, 1020] for day in ("mon", "tue", "wed", "thu", "fri")},
            **who,
        )
        patient = records.register_patient(
            clinic_id=mailable.other_clinic,
            name="Lee Lake",
            home=(41.93, -87.66),
            email=LAKE_EMAIL,
            **who,
        )
        records.record_evaluation(
            patient, condition="multiple sclerosis", pain_level=5, contraindications=[],
            notes="", **who,
        )  # fmt: skip
        prescription = records.record_prescription(
            patient, condition="multiple sclerosis", authorized_sessions=6,
            expires_on=date(2026, 12, 31), **who,
        )  # fmt: skip
        plan = records.create_plan(
            patient_id=patient, prescription_id=prescription, specialization="ms", sessions=6,
            session_minutes=60, min_days=2, max_days=9, setting="home", **who,
        )  # fmt: skip
    finally:
        records.close()
    return Lake(therapist, plan)


def _reminded(sink: Sink, address: str) -> int:
    return len([m for m in sink.to(address) if "Reminder" in str(m["Subject"])])


def test_two_clinics_remind_at_their_own_times(
    client: TestClient[Litestar],
    mailable: World,
    lake: Lake,
    tokens: Tokens,
    sink: Sink,
    clock: Clock,
) -> None:
    world = mailable
    # Loop: 2 hours before, quiet 6-9 (so 08:00 moves to 05:59); Lake: 48 hours before.
    loop = client.put(
        f"/clinics/{world.clinic}/reminders",
        json={"reminder_hours": 2, "quiet_hours": {"start": 6, "end": 9}},
        headers=tokens["dispatcher"],
    )
    assert loop.status_code == 200, loop.text
    assert loop.json()["applied_reminder_hours"] == 2
    other = client.put(
        f"/clinics/{world.other_clinic}/reminders",
        json={"reminder_hours": 48},
        headers=tokens["other_dispatcher"],
    )
    assert other.status_code == 200, other.text
    assert other.json()["quiet_hours"] is None  # the deployment's
    assert other.json()["applied_quiet_hours"] == {"start": 21, "end": 8}

    monday_10 = datetime(2026, 10, 5, 10, 0, tzinfo=CHICAGO)
    for plan, therapist, who in (
        (world.pat_plan, world.ana, "dispatcher"),
        (lake.plan, lake.therapist, "other_dispatcher"),
    ):
        booked = client.post(
            f"/plans/{plan}/sessions",
            json={"therapist_id": str(therapist), "start": monday_10.isoformat()},
            headers=tokens[who],
        )
        assert booked.status_code == 201, booked.text
    sink.wait_for(lambda got: len([m for m in got if "Booked" in str(m["Subject"])]) == 2)

    lake_due = datetime(2026, 10, 3, 10, 0, tzinfo=CHICAGO)  # Saturday, 48 h before
    loop_due = datetime(2026, 10, 5, 5, 59, tzinfo=CHICAGO)  # 08:00 is quiet: 05:59
    clock.current = lake_due.astimezone(UTC) - timedelta(minutes=1)
    time.sleep(TICK_S)
    assert (_reminded(sink, LAKE_EMAIL), _reminded(sink, PAT_EMAIL)) == (0, 0)
    clock.current = lake_due.astimezone(UTC)
    sink.wait_for(lambda _got: _reminded(sink, LAKE_EMAIL) == 1)
    assert _reminded(sink, PAT_EMAIL) == 0  # Loop reminds 2 h before, not 48
    clock.current = loop_due.astimezone(UTC) - timedelta(minutes=1)
    time.sleep(TICK_S)
    assert _reminded(sink, PAT_EMAIL) == 0
    clock.current = loop_due.astimezone(UTC)
    sink.wait_for(lambda _got: _reminded(sink, PAT_EMAIL) == 1)
    assert _reminded(sink, LAKE_EMAIL) == 1  # once each


def test_reminder_settings_are_the_clinics_staffs_and_bad_values_change_nothing(
    client: TestClient[Litestar], mailable: World, tokens: Tokens
) -> None:
    world = mailable
    path = f"/clinics/{world.clinic}/reminders"
    shown = client.get(path, headers=tokens["dispatcher"])
    assert shown.status_code == 200
    assert shown.json() == {
        "reminder_hours": None,
        "quiet_hours": None,
        "applied_reminder_hours": 24,
        "applied_quiet_hours": {"start": 21, "end": 8},
    }
    for who in ("other_dispatcher", "pat", "ana"):
        assert client.get(path, headers=tokens[who]).status_code == 403
        refused = client.put(path, json={"reminder_hours": 3}, headers=tokens[who])
        assert refused.status_code == 403
    for body, status in (
        ({"reminder_hours": -1}, 400),
        ({"reminder_hours": 169}, 400),
        ({"reminder_hours": "3"}, 400),
        ({"quiet_hours": {"start": 24, "end": 8}}, 400),
        ({"quiet_hours": {"start": 8, "end": 8}}, 422),
        ({"reminder_hours": 3, "extra": 1}, 400),
    ):
        answer = client.put(path, json=body, headers=tokens["admin"])
        assert answer.status_code == status, (body, answer.text)
    assert client.get(path, headers=tokens["admin"]).json() == shown.json()


def test_the_desk_page_sets_and_clears_the_clinics_reminders(
    client: TestClient[Litestar], mailable: World, tokens: Tokens
) -> None:
    world = mailable
    page = f"/app/desk/clinics/{world.clinic}/reminders"
    sign_in_page(client, "dispatcher")
    shown = client.get(page)
    assert shown.status_code == 200
    assert "blank: 24" in shown.text
    csrf = client.cookies["scheduler_csrf"]
    bad = client.post(
        page,
        data={"csrf_token": csrf, "reminder_hours": "soon", "quiet_hours": "9-9"},
        follow_redirects=False,
    )
    assert bad.status_code == 400
    assert "Enter whole hours" in bad.text
    assert "two different hours" in bad.text
    assert 'value="soon"' in bad.text  # what was typed is kept
    api = f"/clinics/{world.clinic}/reminders"
    assert client.get(api, headers=tokens["admin"]).json()["reminder_hours"] is None
    saved = client.post(
        page,
        data={"csrf_token": csrf, "reminder_hours": "6", "quiet_hours": "22-7"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert client.get(api, headers=tokens["admin"]).json()["quiet_hours"] == {
        "start": 22,
        "end": 7,
    }
    assert 'value="22-7"' in client.get(page).text
    cleared = client.post(
        page,
        data={"csrf_token": csrf, "reminder_hours": "", "quiet_hours": ""},
        follow_redirects=False,
    )
    assert cleared.status_code == 303
    assert client.get(api, headers=tokens["admin"]).json()["reminder_hours"] is None
    # Another clinic's dispatcher is refused.
    sign_in_page(client, "other_dispatcher")
    assert client.get(page).status_code == 403


def test_a_change_of_settings_re_times_the_reminders_not_sent_yet(
    app: Litestar, client: TestClient[Litestar], mailable: World, tokens: Tokens, sink: Sink
) -> None:
    world = mailable
    visit = world.local["wed 10:00"]
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": visit.isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    sink.wait_for(lambda got: any("Booked" in str(m["Subject"]) for m in got))
    outbox = app.state.notifier.outbox

    def reminder() -> tuple[str, datetime]:
        (row,) = [m for m in outbox.all() if m.kind == "reminder"]
        return row.status, row.next_attempt

    assert reminder() == ("pending", visit - timedelta(hours=24))
    path = f"/clinics/{world.clinic}/reminders"
    assert client.put(path, json={"reminder_hours": 2}, headers=tokens["dispatcher"]).is_success
    wait_until(lambda: reminder() == ("pending", visit - timedelta(hours=2)))
    assert client.put(path, json={"reminder_hours": 0}, headers=tokens["dispatcher"]).is_success
    wait_until(lambda: reminder()[0] == "dropped")


def wait_until(test: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for the notifier's next tick to make `test()` true."""
    deadline = time.monotonic() + timeout
    while not test():
        assert time.monotonic() < deadline, "the notifier did not get there"
        time.sleep(0.1)
