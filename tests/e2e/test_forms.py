"""Forms say what is wrong next to the field, and change nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from .conftest import Visitor, screenshot, sign_in
from .pages import demo_monday


def _error_of(page: Page, field_id: str) -> str:
    """The error text tied to a field by aria-describedby (the field must be invalid)."""
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = field.get_attribute("aria-describedby")
    return page.locator(f"#{described}").inner_text()


def test_sign_in_errors(visitor: Visitor) -> None:
    page = visitor.page(None)
    page.goto("/app/login")
    page.get_by_role("button", name="Sign in").click()
    assert "Enter your e-mail address" in _error_of(page, "email")
    assert "Enter your password" in _error_of(page, "password")
    screenshot(page, "login-errors")

    page.get_by_label("E-mail address").fill("pat.example.com")
    page.get_by_label("Password").fill("x")
    page.get_by_role("button", name="Sign in").click()
    assert "like name@example.com" in _error_of(page, "email")
    expect(page.get_by_label("E-mail address")).to_have_value("pat.example.com")
    expect(page.locator("#password")).not_to_have_attribute("aria-invalid", "true")

    page.get_by_label("E-mail address").fill("patient@demo.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page).to_have_url(re.compile("/app/login"))


def test_a_page_asks_for_sign_in_then_returns(visitor: Visitor) -> None:
    page = visitor.page(None)
    page.goto("/app/week")
    expect(page).to_have_url(re.compile(r"/app/login\?next=/app/week"))
    sign_in(page, visitor.site.logins["therapist"])
    expect(page).to_have_url(re.compile(r"/app/week$"))
    # Another role's page says it is not theirs, in HTML.
    page.goto("/app/board")
    expect(page.get_by_role("heading", name="Not for this account")).to_be_visible()
    # Signing out forgets the sign-in: pages ask for it again.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/app/login$"))
    page.goto("/app/week")
    expect(page).to_have_url(re.compile(r"/app/login\?next=/app/week"))


def test_patient_form_errors_change_nothing(visitor: Visitor) -> None:
    page = visitor.page("patient")
    first_session = page.locator("ul.sessions li[data-session]").first
    session_id = first_session.get_attribute("data-session")
    when = first_session.locator("strong").inner_text()
    first_session.get_by_role("link", name="Move").click()
    chosen = str(page.locator("input[name=option]").first.get_attribute("value"))
    therapist = chosen.partition("@")[0]

    # A choice that cannot be read, or a time that cannot be booked, changes nothing.
    review = f"/app/patient/sessions/{session_id}/move/review"
    assert page.goto(f"{review}?option=nonsense").status == 400  # type: ignore[union-attr]
    expect(page.get_by_role("alert")).to_contain_text("could not be read")
    past = f"{therapist}@2020-01-06T16:00:00%2B00:00"
    assert page.goto(f"{review}?option={past}").status == 200  # type: ignore[union-attr]
    expect(page.get_by_role("alert")).to_contain_text("cannot be booked any more")
    expect(page.get_by_role("button", name="Move the session")).to_have_count(0)
    screenshot(page, "patient-move-errors")
    page.goto("/app/patient")
    expect(page.locator(f"li[data-session='{session_id}'] strong")).to_have_text(when)

    page.get_by_text("None of these fit? Join the waitlist").click()
    waitlist = page.locator("details.waitlist form")
    waitlist.get_by_label("Until").fill("2020-01-01")
    waitlist.get_by_role("button", name="Join the waitlist").click()
    invalid = page.locator("details.waitlist input[aria-invalid=true]")
    expect(invalid).to_have_count(1)
    expect(page.locator("details.waitlist .field-error")).to_contain_text(
        "on or after the first day"
    )

    # A valid window puts the plan on the waitlist; joining twice is refused by the field.
    waitlist = page.locator("details.waitlist form")
    last_day = date.fromisoformat(waitlist.get_by_label("From").input_value()) + timedelta(days=14)
    waitlist.get_by_label("Until").fill(last_day.isoformat())
    waitlist.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_role("status")).to_contain_text("You are on the waitlist")
    expect(page.locator("details.waitlist summary")).to_have_text("You are on the waitlist")
    page.locator("details.waitlist summary").click()
    waitlist.get_by_label("Until").fill(last_day.isoformat())
    waitlist.get_by_role("button", name="Join the waitlist").click()
    expect(page.locator("details.waitlist .field-error")).to_be_visible()


def test_progress_note_errors(visitor: Visitor) -> None:
    page = visitor.page("therapist")
    page.goto(f"/app/week?start={demo_monday()}")
    page.locator("a.event").first.click()
    page.get_by_label("Pain before (0\u201310)").fill("11")
    page.get_by_role("button", name="Complete the session").click()
    assert "Write a short progress note" in _error_of(page, "note")
    assert "from 0 (no pain) to 10" in _error_of(page, "pain_before")
    assert "from 0 (no pain) to 10" in _error_of(page, "pain_after")
    expect(page.get_by_test_id("status")).to_have_text("booked")
