"""Every page at phone and desktop width: a screenshot, no overflow, the accessibility check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from .a11y import accessibility_problems
from .conftest import DESKTOP, PHONE, Visitor, screenshot
from .pages import demo_monday, no_horizontal_scroll

pytestmark = pytest.mark.slow


def _check(page: Page, name: str, *, status: int = 200) -> list[str]:
    screenshot(page, name)
    problems = [f"{name}: {problem}" for problem in accessibility_problems(page)]
    if not no_horizontal_scroll(page):
        problems.append(f"{name}: wider than the screen")
    # Chromium logs a page answered with an error status as a console error.
    expected = f"status of {status}"
    errors = page.script_errors  # type: ignore[attr-defined]
    problems += [f"{name}: script error {e}" for e in errors if status == 200 or expected not in e]
    return problems


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_page_fits_and_passes_the_accessibility_check(
    visitor: Visitor, viewport: dict[str, int]
) -> None:
    monday = demo_monday()
    problems: list[str] = []

    anonymous = visitor.page(None, viewport=viewport)
    anonymous.goto("/app/login")
    problems += _check(anonymous, "login")

    patient = visitor.page("patient", viewport=viewport)
    problems += _check(patient, "patient")
    session = patient.locator("ul.sessions li[data-session]").first.get_attribute("data-session")
    patient.goto(f"/app/patient/sessions/{session}/cancel")
    problems += _check(patient, "patient-cancel")
    patient.goto(f"/app/patient/sessions/{session}/move")
    problems += _check(patient, "patient-move")
    patient.get_by_role("button", name="Review this time").click()
    problems += _check(patient, "patient-move-review")
    patient.goto(f"/app/patient/sessions/{session}/booked")
    problems += _check(patient, "patient-booked")
    patient.goto("/app/patient")
    patient.get_by_role("link", name="Choose a time for your next session").first.click()
    problems += _check(patient, "patient-options")
    patient.get_by_role("button", name="Review this time").click()
    problems += _check(patient, "patient-review")
    patient.goto(f"/app/sessions/{session}")
    problems += _check(patient, "patient-session-history")

    board = visitor.page("dispatcher", viewport=viewport)
    board.goto(f"/app/board?date={monday}")
    board.wait_for_selector("#board-panel[data-live-ready='1']")
    problems += _check(board, "board")
    lane = board.locator("#board-panel .lane").first.get_attribute("data-therapist")
    board.goto(f"/app/board/therapists/{lane}/sick?from={monday}&to={monday}")
    problems += _check(board, "sick-call-confirm")
    board.goto(f"/app/board?date={monday}&as_of={monday - timedelta(days=4)}T23:00")
    problems += _check(board, "board-as-of")

    therapist = visitor.page("therapist", viewport=viewport)
    therapist.goto(f"/app/week?start={monday}")
    problems += _check(therapist, "week")
    therapist.get_by_role("button", name="Get my calendar address").click()
    problems += _check(therapist, "week-calendar-link")
    assert therapist.get_by_label("iCal address").input_value().endswith(".ics")
    therapist.locator("a.event").first.click()
    problems += _check(therapist, "therapist-session")

    # The front door's care pages: sign-up, intake, first visit, profile; the chart,
    # the plan and the therapist's availability.
    anonymous.goto("/app/signup")
    problems += _check(anonymous, "signup")
    for path, name in (
        ("/app/patient/intake", "intake"),
        ("/app/patient/evaluation?reason=multiple+sclerosis&setting=clinic", "evaluation-booking"),
        ("/app/patient/profile", "profile"),
    ):
        patient.goto(path)
        problems += _check(patient, name)
    therapist.locator("a[href^='/app/chart/']").first.click()
    problems += _check(therapist, "chart")
    therapist.locator("a[href^='/app/treatment/']").first.click()
    problems += _check(therapist, "treatment-plan")
    therapist.goto("/app/availability")
    problems += _check(therapist, "therapist-availability")
    therapist.get_by_label("First sick day").fill(monday.isoformat())
    therapist.get_by_label("Last sick day").fill(monday.isoformat())
    therapist.get_by_role("button", name="Report me sick").click()
    expect(therapist.get_by_test_id("sick-preview")).to_be_visible()  # nothing recorded yet
    problems += _check(therapist, "therapist-sick-preview")

    # The staff pages: the admin's clinics and clinic setup; the front desk's overview,
    # patients, a patient, a therapist (booking on behalf: test_desk_pages.py).
    admin = visitor.page("admin", viewport=viewport)
    problems += _check(admin, "staff-admin-clinics")
    admin.locator("a[href^='/app/admin/clinics/']").first.click()
    problems += _check(admin, "staff-admin-clinic")
    admin.goto("/app/admin/clinics/new")
    problems += _check(admin, "staff-admin-clinic-new")
    board.goto("/app/desk")
    problems += _check(board, "staff-desk")
    board.locator("a[href^='/app/desk/therapists/']").first.click()
    problems += _check(board, "staff-desk-therapist")
    board.goto("/app/desk")
    board.get_by_role("link", name="Patients", exact=True).click()
    problems += _check(board, "staff-desk-patients")
    board.locator("[data-testid=patients] a").first.click()
    problems += _check(board, "staff-desk-patient")
    board.get_by_role("link", name="Reminders", exact=True).click()
    problems += _check(board, "staff-desk-reminders")

    # The accounts' pages: forgot the password, and a mailed link that is no longer good.
    anonymous.goto("/app/forgot")
    problems += _check(anonymous, "forgot-password")
    anonymous.goto("/app/reset?token=spent")
    problems += _check(anonymous, "reset-link-gone", status=410)

    # An error page (a patient opening the board) is a page too.
    assert patient.goto("/app/board").status == 403  # type: ignore[union-attr]
    problems += _check(patient, "error-page", status=403)

    assert problems == [], "\n".join(problems)
