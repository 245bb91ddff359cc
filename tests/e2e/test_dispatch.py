"""The dispatcher optimizes a day, previews the proposal as a diff, applies it; pins; history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, Visitor, screenshot
from .pages import board_visits, demo_monday

pytestmark = pytest.mark.slow

DASH = "\u2013"  # between a visit's start and end on the board


def test_optimize_preview_and_apply_a_week(visitor: Visitor) -> None:
    monday = demo_monday()
    board = visitor.page("dispatcher")
    board.goto(f"/app/board?date={monday}")
    waiting = board.locator(".demand li").count()
    assert waiting > 0, "the demo leaves plans with nothing booked ahead"

    board.get_by_label("Optimize").select_option("7")
    board.get_by_role("button", name="Optimize", exact=True).click()
    expect(board).to_have_url(re.compile(r"job="))
    proposal = board.locator("#proposal")
    expect(proposal).to_be_visible(timeout=90_000)
    added = int(board.get_by_test_id("added-count").inner_text())
    moved = int(board.get_by_test_id("moved-count").inner_text())
    stale = int(board.get_by_test_id("stale-count").inner_text())
    assert moved == 0, "booked visits stay where they are on an optimize"
    rows = board.locator("table.diff tr.added")
    assert rows.count() == added > 0
    expect(proposal).to_contain_text("km")
    proposed = [
        (
            row.get_attribute("data-day"),
            row.get_attribute("data-time"),
            row.get_attribute("data-patient"),
        )
        for row in rows.all()
    ]
    screenshot(board, "board-proposal")
    board.set_viewport_size(PHONE)
    screenshot(board, "board-proposal")
    board.set_viewport_size(DESKTOP)

    board.get_by_role("button", name="Apply the proposal").click()
    expect(board.locator("#notice")).to_contain_text(f"Applied {added} change(s)")
    # Items the preview showed as out of date are refused as conflicts, nothing else.
    expect(board.locator("#notice")).to_contain_text(f"{stale} conflict(s)")
    # Each added visit is now on its day's board, at the proposed time.
    for day, time, patient in proposed:
        board.goto(f"/app/board?date={day}")
        visit = board.locator("ol.visits li", has_text=str(patient)).filter(
            has_text=f"{time}{DASH}"
        )
        expect(visit).to_have_count(1)

    # Pinning a visit is recorded in its history, by the dispatcher.
    day, time, patient = proposed[0]
    board.goto(f"/app/board?date={day}")
    visit = board.locator("ol.visits li", has_text=str(patient)).filter(has_text=f"{time}{DASH}")
    visit.get_by_role("button", name=re.compile("^Pin")).click()
    expect(board.locator("#notice")).to_contain_text("Visit pinned")
    pinned = board.locator("ol.visits li", has_text=str(patient)).filter(has_text=f"{time}{DASH}")
    expect(pinned.locator("[data-pinned]")).to_have_text("Pinned")
    expect(pinned.get_by_role("button", name=re.compile("^Unpin"))).to_have_count(1)
    board.locator("ol.visits li", has_text=str(patient)).filter(
        has_text=f"{time}{DASH}"
    ).get_by_role("link").click()
    expect(board.locator("ol.history")).to_contain_text("Pinned")
    expect(board.locator("ol.history")).to_contain_text("dispatcher:")


def test_the_board_as_it_was_before_a_change(visitor: Visitor) -> None:
    monday = demo_monday()
    board = visitor.page("dispatcher")
    # The demo moved Quinn's Monday noon visit to Tuesday: the Monday board before the
    # move still has it, the board now does not.
    board.goto(f"/app/board?date={monday}")
    now_visits = set(board_visits(board))
    board.get_by_label("As it was at (history)").fill(f"{monday - timedelta(days=4)}T23:00")
    board.get_by_role("button", name="Show").click()
    expect(board.locator("#live-status")).to_contain_text("as it was")
    then_visits = set(board_visits(board))
    assert len(then_visits - now_visits) == 1
    expect(board.get_by_role("button", name="Optimize", exact=True)).to_have_count(0)
    expect(board.locator("#history-banner")).to_contain_text("Nothing here can be changed")
    board.get_by_role("link", name="Back to live").click()
    expect(board.locator("#history-banner")).to_have_count(0)
    expect(board.get_by_role("button", name="Optimize", exact=True)).to_have_count(1)


def test_the_map_tells_routes_apart_without_colour_and_reads_at_375_px(
    visitor: Visitor,
) -> None:
    board = visitor.page("dispatcher", viewport=PHONE)
    board.goto(f"/app/board?date={demo_monday()}")
    lanes = board.locator("#board-panel .lane").count()
    # Every base is labelled; each route has its own line pattern and marker shape.
    expect(board.locator("svg.map text.base-label")).to_have_count(lanes)
    routes = board.locator("svg.map g.route")
    markers = routes.evaluate_all("gs => gs.map(g => g.dataset.marker)")
    assert len(set(markers)) == len(markers) == lanes
    dashes = board.locator("svg.map polyline").evaluate_all(
        "ls => ls.map(l => l.getAttribute('stroke-dasharray') || 'solid')"
    )
    assert len(set(dashes)) == len(dashes) > 0
    # Stop numbers stay legible on a phone: at least 10 px tall as drawn.
    heights = board.locator("svg.map g.stop text").evaluate_all(
        "ts => ts.map(t => t.getBoundingClientRect().height)"
    )
    assert heights
    assert min(heights) >= 10, heights
    screenshot(board, "board-map")


def test_a_sick_call_moves_the_therapists_visits_to_someone_else(visitor: Visitor) -> None:
    thursday = demo_monday() + timedelta(days=3)
    board = visitor.page("dispatcher")
    board.goto(f"/app/board?date={thursday}")
    carla = board.locator("#board-panel .lane", has_text="Carla Novak")
    expect(carla.locator("ol.visits li", has_text="Rosa Marsh")).to_have_count(1)

    carla.get_by_role("link", name=re.compile("^Mark Carla sick")).click()
    expect(board.get_by_test_id("would-displace")).to_contain_text("Rosa Marsh")
    board.get_by_role("button", name=re.compile("^Confirm: Carla is off sick")).click()
    expect(board.locator("#notice")).to_contain_text("Carla Novak is off sick")
    expect(board.locator("#proposal")).to_be_visible(timeout=90_000)
    moved = board.locator("table.diff tr.moved", has_text="Rosa Marsh")
    expect(moved).to_have_count(1)
    expect(board.get_by_test_id("added-count")).to_have_text("0")
    day = moved.get_attribute("data-day")
    screenshot(board, "board-sick-call")

    board.get_by_role("button", name="Apply the proposal").click()
    expect(board.locator("#notice")).to_contain_text("Applied 1 change(s)")
    board.goto(f"/app/board?date={thursday}")
    carla = board.locator("#board-panel .lane", has_text="Carla Novak")
    expect(carla.locator("ol.visits li")).to_have_count(0)
    expect(carla).to_contain_text("Off: sick")
    board.goto(f"/app/board?date={day}")  # Ana that day, or Carla another day
    expect(board.locator("#board-panel ol.visits li", has_text="Rosa Marsh")).to_have_count(1)
