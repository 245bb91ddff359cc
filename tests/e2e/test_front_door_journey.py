"""The front door in the browser, from an empty store, with no demo and no Python calls
into the domain: the admin is made by the CLI; the clinic and its therapist are set up;
a patient signs up, answers the intake and books the initial evaluation; the therapist
records the evaluation, the prescription and the plan; the patient books the first plan
session from the ranked options; the therapist completes it with a note; the dispatcher
sees it on the board and in the history. Then a form's bad input: kept, explained, and
nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from api.empty import ADMIN_EMAIL, ADMIN_PASSWORD
from api.world import Clock

from .a11y import accessibility_problems
from .conftest import DESKTOP, PHONE, screenshot
from .empty_site import EmptySite, empty_site
from .pages import no_horizontal_scroll

pytestmark = pytest.mark.slow

PASSWORD = "a long enough password"
NINE_TO_FIVE = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}
SESSION_ID = re.compile(r"/app/sessions/([0-9a-f-]{36})")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[EmptySite]:
    with empty_site(tmp_path, Clock()) as served:
        yield served


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def open_page(
    browser: Browser, site: EmptySite, opened: list[BrowserContext], viewport: dict[str, int]
) -> Page:
    context = browser.new_context(base_url=site.base, viewport=viewport)
    context.set_default_timeout(15_000)
    opened.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors  # type: ignore[attr-defined]
    return page


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/app/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/app/login" not in url)


def checked(page: Page, name: str) -> list[str]:
    """Screenshots at both widths and the accessibility bar of the existing pages."""
    was = page.viewport_size or DESKTOP
    problems = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        problems += [f"{name} {viewport['width']}: {p}" for p in accessibility_problems(page)]
        if not no_horizontal_scroll(page):
            problems.append(f"{name} {viewport['width']}: wider than the screen")
        screenshot(page, name)
    page.set_viewport_size(was)
    return problems


def set_up_clinic_over_http(site: EmptySite) -> dict[str, Any]:
    """The admin's part through the JSON API (for tests about other steps)."""
    with httpx.Client(base_url=site.base) as client:
        login = client.post("/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        clinic = client.post(
            "/clinics",
            headers=admin,
            json={
                "name": "Loop Medical Massage",
                "address": "1 N State St, Chicago, IL",
                "location": {"latitude": 41.8837, "longitude": -87.6289},
                "timezone": "America/Chicago",
                "policies": {"evaluation_minutes": 45, "reassessment_every": 6},
            },
        )
        assert clinic.status_code == 201, clinic.text
        therapist = client.post(
            f"/clinics/{clinic.json()['id']}/therapists",
            headers=admin,
            json={
                "name": "Ana Alvarez",
                "specializations": ["ms", "general"],
                "mobile": False,
                "shifts": NINE_TO_FIVE,
                "max_visits_per_day": 6,
                "phone": "+1 312 555 0101",
            },
        )
        assert therapist.status_code == 201, therapist.text
        for body in (
            {
                "email": "ana@loop.example",
                "role": "therapist",
                "therapist_id": therapist.json()["id"],
            },
            {"email": "desk@loop.example", "role": "dispatcher", "clinic_id": clinic.json()["id"]},
        ):
            made = client.post("/accounts", headers=admin, json={**body, "password": PASSWORD})
            assert made.status_code == 201, made.text
        return {"clinic": clinic.json(), "therapist": therapist.json()}


def set_up_clinic(browser: Browser, site: EmptySite, opened: list[BrowserContext]) -> None:
    """The admin's part, through the admin's and front desk's pages: the clinic, a
    therapist with shifts, the therapist's and a dispatcher's accounts."""
    admin = open_page(browser, site, opened, DESKTOP)
    sign_in(admin, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Open a clinic").first.click()
    admin.get_by_label("Clinic name").fill("Loop Medical Massage")
    admin.get_by_label("Street address").fill("1 N State St, Chicago, IL")
    admin.get_by_label("Latitude").fill("41.8837")
    admin.get_by_label("Longitude").fill("-87.6289")
    admin.get_by_label("Time zone").fill("America/Chicago")
    admin.get_by_label("Initial evaluation (minutes)").fill("45")
    admin.get_by_label("Reassess every N sessions").fill("6")
    admin.get_by_role("button", name="Open the clinic").click()
    expect(admin.get_by_role("status")).to_contain_text("The clinic is open")
    clinic_page = admin.url

    admin.get_by_role("link", name="Register a therapist").click()
    admin.get_by_label("Name", exact=True).fill("Ana Alvarez")
    admin.get_by_label("Phone").fill("+1 312 555 0101")
    admin.get_by_label("ms", exact=True).check()
    admin.get_by_label("general", exact=True).check()
    admin.get_by_label("At the clinic", exact=True).check()
    admin.get_by_label("Most visits in a day").fill("6")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        admin.get_by_label(f"{day} from").fill("09:00")
        admin.get_by_label(f"{day} until").fill("17:00")
    admin.get_by_role("button", name="Register the therapist").click()
    expect(admin.get_by_role("status")).to_contain_text("The therapist is registered")

    admin.goto(clinic_page)
    for role, email in (
        ("A therapist", "ana@loop.example"),
        ("A dispatcher (front desk)", "desk@loop.example"),
    ):
        admin.get_by_role("radio", name=role).check()
        if role == "A therapist":
            admin.get_by_label("Therapist (for a therapist's account)").select_option(
                label="Ana Alvarez"
            )
        admin.get_by_label("E-mail address").fill(email)
        admin.get_by_label("First password").fill(PASSWORD)
        admin.get_by_role("button", name="Open the account").click()
        expect(admin.get_by_role("status")).to_contain_text("The account is open")


def sign_up(page: Page) -> None:
    page.goto("/app/login")
    page.get_by_role("link", name="Create your account").click()
    page.get_by_label("Full name").fill("Pat Patel")
    page.get_by_label("E-mail address").fill("pat@mail.example")
    page.get_by_label("Phone").fill("+1 773 555 0199")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Street address").fill("2100 N Halsted St, Chicago, IL")
    page.get_by_text("Enter the map position yourself").click()
    page.get_by_label("Latitude").fill("41.9199")
    page.get_by_label("Longitude").fill("-87.6487")
    page.get_by_label("When can you come each week?").fill("Mon/Wed 9-12, Thu after 15:00")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome, Pat Patel")


def answer_intake(page: Page) -> None:
    for question in page.locator("fieldset.yes-no").all():
        legend = question.locator("legend").inner_text()
        answer = "Yes" if legend.startswith("Do you have a fever") else "No"
        question.get_by_label(answer, exact=True).check()
    page.get_by_label("Health conditions").fill("multiple sclerosis since 2019")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("your answers are sent")


def book_evaluation(page: Page) -> str:
    page.get_by_label("Reason for the visit").fill("multiple sclerosis")
    page.get_by_role("button", name="Find times").click()
    first = page.locator("input[name=option]").first
    expect(first).not_to_be_checked()  # no time is chosen for the patient
    first.check()
    page.get_by_role("button", name="Book this visit").click()
    booked = page.get_by_test_id("evaluation-booked")
    expect(booked).to_contain_text("with Ana Alvarez, at the clinic")
    link = page.get_by_role("link", name="Details", exact=True).get_attribute("href") or ""
    found = SESSION_ID.search(link)
    assert found is not None, link
    return found.group(1)


def test_from_an_empty_store_to_a_completed_session(
    site: EmptySite, browser: Browser, contexts: list[BrowserContext]
) -> None:
    problems: list[str] = []

    # 2. The admin opens the clinic, registers a therapist with shifts, opens accounts.
    set_up_clinic(browser, site, contexts)

    # 3. A patient signs up, answers the intake and books the initial evaluation.
    patient = open_page(browser, site, contexts, PHONE)
    patient.goto("/app/signup")
    problems += checked(patient, "signup")
    sign_up(patient)
    problems += checked(patient, "intake")
    answer_intake(patient)
    visit_id = book_evaluation(patient)
    problems += checked(patient, "evaluation-booking")
    patient.get_by_role("link", name="My details").click()
    expect(patient.get_by_label("Each week")).to_have_value("Mon 9-12, Wed 9-12, Thu after 15:00")
    expect(patient.get_by_test_id("home")).to_contain_text("2100 N Halsted St")
    problems += checked(patient, "profile")

    # 4. At the visit, the therapist records the evaluation, the prescription and the plan.
    with httpx.Client(base_url=site.base) as client:
        visit = client.get(f"/app/sessions/{visit_id}")  # a page: strangers are sent away
        assert visit.status_code == 303
    therapist = open_page(browser, site, contexts, DESKTOP)
    sign_in(therapist, "ana@loop.example")
    therapist.goto(f"/app/sessions/{visit_id}")
    site.clock.current = _visit_start(therapist) + timedelta(minutes=5)
    sign_in(therapist, "ana@loop.example")  # the clock moved on: a new sign-in
    therapist.goto(f"/app/sessions/{visit_id}")
    therapist.get_by_role("link", name="Open the chart to record the evaluation").click()
    expect(therapist.get_by_test_id("suggested")).to_have_text("fever")
    problems += checked(therapist, "chart")
    therapist.get_by_label("Condition evaluated").fill("multiple sclerosis")
    therapist.get_by_label("Pain today (0\u201310)").fill("6")
    therapist.get_by_label("Findings").fill("spasticity in both calves")
    therapist.get_by_label("Recommended specialization").select_option("ms")
    therapist.get_by_role("button", name="Record the evaluation").click()
    expect(therapist.get_by_role("status")).to_contain_text("The evaluation is recorded")

    expiry = (site.clock() + timedelta(days=120)).date().isoformat()
    therapist.get_by_label("Prescriber", exact=True).fill("Dr. Rhee")
    therapist.get_by_label("Prescriber's NPI (optional)").fill("1234567893")
    therapist.get_by_label("Condition prescribed for").fill("multiple sclerosis")
    therapist.get_by_label("ICD-10 code (optional)").fill("G35")
    therapist.get_by_label("Sessions authorized").fill("6")
    therapist.get_by_label("Expires on").fill(expiry)
    therapist.get_by_label("Authorization number (optional)").fill("AUTH-77")
    therapist.get_by_role("button", name="Record the prescription").click()
    expect(therapist.get_by_role("status")).to_contain_text("The prescription is recorded")

    therapist.get_by_label("Specialization", exact=True).select_option("ms")
    therapist.get_by_label("Number of sessions").fill("6")
    therapist.get_by_label("Minutes per session").fill("60")
    therapist.get_by_label("At least … days between sessions").fill("5")
    therapist.get_by_label("At most … days between sessions").fill("9")
    therapist.get_by_label("At the clinic").check()
    therapist.get_by_label("Preferred therapist").select_option(label="Ana Alvarez")
    therapist.get_by_role("button", name="Start the plan").click()
    expect(therapist.get_by_role("status")).to_contain_text("The treatment plan is started")
    expect(therapist.get_by_role("link", name=re.compile("Multiple sclerosis"))).to_be_visible()

    # 5. The patient books the first plan session from the ranked options.
    sign_in(patient, "pat@mail.example")
    expect(patient.get_by_role("heading", name="Multiple sclerosis")).to_be_visible()
    patient.get_by_role("link", name="Choose a time for your next session").first.click()
    expect(patient.locator("input[name=option]").first).to_be_checked()  # the top option
    patient.get_by_role("button", name="Review this time").click()
    patient.get_by_role("button", name="Book this session").click()
    expect(patient.get_by_role("status")).to_contain_text("Your session is booked")
    booked = re.search(r"/sessions/([0-9a-f-]{36})/booked", patient.url)
    assert booked is not None, patient.url
    session_id = booked.group(1)

    # 6. The therapist completes it with a note once it has started.
    therapist.goto(f"/app/sessions/{session_id}")
    site.clock.current = _visit_start(therapist) + timedelta(minutes=50)
    sign_in(therapist, "ana@loop.example")
    therapist.goto(f"/app/sessions/{session_id}")
    therapist.get_by_label("Progress note").fill("tone reduced after stretching")
    therapist.get_by_label("Pain before (0\u201310)").fill("6")
    therapist.get_by_label("Pain after (0\u201310)").fill("3")
    therapist.get_by_role("button", name="Complete the session").click()
    expect(therapist.get_by_test_id("status")).to_have_text("completed")

    # 7. The dispatcher sees both visits on the board and the session's history.
    desk = open_page(browser, site, contexts, DESKTOP)
    sign_in(desk, "desk@loop.example")
    day = _visit_day(therapist)
    desk.goto(f"/app/board?date={day}")
    for visit_or_session in (visit_id, session_id):
        expect(desk.locator(f"#board-panel li[data-session='{visit_or_session}']")).to_contain_text(
            "Pat Patel"
        )
    desk.goto(f"/app/sessions/{session_id}")
    history = desk.locator("ol.history li")
    expect(history.first).to_contain_text("Booked")
    expect(history.last).to_contain_text("Completed")
    desk.get_by_role("link", name="Pat Patel").click()
    plan = desk.locator("li", has=desk.get_by_role("link", name=re.compile("Multiple sclerosis")))
    expect(plan).to_contain_text("1 of 6 sessions, active")
    problems += checked(desk, "chart-front-desk")
    chart_url = desk.url
    plan.get_by_role("link").click()
    expect(desk.get_by_role("cell", name="session")).to_be_visible()
    problems += checked(desk, "treatment-plan-progress")
    patient_id = chart_url.split("/app/chart/")[1].split("?")[0].strip("/")
    desk.goto(f"/app/desk/patients/{patient_id}")
    record = desk.locator("section[aria-labelledby=history-heading]")
    for event in ("Registered", "Intake submitted", "Evaluated", "Plan started"):
        expect(record).to_contain_text(event)
    assert problems == [], "\n".join(problems)
    for page in (patient, therapist, desk):
        assert page.script_errors == []  # type: ignore[attr-defined]


def _visit_start(page: Page) -> datetime:
    """The start (UTC) of the session whose page is open, from its data attribute."""
    return datetime.fromisoformat(
        page.locator("[data-start]").first.get_attribute("data-start") or ""
    )


def _visit_day(page: Page) -> str:
    """The clinic's date of the session whose page is open."""
    return page.locator("[data-day]").first.get_attribute("data-day") or ""


def test_bad_input_on_the_clinical_forms_is_kept_explained_and_writes_nothing(
    site: EmptySite, browser: Browser, contexts: list[BrowserContext]
) -> None:
    setup = set_up_clinic_over_http(site)
    with httpx.Client(base_url=site.base) as client:
        signed_up = client.post(
            "/signup",
            json={
                "clinic_id": setup["clinic"]["id"],
                "name": "Pat Patel",
                "email": "pat@mail.example",
                "password": PASSWORD,
                "address": "2100 N Halsted St, Chicago, IL",
                "home": {"latitude": 41.9199, "longitude": -87.6487},
            },
        )
        assert signed_up.status_code == 201, signed_up.text
        patient_id = signed_up.json()["patient"]["id"]
        token = client.post("/auth/login", json={"email": "pat@mail.example", "password": PASSWORD})
        pat = {"Authorization": f"Bearer {token.json()['access_token']}"}
        options = client.get(
            f"/patients/{patient_id}/evaluation-options",
            params={"reason": "multiple sclerosis"},
            headers=pat,
        ).json()
        visit = client.post(
            f"/patients/{patient_id}/evaluation-visits",
            headers=pat,
            json={**{k: options[0][k] for k in ("therapist_id", "start")}, "reason": "ms"},
        )
        assert visit.status_code == 201, visit.text

    therapist = open_page(browser, site, contexts, PHONE)
    sign_in(therapist, "ana@loop.example")
    therapist.goto(f"/app/chart/{patient_id}")
    history_before = _history_length(site, patient_id)

    # An expired prescription: the date stays, the field says why, nothing is recorded.
    therapist.get_by_label("Prescriber", exact=True).fill("Dr. Rhee")
    therapist.get_by_label("Condition prescribed for").fill("multiple sclerosis")
    therapist.get_by_label("Sessions authorized").fill("6")
    therapist.get_by_label("Expires on").fill("2026-01-31")
    therapist.get_by_role("button", name="Record the prescription").click()
    expired = therapist.locator("#rx-expires-error")
    expect(expired).to_contain_text("expired on 2026-01-31")
    expect(therapist.get_by_label("Expires on")).to_have_value("2026-01-31")
    expect(therapist.get_by_label("Expires on")).to_have_attribute("aria-invalid", "true")
    expect(therapist.get_by_label("Prescriber", exact=True)).to_have_value("Dr. Rhee")
    screenshot(therapist, "chart-expired-prescription")
    assert _history_length(site, patient_id) == history_before

    # Then a current one, and a plan whose cadence runs backwards: kept, explained, not started.
    therapist.get_by_label("Expires on").fill(
        (site.clock() + timedelta(days=90)).date().isoformat()
    )
    therapist.get_by_role("button", name="Record the prescription").click()
    expect(therapist.get_by_role("status")).to_contain_text("The prescription is recorded")
    history_before = _history_length(site, patient_id)
    therapist.get_by_label("Specialization", exact=True).select_option("ms")
    therapist.get_by_label("Number of sessions").fill("6")
    therapist.get_by_label("Minutes per session").fill("60")
    therapist.get_by_label("At least … days between sessions").fill("9")
    therapist.get_by_label("At most … days between sessions").fill("5")
    therapist.get_by_label("At the clinic").check()
    therapist.get_by_role("button", name="Start the plan").click()
    expect(therapist.locator("#plan-max-days-error")).to_contain_text("at least the fewest")
    expect(therapist.get_by_label("At least … days between sessions")).to_have_value("9")
    expect(therapist.get_by_label("At most … days between sessions")).to_have_value("5")
    expect(therapist.get_by_label("Specialization", exact=True)).to_have_value("ms")
    expect(therapist.get_by_label("At the clinic")).to_be_checked()
    screenshot(therapist, "chart-cadence-backwards")
    assert _history_length(site, patient_id) == history_before
    assert accessibility_problems(therapist) == []


def _history_length(site: EmptySite, patient_id: str) -> int:
    """How many events the patient's record holds (read by the front desk, over HTTP)."""
    with httpx.Client(base_url=site.base) as client:
        token = client.post(
            "/auth/login", json={"email": "desk@loop.example", "password": PASSWORD}
        )
        desk = {"Authorization": f"Bearer {token.json()['access_token']}"}
        answer = client.get(f"/patients/{patient_id}/history", headers=desk)
        assert answer.status_code == 200, answer.text
        return len(answer.json())
