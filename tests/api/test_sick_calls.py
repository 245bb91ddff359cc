"""A sick call through HTTP: asked (nothing recorded), confirmed (the visits are displaced
at once: off the therapist's week and feed, on the board's and the patient's lists),
re-planned over the visits' cadence windows, applied per item or whole (whatever has no
new time is postponed: options and first place on the waitlist), and undone.
Refusals are 4xx and write nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from icalendar import Calendar
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.domain import Scheduling
from scheduler.settings import Settings

from .conftest import Tokens
from .test_dispatch import _add_cleo, ana_visits, book, wait_for_job
from .world import MONDAY, World

pytestmark = pytest.mark.slow

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def store(settings: Settings, app: Litestar) -> Iterator[Scheduling]:
    """The test's own store beside the API (to see the log's end)."""
    scheduling = Scheduling(settings.store_env(create_table=False))
    yield scheduling
    scheduling.close()


def last_position(store: Scheduling) -> int:
    return store.recorder.max_notification_id() or 0


def sick(
    client: TestClient[Litestar], headers: dict[str, str], therapist: UUID, **body: Any
) -> Any:
    return client.post(
        f"/therapists/{therapist}/sick", json={"time_limit_s": 1.0, **body}, headers=headers
    )


def ana_week(client: TestClient[Litestar], tokens: Tokens) -> list[str]:
    week = client.get("/me/week", params={"start": str(MONDAY)}, headers=tokens["ana"])
    assert week.status_code == 200, week.text
    return [v["session_id"] for day in week.json()["days"] for v in day["visits"]]


def test_asking_what_a_sick_call_would_displace_records_nothing(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    desk = tokens["dispatcher"]
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    before = last_position(store)
    asked = client.get(
        f"/therapists/{world.ana}/sick-preview",
        params={"from": str(MONDAY), "to": str(TUESDAY)},
        headers=desk,
    )
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert body["dates"] == [str(MONDAY), str(TUESDAY)]
    assert [(d["session_id"], d["patient_name"]) for d in body["displaced"]] == [
        (pats, "Pat Patel")
    ]
    assert body["displaced"][0]["start_local"].startswith(f"{MONDAY}T10:00")
    assert last_position(store) == before
    assert client.get(f"/sessions/{pats}", headers=desk).json()["status"] == "booked"


def test_a_confirmed_sick_call_displaces_the_days_visits_at_once(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    desk = tokens["dispatcher"]
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    quinns = book(
        client,
        desk,
        world.quinn_plan,
        world.ana,
        world.local["mon 14:00"] + timedelta(days=1),
    )
    feed = client.post("/me/calendar-token", headers=tokens["ana"]).json()["url"]
    assert set(ana_week(client, tokens)) == {pats, quinns}

    call = sick(client, desk, world.ana, **{"from": str(MONDAY), "to": str(MONDAY)}, reason="flu")
    assert call.status_code == 202, call.text
    assert int(call.headers["X-Position"]) == last_position(store)
    body = call.json()
    assert [d["session_id"] for d in body["displaced"]] == [pats]
    assert body["job"]["purpose"] == "replan"

    session = client.get(f"/sessions/{pats}", headers=desk).json()
    assert session["status"] == "displaced"
    assert ana_visits(client, world, tokens, MONDAY) == []
    assert ana_week(client, tokens) == [quinns]  # Tuesday's visit stays
    client.cookies.clear()
    ics = Calendar.from_ical(client.get("/calendar/" + feed.split("/calendar/", 1)[1]).content)
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in ics.walk("VEVENT")}
    assert statuses[f"{pats}@scheduler"] == "CANCELLED"
    assert statuses[f"{quinns}@scheduler"] == "CONFIRMED"
    waiting = client.get(f"/clinics/{world.clinic}/displaced", headers=desk).json()
    assert [(w["session_id"], w["patient_name"], w["postponed"]) for w in waiting] == [
        (pats, "Pat Patel", False)
    ]
    history = client.get(f"/sessions/{pats}/history", headers=desk).json()
    assert [e["event"] for e in history][-1] == "Displaced"
    assert history[-1]["actor"].startswith("dispatcher")
    plan_history = client.get(f"/plans/{world.pat_plan}/history", headers=desk).json()
    assert "SessionDisplaced" in [e["event"] for e in plan_history]


def test_refusals_write_nothing(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    desk = tokens["dispatcher"]
    book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    before = last_position(store)
    for who, body, status in (
        ("dispatcher", {"from": str(TUESDAY), "to": str(MONDAY)}, 422),  # reversed
        ("dispatcher", {"from": "2026-09-01", "to": "2026-09-02"}, 422),  # in the past
        ("dispatcher", {"from": str(MONDAY), "to": str(MONDAY + timedelta(days=40))}, 422),
        ("dispatcher", {"dates": [str(MONDAY)], "from": str(MONDAY), "to": str(MONDAY)}, 422),
        ("dispatcher", {}, 422),  # no days
        ("dispatcher", {"from": "monday", "to": str(MONDAY)}, 400),
        ("other_dispatcher", {"from": str(MONDAY), "to": str(MONDAY)}, 403),
        ("ben", {"from": str(MONDAY), "to": str(MONDAY)}, 403),  # only themself
        ("pat", {"from": str(MONDAY), "to": str(MONDAY)}, 403),
    ):
        response = sick(client, tokens[who], world.ana, **body)
        assert response.status_code == status, (who, body, response.text)
        assert last_position(store) == before, (who, body)
    unknown = sick(client, desk, UUID(int=7), **{"from": str(MONDAY), "to": str(MONDAY)})
    assert unknown.status_code == 404
    asked = client.get(
        f"/therapists/{world.ana}/sick-preview",
        params={"from": str(MONDAY), "to": str(MONDAY)},
        headers=tokens["other_dispatcher"],
    )
    assert asked.status_code == 403
    assert client.post(f"/sick-calls/{UUID(int=9)}/undo", json={}, headers=desk).status_code == 404
    assert last_position(store) == before


def test_the_replan_places_a_displaced_visit_and_the_patient_sees_the_new_time(
    settings: Settings, client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    cleo = _add_cleo(settings, world)
    desk = tokens["dispatcher"]
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    quinns = book(client, desk, world.quinn_plan, cleo, world.local["mon 14:00"])

    call = sick(client, desk, world.ana, dates=[str(MONDAY)], reason="flu")
    assert call.status_code == 202, call.text
    proposal = wait_for_job(client, desk, call.json()["job"])
    preview = client.get(f"/proposals/{proposal}", headers=desk).json()
    assert preview["from"] <= str(MONDAY) < preview["to"]  # the cadence window, not one day
    assert [i["session_id"] for i in preview["unchanged"]] == [quinns]
    (moved,) = preview["moved"]
    assert moved["session_id"] == pats
    assert moved["key"] == pats
    assert "off at that time" in moved["why"]
    # Not on Ana's sick day, and on the clinic's 15-minute grid.
    assert not (
        moved["to"]["therapist_id"] == str(world.ana)
        and moved["to"]["start_local"].startswith(str(MONDAY))
    )
    assert int(moved["to"]["start_local"][14:16]) % 15 == 0
    assert preview["added"] == []

    outcome = client.post(f"/proposals/{proposal}/apply", headers=desk)
    assert outcome.status_code == 200, outcome.text
    assert "X-Position" in outcome.headers
    assert [a["session_id"] for a in outcome.json()["applied"]] == [pats], outcome.text
    assert outcome.json()["postponed"] == []
    session = client.get(f"/sessions/{pats}", headers=tokens["pat"]).json()
    assert session["status"] == "booked"
    assert session["start"] == moved["to"]["start"]
    assert client.get(f"/clinics/{world.clinic}/displaced", headers=desk).json() == []


def test_what_the_replan_cannot_place_is_postponed_with_options_and_the_waitlist(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    desk = tokens["dispatcher"]
    # Pat can be seen only on Monday mornings; Ana (the only mobile MS therapist) is off
    # every Monday of the re-plan's window.
    availability = {"availability": {"mon": [[600, 660]]}}
    changed = client.put(f"/patients/{world.pat}/availability", json=availability, headers=desk)
    assert changed.status_code == 200, changed.text
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    last = MONDAY + timedelta(days=21)
    call = sick(client, desk, world.ana, **{"from": str(MONDAY), "to": str(last)})
    assert call.status_code == 202, call.text
    proposal = wait_for_job(client, desk, call.json()["job"])
    preview = client.get(f"/proposals/{proposal}", headers=desk).json()
    (unplaced,) = preview["unplaced"]
    assert unplaced["session_id"] == pats
    assert preview["moved"] == []

    outcome = client.post(f"/proposals/{proposal}/apply", headers=desk)
    assert outcome.status_code == 200, outcome.text
    assert outcome.json()["postponed"] == [pats]
    session = client.get(f"/sessions/{pats}", headers=tokens["pat"]).json()
    assert session["status"] == "displaced"
    (waiting,) = client.get(f"/clinics/{world.clinic}/displaced", headers=desk).json()
    assert (waiting["session_id"], waiting["postponed"]) == (pats, True)
    plan_history = client.get(f"/plans/{world.pat_plan}/history", headers=desk).json()
    assert "SessionPostponed" in [e["event"] for e in plan_history]
    entries = client.get(f"/clinics/{world.clinic}/waitlist", headers=desk)
    assert entries.status_code == 200, entries.text
    (entry,) = [e for e in entries.json()["entries"] if e["plan_id"] == str(world.pat_plan)]
    assert entry["first"] is True
    assert entry["session_id"] == pats


def test_apply_only_some_items_and_an_unknown_key_applies_nothing(
    settings: Settings,
    client: TestClient[Litestar],
    world: World,
    tokens: Tokens,
    store: Scheduling,
) -> None:
    cleo = _add_cleo(settings, world)
    desk = tokens["dispatcher"]
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    book(client, desk, world.quinn_plan, cleo, world.local["mon 14:00"])
    call = sick(client, desk, world.ana, dates=[str(MONDAY)])
    proposal = wait_for_job(client, desk, call.json()["job"])
    before = last_position(store)
    wrong = client.post(f"/proposals/{proposal}/apply", json={"only": ["nope"]}, headers=desk)
    assert wrong.status_code == 422, wrong.text
    assert last_position(store) == before
    # Leaving the displaced visit's move out: nothing moves, and it is postponed.
    outcome = client.post(f"/proposals/{proposal}/apply", json={"only": []}, headers=desk)
    assert outcome.status_code == 200, outcome.text
    assert outcome.json()["applied"] == []
    assert [s["session_id"] for s in outcome.json()["skipped"]] == [pats]
    assert outcome.json()["postponed"] == [pats]


def test_undo_puts_the_waiting_visits_back_and_frees_the_days(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    desk = tokens["dispatcher"]
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    call = sick(client, desk, world.ana, dates=[str(MONDAY)]).json()
    assert ana_visits(client, world, tokens, MONDAY) == []

    undo = client.post(
        f"/sick-calls/{call['sick_call_id']}/undo", json={"reason": "fit"}, headers=desk
    )
    assert undo.status_code == 200, undo.text
    assert int(undo.headers["X-Position"]) == last_position(store)
    assert undo.json() == {"sick_call_id": call["sick_call_id"], "restored": [pats], "waiting": []}
    session = client.get(f"/sessions/{pats}", headers=desk).json()
    assert (session["status"], session["therapist_id"]) == ("booked", str(world.ana))
    assert datetime.fromisoformat(session["start"]) == world.local["mon 10:00"]
    assert [v["session_id"] for v in ana_visits(client, world, tokens, MONDAY)] == [pats]
    board = client.get(
        f"/clinics/{world.clinic}/board", params={"date": str(MONDAY)}, headers=desk
    ).json()
    ana = next(r for r in board["routes"] if r["therapist_id"] == str(world.ana))
    assert ana["unavailable"] == []
    assert client.get(f"/clinics/{world.clinic}/displaced", headers=desk).json() == []
    # The days are free again: Quinn can be booked with Ana on Monday.
    book(client, desk, world.quinn_plan, world.ana, world.local["mon 14:00"])

    before = last_position(store)
    again = client.post(f"/sick-calls/{call['sick_call_id']}/undo", json={}, headers=desk)
    assert again.status_code == 409, again.text
    assert last_position(store) == before
    other = client.post(
        f"/sick-calls/{call['sick_call_id']}/undo", json={}, headers=tokens["other_dispatcher"]
    )
    assert other.status_code == 403


def test_undo_leaves_waiting_a_visit_whose_time_was_taken(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    desk = tokens["dispatcher"]
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    call = sick(client, desk, world.ana, dates=[str(MONDAY)]).json()
    # Meanwhile Pat takes a time from the options: the displaced visit moves there.
    options = client.get(f"/me/plans/{world.pat_plan}/options", headers=tokens["pat"])
    assert options.status_code == 200, options.text
    choice = options.json()["options"][0]
    assert not choice["start_local"].startswith(str(MONDAY))  # not on Ana's sick day
    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": choice["therapist_id"], "start": choice["start"]},
        headers=tokens["pat"],
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["id"] == pats  # the displaced session got its new time
    undo = client.post(f"/sick-calls/{call['sick_call_id']}/undo", json={}, headers=desk)
    assert (undo.json()["restored"], undo.json()["waiting"]) == ([], [])
    assert client.get(f"/sessions/{pats}", headers=desk).json()["start"] == choice["start"]


def test_a_postponed_visit_widens_the_plans_cadence_on_the_options_and_the_booking(
    client: TestClient[Litestar], world: World, tokens: Tokens, store: Scheduling
) -> None:
    desk, pat = tokens["dispatcher"], tokens["pat"]
    # Pat's plan (2-9 days): Monday and Wednesday with Ana; Ana is off sick on Wednesday
    # and the desk applies none of the re-plan, so Wednesday's visit is postponed.
    book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    wednesday = book(client, desk, world.pat_plan, world.ana, world.local["wed 10:00"])
    call = sick(client, desk, world.ana, dates=[str(MONDAY + timedelta(days=2))])
    assert call.status_code == 202, call.text
    proposal = wait_for_job(client, desk, call.json()["job"])
    outcome = client.post(f"/proposals/{proposal}/apply", json={"only": []}, headers=desk)
    assert outcome.json()["postponed"] == [wednesday], outcome.text

    # One postponed session between: up to 2 x 9 days after Monday (the engine's v1.1
    # rule), where the strict cadence stopped at 9.
    widened = MONDAY + timedelta(days=18)
    options = client.get(f"/me/plans/{world.pat_plan}/options", headers=pat)
    assert options.status_code == 200, options.text
    days = [date.fromisoformat(d["day"]) for d in options.json()["days"]]
    assert max(days) == widened
    assert MONDAY + timedelta(days=15) in days
    fifteen = str(MONDAY + timedelta(days=15))
    later = client.get(
        f"/me/plans/{world.pat_plan}/options",
        params={"first_day": fifteen, "last_day": fifteen},
        headers=pat,
    ).json()
    choice = later["options"][0]
    assert "postponed" in " ".join(choice["reasons"]), choice

    before = last_position(store)
    beyond = world.local["mon 10:00"] + timedelta(days=21)
    refused = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": beyond.isoformat()},
        headers=pat,
    )
    assert refused.status_code == 422, refused.text
    assert "across 1 postponed" in refused.text
    assert last_position(store) == before
    assert client.get(f"/sessions/{wednesday}", headers=desk).json()["status"] == "displaced"

    booked = client.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": choice["therapist_id"], "start": choice["start"]},
        headers=pat,
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["id"] == wednesday  # the postponed visit got its new time
    session = client.get(f"/sessions/{wednesday}", headers=pat).json()
    assert (session["status"], session["start"]) == ("booked", choice["start"])
