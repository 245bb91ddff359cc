"""The booking page: choose a day, filter to afternoons, review, book; then move the
session by choosing from its own options."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Visitor, screenshot

pytestmark = pytest.mark.slow


def test_choose_a_day_filter_to_afternoons_review_book_then_move(visitor: Visitor) -> None:
    page = visitor.page("patient")
    page.get_by_role("link", name="Choose a time for your next session").first.click()
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    expect(page.get_by_test_id("window")).to_contain_text("days apart")

    # Afternoons only, then one day: every time listed is that day's afternoon.
    page.get_by_label("Time of day").select_option("afternoon")
    page.get_by_role("button", name="Show times").click()
    expect(page).to_have_url(re.compile(r"part=afternoon"))
    chip = page.locator("nav.days a[data-day]").first
    day = chip.get_attribute("data-day")
    chip.click()
    expect(page).to_have_url(re.compile(rf"from={day}.*part=afternoon.*to={day}"))
    radios = page.locator("input[name=option]")
    expect(radios.first).to_be_checked()
    assert radios.count() >= 2, "several afternoon times on a free day"
    for index in range(radios.count()):
        assert radios.nth(index).get_attribute("data-day") == day
        assert radios.nth(index).get_attribute("data-part") == "afternoon"
    screenshot(page, "options-afternoons")

    # Enter on a radio button selects it; it neither books nor leaves the page.
    url = page.url
    second = radios.nth(1)
    second.focus()
    page.keyboard.press("Enter")
    expect(second).to_be_checked()
    assert page.url == url
    chosen = page.locator("label[for='" + str(second.get_attribute("id")) + "'] strong")
    clock = chosen.inner_text()

    page.get_by_role("button", name="Review this time").click()
    review = page.get_by_test_id("review")
    expect(review).to_contain_text(clock)
    expect(review).to_contain_text("Therapist")
    expect(review).to_contain_text("Place")
    expect(page.get_by_role("note")).to_contain_text("Cancellation policy")
    screenshot(page, "options-review")
    page.get_by_role("button", name="Book this session").click()

    expect(page.get_by_role("status")).to_contain_text("Your session is booked")
    expect(page.get_by_test_id("confirmation")).to_contain_text(clock)
    booked = re.search(r"/sessions/([0-9a-f-]{36})/booked", page.url)
    assert booked is not None, page.url
    session_id = booked.group(1)
    ics = page.get_by_role("link", name="Add to calendar (.ics)")
    calendar = page.request.get(str(ics.get_attribute("href")))
    assert calendar.status == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text()
    assert f"UID:{session_id}@scheduler" in calendar.text()

    # Moving is choosing from that session's own options, with the window explained.
    page.get_by_role("link", name="Back to my treatment").click()
    listed = page.locator(f"li[data-session='{session_id}']")
    expect(listed).to_contain_text(clock)
    listed.get_by_role("link", name="Move").click()
    expect(page.get_by_role("heading", name="Move this session")).to_be_visible()
    expect(page.get_by_test_id("window")).to_contain_text("can move to a day from")
    target = page.locator("input[name=option]").nth(2)
    target.check()
    new_clock = page.locator(f"label[for='{target.get_attribute('id')}'] strong").inner_text()
    page.get_by_role("button", name="Review this time").click()
    expect(page.get_by_role("heading", name="Move your session to this time?")).to_be_visible()
    page.get_by_role("button", name="Move the session").click()
    expect(page.get_by_role("status")).to_contain_text("Your session is moved")
    expect(page.get_by_test_id("confirmation")).to_contain_text(new_clock)
    assert page.script_errors == []  # type: ignore[attr-defined]
