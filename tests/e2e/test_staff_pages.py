"""The admin's and front desk's pages in the browser, from an empty store (no demo; the
first admin made by the CLI): open a clinic, register a therapist with shifts, open the
staff's accounts; bad input is kept, explained next to its field, and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from api.empty import ADMIN_EMAIL, ADMIN_PASSWORD
from api.world import Clock

from .conftest import DESKTOP
from .empty_site import EmptySite, empty_site
from .staff_checks import checked, error_of

pytestmark = pytest.mark.slow


@pytest.fixture
def site(tmp_path: Path) -> Iterator[EmptySite]:
    with empty_site(tmp_path, Clock()) as served:
        yield served


@pytest.fixture
def pages(browser: Browser, site: EmptySite) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def signed_in(
    browser: Browser, site: EmptySite, opened: list[BrowserContext], email: str, password: str
) -> Page:
    context = browser.new_context(base_url=site.base, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    opened.append(context)
    page = context.new_page()
    page.goto("/app/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/app/login" not in url)
    return page


def api_get(site: EmptySite, path: str) -> object:
    """A JSON read as the admin (what the store holds, not what a page shows)."""
    with httpx.Client(base_url=site.base) as client:
        login = client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        token = login.json()["access_token"]
        answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        return answer.json()


def fill_shifts(page: Page, days: dict[str, tuple[str, str]]) -> None:
    for day, (start, end) in days.items():
        page.get_by_label(f"{day} from").fill(start)
        page.get_by_label(f"{day} until").fill(end)


def test_admin_opens_a_clinic_and_registers_a_therapist_from_an_empty_store(
    browser: Browser, site: EmptySite, pages: list[BrowserContext]
) -> None:
    problems: list[str] = []
    admin = signed_in(browser, site, pages, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(admin.get_by_role("heading", name="Clinics", exact=True)).to_be_visible()
    problems += checked(admin, "admin-clinics")

    # Open a clinic: bad input first, kept and explained, nothing written.
    admin.get_by_role("link", name="Open a clinic").first.click()
    admin.get_by_label("Clinic name").fill("Lakeside Massage Therapy")
    admin.get_by_label("Latitude").fill("141.9")
    admin.get_by_label("Longitude").fill("-87.63")
    admin.get_by_label("Time zone").fill("Chicago")
    admin.get_by_label("Late-cancel window (hours)").fill("a day")
    admin.get_by_role("button", name="Open the clinic").click()
    assert "street address" in error_of(admin, "address")
    assert "-90 to 90" in error_of(admin, "location_latitude")
    assert "America/Chicago" in error_of(admin, "timezone")
    assert "whole number" in error_of(admin, "late_cancel_hours")
    expect(admin.get_by_label("Clinic name")).to_have_value("Lakeside Massage Therapy")
    expect(admin.get_by_label("Late-cancel window (hours)")).to_have_value("a day")
    expect(admin.get_by_role("alert")).to_contain_text("Nothing was saved")
    problems += checked(admin, "admin-clinic-new-errors")
    assert api_get(site, "/clinics") == []

    admin.get_by_label("Street address").fill("200 W Madison St, Chicago, IL")
    admin.get_by_label("Latitude").fill("41.8818")
    admin.get_by_label("Time zone").fill("America/Chicago")
    admin.get_by_label("Late-cancel window (hours)").fill("12")
    admin.get_by_label("Booking grid").select_option("30")
    admin.get_by_label("Reassess every N sessions").fill("4")
    admin.get_by_role("button", name="Open the clinic").click()
    expect(admin.get_by_role("status")).to_contain_text("The clinic is open")
    expect(admin.get_by_role("heading", name="Lakeside Massage Therapy")).to_be_visible()
    [clinic] = api_get(site, "/clinics")  # type: ignore[misc]
    stored = api_get(site, f"/clinics/{clinic['id']}")
    assert stored["policies"]["late_cancel_hours"] == 12  # type: ignore[index]
    assert stored["policies"]["slot_minutes"] == 30  # type: ignore[index]
    assert stored["policies"]["reassessment_every"] == 4  # type: ignore[index]
    assert stored["address"] == "200 W Madison St, Chicago, IL"  # type: ignore[index]
    problems += checked(admin, "admin-clinic")

    # Register a therapist with shifts: a shift ending before it starts is refused.
    admin.get_by_role("link", name="Register a therapist").click()
    admin.get_by_label("Name", exact=True).fill("Ana Lopez")
    admin.get_by_label("Phone").fill("+1 312 555 0101")
    admin.get_by_label("ms", exact=True).check()
    admin.get_by_label("sports injury").check()
    admin.get_by_label("Home visits (drives from a home base)").check()
    admin.get_by_label("Base latitude").fill("41.90")
    admin.get_by_label("Base longitude").fill("-87.65")
    admin.get_by_label("Most visits in a day").fill("6")
    week = dict.fromkeys(("Monday", "Tuesday", "Thursday", "Friday"), ("09:00", "17:00"))
    fill_shifts(admin, {**week, "Wednesday": ("13:00", "09:00")})
    admin.get_by_role("button", name="Register the therapist").click()
    assert "end after it starts" in error_of(admin, "wed_end")
    expect(admin.get_by_label("Wednesday from")).to_have_value("13:00")
    expect(admin.get_by_label("ms", exact=True)).to_be_checked()
    expect(admin.get_by_label("Home visits (drives from a home base)")).to_be_checked()
    problems += checked(admin, "desk-therapist-new-errors")
    assert api_get(site, f"/clinics/{clinic['id']}/therapists") == []

    admin.get_by_label("Wednesday until").fill("18:00")
    admin.get_by_role("button", name="Register the therapist").click()
    expect(admin.get_by_role("status")).to_contain_text("The therapist is registered")
    shifts = admin.get_by_test_id("shifts")
    expect(shifts).to_contain_text("Wednesday")
    expect(shifts).to_contain_text("13:00\u201318:00")
    [therapist] = api_get(site, f"/clinics/{clinic['id']}/therapists")  # type: ignore[misc]
    assert therapist["name"] == "Ana Lopez"
    assert therapist["shifts"]["wed"] == [780, 1080]
    assert therapist["shifts"]["mon"] == [540, 1020]
    assert "sat" not in therapist["shifts"]
    assert sorted(therapist["specializations"]) == ["ms", "sports_injury"]
    problems += checked(admin, "desk-therapist")

    # Time off and a change of shifts, on the therapist's page.
    admin.get_by_label("First day off").fill("2027-01-05")
    admin.get_by_label("Last day off").fill("2027-01-06")
    admin.get_by_role("button", name="Record the time off").click()
    expect(admin.get_by_test_id("time-off")).to_contain_text("Tue 5 Jan 2027 to Wed 6 Jan 2027")

    # Open the therapist's and a dispatcher's accounts from the clinic's page.
    admin.goto(f"/app/admin/clinics/{clinic['id']}")
    admin.get_by_role("radio", name="A therapist").check()
    admin.get_by_label("Therapist (for a therapist's account)").select_option(label="Ana Lopez")
    admin.get_by_label("E-mail address").fill("ana@lakeside.example")
    admin.get_by_label("First password").fill("short")
    admin.get_by_role("button", name="Open the account").click()
    assert "10 characters" in error_of(admin, "password")
    expect(admin.get_by_label("E-mail address")).to_have_value("ana@lakeside.example")
    admin.get_by_label("First password").fill("a long enough password")
    admin.get_by_role("button", name="Open the account").click()
    expect(admin.get_by_role("status")).to_contain_text("The account is open")
    admin.get_by_role("radio", name="A dispatcher (front desk)").check()
    admin.get_by_label("E-mail address").fill("desk@lakeside.example")
    admin.get_by_label("First password").fill("a long enough password")
    admin.get_by_role("button", name="Open the account").click()
    expect(admin.get_by_role("status")).to_contain_text("The account is open")
    accounts = admin.get_by_role("table")
    expect(accounts).to_contain_text("ana@lakeside.example")
    expect(accounts).to_contain_text("Ana Lopez")
    expect(accounts).to_contain_text("desk@lakeside.example")

    # The desk registers a patient: shown by name and street address, with a phone link
    # and a directions link (never coordinates); registering them twice is refused.
    admin.goto(f"/app/desk/clinics/{clinic['id']}/patients/new")
    admin.get_by_label("Full name").fill("Zoe Park")
    admin.get_by_label("Phone").fill("+1 312 555 0199")
    admin.get_by_label("Street address").fill("1400 N Lake Shore Dr, Chicago")
    admin.get_by_label("Home latitude").fill("41.9105")
    admin.get_by_label("Home longitude").fill("-87.6262")
    problems += checked(admin, "desk-patient-new")
    admin.get_by_role("button", name="Register the patient").click()
    expect(admin.get_by_role("status")).to_contain_text("The patient is registered")
    expect(admin.get_by_role("main")).to_contain_text("1400 N Lake Shore Dr, Chicago")
    expect(admin.get_by_role("main")).not_to_contain_text("41.9105")
    directions = admin.get_by_role("link", name=re.compile("^Directions"))
    expect(directions).to_have_attribute("href", re.compile(r"destination=1400%20N%20Lake"))
    expect(admin.get_by_role("link", name="+1 312 555 0199")).to_have_attribute(
        "href", "tel:+13125550199"
    )
    zoe = admin.url

    # The desk books Zoe's initial evaluation from the times of therapists who treat it.
    admin.get_by_role("link", name="Book the initial evaluation").click()
    admin.get_by_role("button", name="Find times").click()
    assert "what the visit is for" in error_of(admin, "reason")
    admin.get_by_label("What the visit is for").fill("multiple sclerosis")
    admin.get_by_label("At the clinic").check()
    admin.get_by_role("button", name="Find times").click()
    first_time = admin.locator("input[name=option]").first
    expect(first_time).to_be_visible()
    problems += checked(admin, "desk-evaluation")
    first_time.check()
    admin.get_by_role("button", name="Book the evaluation").click()
    expect(admin.get_by_role("status")).to_contain_text("initial evaluation is booked")
    expect(admin.get_by_test_id("evaluation-visit")).to_contain_text("with Ana Lopez")
    assert admin.url.startswith(zoe.split("?")[0])

    admin.goto(f"/app/desk/clinics/{clinic['id']}/patients/new")
    admin.get_by_label("Full name").fill("Zoe Park")
    admin.get_by_label("Phone").fill("(312) 555-0199")
    admin.get_by_role("button", name="Register the patient").click()
    expect(admin.get_by_role("alert")).to_contain_text("already has a patient")
    expect(admin.get_by_label("Phone")).to_have_value("(312) 555-0199")
    found = api_get(site, f"/clinics/{clinic['id']}/patients")
    assert [p["name"] for p in found] == ["Zoe Park"]  # type: ignore[union-attr]

    # The new therapist signs in and sees their week.
    ana = signed_in(browser, site, pages, "ana@lakeside.example", "a long enough password")
    expect(ana).to_have_url(f"{site.base}/app/week")
    assert problems == [], "\n".join(problems)
