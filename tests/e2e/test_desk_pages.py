"""The front desk on the phone, in the browser on the demo clinic: find the patient,
book their next session from the same ranked options the patient sees, move it (a day
in the past is refused, kept and explained, and nothing moves), cancel it; the patient
sees each change on their own page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import Visitor
from .staff_checks import checked, error_of

pytestmark = pytest.mark.slow


def session_ids(page: Page) -> set[str]:
    ids: list[str] = page.locator("ul.sessions li[data-session]").evaluate_all(
        "items => items.map(item => item.dataset.session)"
    )
    return set(ids)


def test_dispatcher_books_moves_and_cancels_on_the_patients_behalf(visitor: Visitor) -> None:
    problems: list[str] = []
    patient = visitor.page("patient")
    first_name = patient.get_by_role("heading", level=1).inner_text().removeprefix("Hello, ")
    patient.get_by_role("link", name="Choose a time for your next session").first.click()
    patient_option = patient.locator("input[name=option]").first.get_attribute("value")
    patient.goto("/app/patient")

    desk = visitor.page("dispatcher")
    desk.goto("/app/desk")
    expect(desk.get_by_role("heading", name="Front desk")).to_be_visible()
    problems += checked(desk, "desk-home")
    desk.get_by_label("Find a patient").fill(first_name)
    desk.get_by_role("button", name="Search").click()
    problems += checked(desk, "desk-patients")
    desk.get_by_test_id("patients").get_by_role("link", name=re.compile(first_name)).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(first_name)
    problems += checked(desk, "desk-patient")
    before = session_ids(desk)

    # The same ranked options the patient sees, best first.
    desk.get_by_role("link", name="Book the next session").first.click()
    first = desk.locator("input[name=option]").first
    assert first.get_attribute("value") == patient_option
    expect(first).to_be_checked()
    problems += checked(desk, "desk-book")
    desk.get_by_role("button", name="Book this time").click()
    expect(desk.get_by_role("status")).to_contain_text("booked for the patient")
    [booked] = session_ids(desk) - before

    patient.reload()
    expect(patient.locator(f"ul.sessions li[data-session='{booked}']")).to_be_visible()
    when = patient.locator(f"ul.sessions li[data-session='{booked}']").inner_text()

    # A day in the past: refused next to the field, the input kept, nothing moved.
    desk.locator(f"li[data-session='{booked}']").get_by_role(
        "link", name=re.compile("^Move")
    ).click()
    desk.get_by_label("Another day and time (below)").check()
    desk.get_by_label("Day", exact=True).fill("2020-03-02")
    desk.get_by_label("Time", exact=True).fill("10:00")
    desk.get_by_role("button", name="Move the session").click()
    assert "in the future" in error_of(desk, "day")
    expect(desk.get_by_label("Day", exact=True)).to_have_value("2020-03-02")
    expect(desk.get_by_label("Time", exact=True)).to_have_value("10:00")
    problems += checked(desk, "desk-move-errors")
    patient.reload()
    assert patient.locator(f"ul.sessions li[data-session='{booked}']").inner_text() == when

    # Moved to another ranked option, then cancelled.
    desk.locator("input[name=option]").nth(1).check()
    desk.get_by_role("button", name="Move the session").click()
    expect(desk.get_by_role("status")).to_contain_text("The session is moved")
    patient.reload()
    moved = patient.locator(f"ul.sessions li[data-session='{booked}']").inner_text()
    assert moved != when
    desk.locator(f"li[data-session='{booked}']").get_by_role(
        "button", name=re.compile("^Cancel")
    ).click()
    expect(desk.get_by_role("status")).to_contain_text("The session is cancelled")
    expect(desk.locator(f"li[data-session='{booked}']")).to_contain_text("cancelled")
    patient.reload()
    expect(patient.locator(f"ul.sessions li[data-session='{booked}']")).to_have_count(0)
    assert problems == [], "\n".join(problems)
