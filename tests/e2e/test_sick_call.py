"""A sick call in the browser, end to end: the dispatcher asks what it would displace,
confirms, reads the re-plan's proposal with names, applies it; the moved patient's page
shows the new time, the unplaced patient's page their options; the therapist's week no
longer shows the day's visits; and a sick call can be undone from the board.

Ana Ruiz is off from today to Thursday of the demo week: Pat Lee (MS, which only Ana
treats) cannot be re-homed within his cadence and is postponed; Rosa Marsh (lymphatic,
Carla too) is moved. The module runs its own server: the calls change the demo week.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from .conftest import Site, Visitor, screenshot, serving, sign_in
from .pages import DEMO_ZONE, demo_monday

pytestmark = pytest.mark.slow
ROSA = {"email": "rosa@demo.example", "password": "rosa's long password"}


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A demo server for this module alone, with a sign-in for Rosa Marsh too."""
    data_dir: Path = tmp_path_factory.mktemp("sick-call-journey")
    with serving(data_dir) as served:
        with httpx.Client(base_url=served.base) as api:
            login = api.post("/auth/login", json=served.logins["admin"])
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            clinic = api.get("/clinics").json()[0]["id"]
            found = api.get(f"/clinics/{clinic}/patients", params={"q": "Rosa"}, headers=headers)
            rosa = found.json()[0]["id"]
            opened = api.post(
                "/accounts",
                json={**ROSA, "role": "patient", "patient_id": rosa, "clinic_id": clinic},
                headers=headers,
            )
            assert opened.status_code == 201, opened.text
        yield served


@pytest.fixture
def own_visitor(browser: Browser, own_site: Site) -> Iterator[Visitor]:
    """Signed-in pages on the module's own server."""
    opened = Visitor(browser, own_site)
    yield opened
    opened.close()


def test_a_sick_call_re_homes_who_it_can_and_offers_the_rest_options(
    own_visitor: Visitor,
) -> None:
    monday = demo_monday()
    thursday = monday + timedelta(days=3)
    today = datetime.now(UTC).astimezone(DEMO_ZONE).date()
    therapist = own_visitor.page("therapist")  # Ana Ruiz
    therapist.goto(f"/app/week?start={monday}")
    week_before = therapist.locator("a.event[data-session]").evaluate_all(
        "links => links.map(link => link.dataset.session)"
    )

    # 1. A sick call with visits on the day: the board's button asks first.
    board = own_visitor.page("dispatcher")
    board.goto(f"/app/board?date={monday}")
    ana = board.locator("#board-panel .lane", has_text="Ana Ruiz")
    expect(ana.locator("ol.visits li")).to_have_count(2)
    monday_visits = ana.locator("ol.visits li").evaluate_all(
        "items => items.map(item => item.dataset.session)"
    )
    assert set(monday_visits) <= set(week_before)
    ana.get_by_role("link", name=re.compile("^Mark Ana sick")).click()
    board.get_by_label("From").fill(str(today))
    board.get_by_label("To").fill(str(thursday))
    board.get_by_role("button", name="Show the visits these days").click()
    impact = board.get_by_test_id("would-displace")
    expect(impact).to_contain_text("Pat Lee")
    expect(impact).to_contain_text("Rosa Marsh")
    screenshot(board, "sick-call-confirm")

    # 2. Confirm: the visits are displaced at once, the board lists them.
    board.get_by_role("button", name=re.compile("^Confirm: Ana is off sick")).click()
    expect(board.locator("#notice")).to_contain_text("Ana Ruiz is off sick")
    waiting = board.get_by_test_id("needs-new-time")
    expect(waiting).to_contain_text("Pat Lee")
    expect(waiting).to_contain_text("Rosa Marsh")
    expect(
        board.locator("#board-panel .lane", has_text="Ana Ruiz").locator("ol.visits li")
    ).to_have_count(0)

    # 3. The proposal, with names: Rosa moved (and why), Pat unplaced.
    proposal = board.locator("#proposal")
    expect(proposal).to_be_visible(timeout=90_000)
    rosa_row = board.locator("table.diff tr.moved", has_text="Rosa Marsh")
    expect(rosa_row).to_have_count(1)
    expect(rosa_row.locator("td.why")).to_contain_text("Ana Ruiz is off")
    new_day = rosa_row.get_attribute("data-day")
    new_time = rosa_row.get_attribute("data-time")
    assert new_time is not None
    assert int(new_time[-2:]) % 15 == 0  # on the clinic's slot grid
    expect(board.locator("ul.unplaced li", has_text="Pat Lee")).to_have_count(1)
    screenshot(board, "sick-call-proposal")

    # 4. Apply: Rosa moves, Pat is postponed (options, first on the waitlist).
    board.get_by_role("button", name="Apply the proposal").click()
    expect(board.locator("#notice")).to_contain_text("Applied 1 change(s)")
    expect(board.locator("#notice")).to_contain_text("1 displaced visit(s) postponed")
    waiting = board.get_by_test_id("needs-new-time")
    expect(waiting).not_to_contain_text("Rosa Marsh")
    expect(waiting.locator("li", has_text="Pat Lee").locator("[data-postponed]")).to_have_count(1)

    # 5. The moved patient's page shows the new time; the unplaced patient's, options.
    rosa = own_visitor.page(None)
    sign_in(rosa, ROSA)
    rosa.goto("/app/patient")
    moved = rosa.locator(f"ul.sessions li[data-day='{new_day}']")
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text(new_time)
    pat = own_visitor.page("patient")  # Pat Lee
    pat.goto("/app/patient")
    expect(pat.get_by_test_id("needs-new-time")).to_contain_text("needs a new time")
    pat.get_by_role("link", name="Choose a time for your next session").click()
    options = pat.locator("form.options input[name='option']")
    expect(options.first).to_be_visible()
    assert options.count() > 0, "the postponed patient is offered times to choose from"
    screenshot(pat, "sick-call-patient-options")

    # 6. Ana's week no longer shows the sick days' visits.
    therapist.goto(f"/app/week?start={monday}")
    week_after = therapist.locator("a.event[data-session]").evaluate_all(
        "links => links.map(link => link.dataset.session)"
    )
    assert not set(monday_visits) & set(week_after)
    assert board.script_errors == []  # type: ignore[attr-defined]


def test_a_sick_call_is_undone_from_the_board(own_visitor: Visitor) -> None:
    friday = demo_monday() + timedelta(days=4)
    board = own_visitor.page("dispatcher")
    board.goto(f"/app/board?date={friday}")
    ben = board.locator("#board-panel .lane", has_text="Ben Okafor")
    before = ben.locator("ol.visits li").count()
    assert before > 0, "the demo books Sam Ito with Ben on Friday"
    ben.get_by_role("link", name=re.compile("^Mark Ben sick")).click()
    board.get_by_role("button", name=re.compile("^Confirm: Ben is off sick")).click()
    expect(
        board.locator("#board-panel .lane", has_text="Ben Okafor").locator("ol.visits li")
    ).to_have_count(0)
    board.get_by_role("button", name="Undo this sick call").click()
    expect(board.locator("#notice")).to_contain_text(f"Sick call undone: {before} visit(s) back")
    ben = board.locator("#board-panel .lane", has_text="Ben Okafor")
    expect(ben.locator("ol.visits li")).to_have_count(before)
    expect(ben).not_to_contain_text("Off: sick")
