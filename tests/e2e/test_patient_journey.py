"""A patient books and cancels; the dispatcher's open board and the therapist's week see it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, Visitor, screenshot
from .pages import board_visits, monday_of

pytestmark = pytest.mark.slow


def test_a_booking_appears_live_on_the_board_and_in_the_week_then_is_cancelled(
    visitor: Visitor,
) -> None:
    patient = visitor.page("patient", viewport=PHONE)
    expect(patient.get_by_role("heading", name="Multiple sclerosis")).to_be_visible()
    expect(patient.get_by_test_id("left")).to_have_text(re.compile(r"^\d+$"))
    patient.get_by_role("link", name="Choose a time for your next session").first.click()
    first = patient.locator("input[name=option]").first
    expect(first).to_be_checked()
    day = date.fromisoformat(first.get_attribute("data-day") or "")
    therapist = first.get_attribute("data-therapist")
    reason = patient.locator(".option .why").first.inner_text()
    assert reason.startswith(f"your therapist {therapist}")

    # The dispatcher watches that day; the board subscribes to live changes.
    board = visitor.page("dispatcher")
    board.goto(f"/app/board?date={day}")
    expect(board.locator("#board-panel[data-live-ready='1']")).to_have_count(1)
    before = board_visits(board)
    board.evaluate("() => { window.notReloaded = true; }")

    patient.get_by_role("button", name="Review this time").click()
    patient.get_by_role("button", name="Book this session").click()
    expect(patient.get_by_role("status")).to_contain_text("Your session is booked")
    booked = re.search(r"/sessions/([0-9a-f-]{36})/booked", patient.url)
    assert booked is not None, patient.url
    session_id = booked.group(1)
    patient.get_by_role("link", name="Back to my treatment").click()
    expect(patient.locator(f"li[data-session='{session_id}']")).to_contain_text(str(therapist))

    # Without a reload, the board shows the new visit.
    expect(board.locator(f"#board-panel li[data-session='{session_id}']")).to_be_visible()
    assert board.evaluate("() => window.notReloaded === true")
    assert set(board_visits(board)) == {*before, session_id}
    expect(board.locator("#live-status")).to_contain_text("booked")

    # The therapist sees it in the week grid.
    week = visitor.page("therapist")
    week.goto(f"/app/week?start={monday_of(day)}")
    expect(week.locator(f"a.event[data-session='{session_id}']")).to_contain_text("Pat Lee")

    # Cancelling shows the late-cancel policy before anything happens.
    patient.locator(f"li[data-session='{session_id}']").get_by_role("link", name="Cancel").click()
    policy = patient.locator("#policy")
    expect(policy).to_contain_text("less than 24 hours before the start counts as late")
    expect(patient.get_by_test_id("on-time")).to_contain_text("cancelling now is not late")
    screenshot(patient, "patient-cancel-confirm")
    patient.get_by_label("Reason (optional)").fill("a work trip")
    patient.get_by_role("button", name="Yes, cancel the session").click()
    expect(patient.get_by_role("status")).to_contain_text("Your session is cancelled")
    expect(patient.locator(f"li[data-session='{session_id}']")).to_have_count(0)

    # The board drops it live; the session's history says who did what, when and why.
    expect(board.locator(f"#board-panel li[data-session='{session_id}']")).to_have_count(0)
    assert board.evaluate("() => window.notReloaded === true")
    patient.goto(f"/app/sessions/{session_id}")
    history = patient.locator("ol.history li")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Booked")
    expect(history.nth(1)).to_contain_text("Cancelled")
    expect(history.nth(1)).to_contain_text("a work trip")
    expect(patient.get_by_test_id("status")).to_have_text("cancelled")
    assert patient.script_errors == []  # type: ignore[attr-defined]
    assert board.script_errors == []  # type: ignore[attr-defined]
