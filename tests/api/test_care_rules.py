"""The clinic's care rules, through HTTP: each refusal names its rule by a stable code and
writes nothing (the event log's last position is unchanged); what a dispatcher may set
aside is recorded on the event with the reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .conftest import Tokens
from .world import NOW, Clock, World

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def store(settings: Settings, app: Litestar) -> Iterator[Scheduling]:
    """The test's own store, read beside the API (to see the log's end, and to set up
    records the API has no route for yet)."""
    scheduling = Scheduling(settings.store_env(create_table=False))
    yield scheduling
    scheduling.close()


def last_position(store: Scheduling) -> int:
    return store.recorder.max_notification_id() or 0


def refused(response: Any, status: int, code: str, store: Scheduling, before: int) -> str:
    """Assert the refusal and that nothing was written; returns its detail."""
    assert response.status_code == status, response.text
    assert response.json()["error"] == code, response.text
    assert last_position(store) == before, "a refused command wrote events"
    detail: str = response.json()["detail"]
    return detail


def book(
    client: TestClient[Litestar],
    headers: dict[str, str],
    plan: object,
    therapist: object,
    start: str,
    **extra: Any,
) -> Any:
    return client.post(
        f"/plans/{plan}/sessions",
        json={"therapist_id": str(therapist), "start": start, **extra},
        headers=headers,
    )


def test_nobody_books_or_moves_into_the_past_but_the_desk_may_back_fill(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling, clock: Clock
) -> None:
    monday_10 = world.local["mon 10:00"]
    clock.current = monday_10 + timedelta(hours=3)  # Monday 13:00 at the clinic
    before = last_position(store)
    response = book(client, tokens["pat"], world.pat_plan, world.ana, monday_10.isoformat())
    detail = refused(response, 422, "in_the_past", store, before)
    assert "Mon 5 Oct 10:00" in detail  # the clinic's wall clock, not UTC

    # A patient may not set the rule aside; the front desk may, with a reason.
    with_override = {"overrides": {"in_the_past": "came in without a booking"}}
    response = book(
        client, tokens["pat"], world.pat_plan, world.ana, monday_10.isoformat(), **with_override
    )
    refused(response, 403, "forbidden", store, before)
    response = book(
        client,
        tokens["dispatcher"],
        world.pat_plan,
        world.ana,
        monday_10.isoformat(),
        **with_override,
    )
    assert response.status_code == 201, response.text
    session = response.json()["id"]
    booked = client.get(f"/sessions/{session}/history", headers=tokens["dispatcher"]).json()[0]
    assert booked["data"]["overrides"] == {"in_the_past": "came in without a booking"}

    # Moving a later session into the past is refused too.
    later = book(
        client, tokens["pat"], world.quinn_plan, world.ana, world.local["wed 10:00"].isoformat()
    )
    assert later.status_code == 403  # Quinn's plan is not Pat's
    later = book(
        client, tokens["quinn"], world.quinn_plan, world.ana, world.local["wed 10:00"].isoformat()
    )
    assert later.status_code == 201, later.text
    before = last_position(store)
    moved = client.post(
        f"/sessions/{later.json()['id']}/move",
        json={"start": (monday_10 + timedelta(hours=1)).isoformat()},
        headers=tokens["quinn"],
    )
    refused(moved, 422, "in_the_past", store, before)


def test_cancelling_after_the_start_is_refused_and_completing_needs_the_start(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling, clock: Clock
) -> None:
    response = book(
        client, tokens["pat"], world.pat_plan, world.ana, world.local["mon 10:00"].isoformat()
    )
    session = response.json()["id"]
    before = last_position(store)
    note = {"note": "calves looser", "pain_before": 6, "pain_after": 3}
    early = client.post(f"/sessions/{session}/complete", json=note, headers=tokens["ana"])
    refused(early, 422, "too_early", store, before)

    clock.current = world.local["mon 10:00"] + timedelta(minutes=5)
    tokens.clear()  # signed in again on the new day
    late = client.post(f"/sessions/{session}/cancel", json={}, headers=tokens["pat"])
    detail = refused(late, 422, "session_started", store, before)
    assert "no-show" in detail
    done = client.post(f"/sessions/{session}/complete", json=note, headers=tokens["ana"])
    assert done.status_code == 200, done.text


def test_a_progress_note_is_required_and_corrections_are_amendments(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling, clock: Clock
) -> None:
    response = book(
        client, tokens["pat"], world.pat_plan, world.ana, world.local["mon 10:00"].isoformat()
    )
    session = response.json()["id"]
    clock.current = world.local["mon 10:00"] + timedelta(hours=1)
    before = last_position(store)
    empty = {"note": "   ", "pain_before": 6, "pain_after": 3}
    refused(
        client.post(f"/sessions/{session}/complete", json=empty, headers=tokens["ana"]),
        422,
        "note_required",
        store,
        before,
    )
    note = {"note": "calves looser", "pain_before": 6, "pain_after": 3}
    assert (
        client.post(f"/sessions/{session}/complete", json=note, headers=tokens["ana"]).status_code
        == 200
    )
    amended = client.post(
        f"/sessions/{session}/note",
        json={
            "note": "calves and hamstrings looser",
            "pain_before": 6,
            "pain_after": 2,
            "reason": "hamstrings left out",
        },
        headers=tokens["ana"],
    )
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert body["progress_note"]["note"] == "calves looser"  # the original stays
    assert body["amendments"][0]["note"] == "calves and hamstrings looser"
    events = client.get(f"/sessions/{session}/history", headers=tokens["ana"]).json()
    assert [e["event"] for e in events][-2:] == ["Completed", "NoteAmended"]
    assert events[-1]["reason"] == "hamstrings left out"
    # Only the session's therapist writes the chart.
    other = client.post(
        f"/sessions/{session}/note",
        json={**note, "reason": "x"},
        headers=tokens["ben"],
    )
    assert other.status_code == 403


def test_consecutive_sessions_keep_the_cadence_unless_the_desk_overrides_it(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    first = book(
        client, tokens["pat"], world.pat_plan, world.ana, world.local["mon 10:00"].isoformat()
    )
    assert first.status_code == 201
    tuesday = world.local["mon 10:00"] + timedelta(days=1)
    before = last_position(store)
    detail = refused(
        book(client, tokens["pat"], world.pat_plan, world.ana, tuesday.isoformat()),
        422,
        "cadence",
        store,
        before,
    )
    assert "2-9 days" in detail
    # Moving the first session next to a second one breaks it as well.
    wednesday = book(
        client, tokens["pat"], world.pat_plan, world.ana, world.local["wed 10:00"].isoformat()
    )
    assert wednesday.status_code == 201, wednesday.text
    before = last_position(store)
    refused(
        client.post(
            f"/sessions/{first.json()['id']}/move",
            json={"start": tuesday.isoformat()},
            headers=tokens["pat"],
        ),
        422,
        "cadence",
        store,
        before,
    )
    override = {"overrides": {"cadence": "flare-up, seen two days running"}}
    desk = book(
        client,
        tokens["dispatcher"],
        world.quinn_plan,
        world.ana,
        (tuesday + timedelta(hours=4)).isoformat(),
    )
    assert desk.status_code == 201
    again = book(
        client,
        tokens["dispatcher"],
        world.quinn_plan,
        world.ana,
        (world.local["wed 10:00"] + timedelta(hours=4)).isoformat(),
        **override,
    )
    assert again.status_code == 201, again.text
    history = client.get(
        f"/sessions/{again.json()['id']}/history", headers=tokens["dispatcher"]
    ).json()
    assert history[0]["data"]["overrides"] == {"cadence": "flare-up, seen two days running"}


def test_authorized_sessions_count_across_the_prescriptions_plans(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    rx = store.record_prescription(
        world.quinn,
        condition="multiple sclerosis",
        authorized_sessions=2,
        expires_on=date(2026, 12, 31),
        actor="seed",
        now=NOW,
    )
    plans = [
        store.create_plan(
            patient_id=world.quinn,
            prescription_id=rx,
            specialization="ms",
            sessions=2,
            session_minutes=60,
            min_days=0,
            max_days=30,
            setting="home",
            actor="seed",
            now=NOW,
        )
        for _ in range(2)
    ]
    times = [world.local["mon 10:00"], world.local["mon 14:00"], world.local["wed 10:00"]]
    first = book(client, tokens["quinn"], plans[0], world.ana, times[0].isoformat())
    second = book(client, tokens["quinn"], plans[1], world.ana, times[1].isoformat())
    assert (first.status_code, second.status_code) == (201, 201), second.text
    before = last_position(store)
    refused(
        book(client, tokens["quinn"], plans[0], world.ana, times[2].isoformat()),
        422,
        "authorization_exhausted",
        store,
        before,
    )
    # With two left after the first booking, the front desk was told to renew.
    due = client.get(
        f"/clinics/{world.clinic}/reauthorizations", headers=tokens["dispatcher"]
    ).json()
    assert [(d["prescription_id"], d["sessions_left"]) for d in due] == [(str(rx), 0)]
    events = [
        e["event"]
        for e in client.get(f"/plans/{plans[0]}/history", headers=tokens["dispatcher"]).json()
    ]
    assert "SessionHeld" in events
    assert [e.event for e in store.history(rx)].count("ReauthorizationDue") == 1
    # A cancellation gives the authorization back.
    cancelled = client.post(
        f"/sessions/{first.json()['id']}/cancel", json={}, headers=tokens["quinn"]
    )
    assert cancelled.status_code == 200
    assert (
        book(client, tokens["quinn"], plans[0], world.ana, times[2].isoformat()).status_code == 201
    )


def test_a_new_contraindication_flags_booked_sessions_and_holds_the_waitlist(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    session = book(
        client, tokens["pat"], world.pat_plan, world.ana, world.local["mon 10:00"].isoformat()
    ).json()["id"]
    store.record_evaluation(
        world.pat,
        condition="multiple sclerosis",
        pain_level=7,
        contraindications=["fever"],
        actor="therapist:ana",
        now=NOW + timedelta(hours=1),
    )
    seen = client.get(f"/sessions/{session}", headers=tokens["pat"]).json()
    assert seen["flags"] == ["fever"]
    assert client.get(f"/plans/{world.pat_plan}", headers=tokens["pat"]).json()["flagged"] == [
        session
    ]
    board = client.get(
        f"/clinics/{world.clinic}/board",
        params={"date": "2026-10-05"},
        headers=tokens["dispatcher"],
    ).json()
    (visit,) = [v for r in board["routes"] for v in r["visits"]]
    assert visit["flags"] == ["fever"]
    week = client.get("/me/week", params={"start": "2026-10-05"}, headers=tokens["ana"]).json()
    assert [v["flags"] for d in week["days"] for v in d["visits"]] == [["fever"]]
    history = client.get(f"/sessions/{session}/history", headers=tokens["pat"]).json()
    assert history[-1]["event"] == "ContraindicationFlagged"

    before = last_position(store)
    window = {
        "earliest": world.local["wed 10:00"].isoformat(),
        "latest": (world.local["wed 10:00"] + timedelta(days=3)).isoformat(),
    }
    refused(
        client.post(f"/me/plans/{world.pat_plan}/waitlist", json=window, headers=tokens["pat"]),
        422,
        "contraindication_unresolved",
        store,
        before,
    )
    # An evaluation that clears the patient resolves the flag.
    store.record_evaluation(
        world.pat,
        condition="multiple sclerosis",
        pain_level=5,
        contraindications=[],
        actor="therapist:ana",
        now=NOW + timedelta(hours=2),
    )
    assert client.get(f"/sessions/{session}", headers=tokens["pat"]).json()["flags"] == []
    joined = client.post(f"/me/plans/{world.pat_plan}/waitlist", json=window, headers=tokens["pat"])
    assert joined.status_code == 201, joined.text


def test_a_therapist_of_another_clinic_is_refused_by_the_domain(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    stranger = store.register_therapist(
        clinic_id=world.other_clinic,
        name="Lee Lake",
        specializations=["ms"],
        mobile=True,
        home=(41.9, -87.6),
        shifts={"mon": [540, 1020]},
        actor="seed",
        now=NOW,
    )
    before = last_position(store)
    refused(
        book(
            client,
            tokens["dispatcher"],
            world.pat_plan,
            stranger,
            world.local["mon 10:00"].isoformat(),
        ),
        422,
        "therapist_of_another_clinic",
        store,
        before,
    )


def test_errors_name_no_other_person_and_speak_the_clinics_time(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    taken = book(
        client, tokens["quinn"], world.quinn_plan, world.ana, world.local["mon 10:00"].isoformat()
    )
    assert taken.status_code == 201
    before = last_position(store)
    detail = refused(
        book(
            client, tokens["pat"], world.pat_plan, world.ana, world.local["mon 10:00"].isoformat()
        ),
        409,
        "therapist_busy",
        store,
        before,
    )
    assert UUID_TEXT.search(detail) is None, detail  # not Quinn's session, nor Ana's id
    assert "Quinn" not in detail
    assert "10:00" in detail
    assert "America/Chicago" in detail
    assert UUID(taken.json()["id"])
