"""The board's optimization fragment: a sick call's proposal renders, errors stop polling.

A sick call whose visits nobody else can take once crashed the fragment (the page
showed raw error JSON) and the board then fetched the failing URL every 700 ms for as
long as the tab was open. The sick call runs on a server of this module's own: it
changes the demo week for good.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from .conftest import Site, Visitor, screenshot, serving
from .pages import DEMO_ZONE, demo_monday

pytestmark = pytest.mark.slow
ERROR_BODY = '{"error": "internal_error", "detail": "failed", "request_id": "r-1"}'


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A demo server for this module alone."""
    data_dir: Path = tmp_path_factory.mktemp("sick-call-site")
    with serving(data_dir) as served:
        yield served


@pytest.fixture
def own_visitor(browser: Browser, own_site: Site) -> Iterator[Visitor]:
    """Signed-in pages on the module's own server."""
    opened = Visitor(browser, own_site)
    yield opened
    opened.close()


def _job_statuses(page: Page) -> list[int]:
    statuses: list[int] = []
    page.on(
        "response", lambda r: statuses.append(r.status) if "/app/board/jobs/" in r.url else None
    )
    return statuses


def test_a_sick_call_with_visits_nobody_can_take_shows_its_proposal(
    own_visitor: Visitor,
) -> None:
    monday = demo_monday()
    board = own_visitor.page("dispatcher")
    statuses = _job_statuses(board)
    board.goto(f"/app/board?date={monday}")
    ana = board.locator("#board-panel .lane", has_text="Ana Ruiz")
    # Pat Lee (multiple sclerosis: only Ana treats it) and Rosa Marsh (lymphatic: Carla too).
    expect(ana.locator("ol.visits li")).to_have_count(2)

    ana.get_by_role("link", name=re.compile("^Mark Ana sick")).click()
    # Off the whole week: Pat's cadence window holds no day Ana works.
    board.get_by_label("From").fill(str(datetime.now(UTC).astimezone(DEMO_ZONE).date()))
    board.get_by_label("To").fill(str(monday + timedelta(days=4)))
    board.get_by_role("button", name="Show the visits these days").click()
    board.get_by_role("button", name=re.compile("^Confirm: Ana is off sick")).click()
    expect(board.locator("#notice")).to_contain_text("Ana Ruiz is off sick")
    proposal = board.locator("#proposal")
    expect(proposal).to_be_visible(timeout=90_000)
    expect(board.locator("table.diff tr.moved", has_text="Rosa Marsh")).to_have_count(1)
    unplaced = board.locator("ul.unplaced li")
    expect(unplaced).to_have_count(1)
    expect(unplaced).to_contain_text("Pat Lee, Mon 09:30 with Ana Ruiz")
    job = board.locator("#job").inner_text()
    assert '"error"' not in job
    assert "request_id" not in job
    assert statuses
    assert set(statuses) == {200}
    assert board.get_by_role("alert").count() == 0
    screenshot(board, "board-sick-call-unplaced")
    assert board.script_errors == []  # type: ignore[attr-defined]


def test_an_error_answer_stops_the_polling_until_asked_again(visitor: Visitor) -> None:
    board = visitor.page("dispatcher")
    calls: list[str] = []

    def failing(route: Route) -> None:
        calls.append(route.request.url)
        route.fulfill(status=500, content_type="application/json", body=ERROR_BODY)

    board.route("**/app/board/jobs/**", failing)
    board.clock.install()
    board.goto(f"/app/board?date={demo_monday()}&job=a-job")
    job = board.locator("#job")
    alert = job.get_by_role("alert")
    expect(alert).to_contain_text("could not be loaded (the server answered 500)")
    expect(job).to_have_attribute("data-polling", "0")
    assert "internal_error" not in job.inner_text()
    board.clock.run_for(120_000)  # two minutes: the old script polled 170 times
    assert len(calls) == 1

    board.get_by_role("button", name="Try again").click()
    expect(job).to_have_attribute("data-requests", "2")
    expect(job).to_have_attribute("data-polling", "0")
    expect(alert).to_be_visible()
    board.clock.run_for(120_000)
    assert len(calls) == 2


def test_a_failing_network_is_retried_with_growing_waits_then_given_up(
    visitor: Visitor,
) -> None:
    board = visitor.page("dispatcher")
    calls: list[str] = []

    def unreachable(route: Route) -> None:
        calls.append(route.request.url)
        route.abort()

    board.route("**/app/board/jobs/**", unreachable)
    board.clock.install()
    board.goto(f"/app/board?date={demo_monday()}&job=a-job")
    job = board.locator("#job")
    for failures, wait_ms in ((1, 1000), (2, 2000), (3, 4000), (4, 8000)):
        expect(job).to_have_attribute("data-failures", str(failures))
        board.clock.run_for(wait_ms // 2)  # not yet: the wait doubles each time
        assert len(calls) == failures
        board.clock.run_for(wait_ms // 2)
    expect(job).to_have_attribute("data-failures", "5")
    expect(job.get_by_role("alert")).to_contain_text("the network failed 5 times")
    board.clock.run_for(600_000)
    assert len(calls) == 5
    # Back on its feet: asking again fetches the real fragment (an unknown job).
    board.unroute("**/app/board/jobs/**")
    board.get_by_role("button", name="Try again").click()
    expect(job).to_contain_text("This optimization is not known")
    expect(job).to_have_attribute("data-polling", "0")
