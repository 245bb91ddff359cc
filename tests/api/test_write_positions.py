"""Every write answers `X-Position`: the JSON routes and the pages' forms alike.

The test lists the app's write routes (POST, PUT, PATCH, DELETE) itself, so a route
added later without a case here fails it. Each case makes one request that succeeds;
its `X-Position` must cover the last clinic event right after it (one client, so no
other writer), which a read with `?min_position` then waits for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.domain import Scheduling
from scheduler.notify.compose import sign_link
from scheduler.settings import Settings

from .care_page_writes import CARE_PAGE_CASES
from .conftest import SECRET, Tokens
from .staff_page_writes import STAFF_PAGE_CASES
from .world import EMAILS, NOW, PASSWORD, World

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NO_CLINIC_RECORD = {
    # Signing in and out writes no record of the clinic: nothing to read after.
    ("POST", "/auth/login"),
    ("POST", "/auth/logout"),
    ("POST", "/app/login"),
    ("POST", "/app/logout"),
    # A new password is the account's own record.
    ("POST", "/me/password"),
    # So are its e-mail verification and password reset (tests/notify/test_account_mail.py).
    ("POST", "/auth/verify-email"),
    ("POST", "/auth/password-reset"),
    ("POST", "/auth/password-reset/confirm"),
    ("POST", "/me/email-verification"),
    ("POST", "/app/verify"),
    ("POST", "/app/forgot"),
    ("POST", "/app/reset"),
    ("POST", "/app/patient/verification"),
}


@dataclass
class Context:
    """What a case needs: the client, tokens, the world and the store beside the API."""

    client: TestClient[Litestar]
    tokens: Tokens
    world: World
    store: Scheduling

    def book(self, plan: object, at: str, who: str = "dispatcher") -> str:
        response = self.client.post(
            f"/plans/{plan}/sessions",
            json={"therapist_id": str(self.world.ana), "start": self.world.local[at].isoformat()},
            headers=self.tokens[who],
        )
        assert response.status_code == 201, response.text
        session: str = response.json()["id"]
        return session

    def page(self, who: str) -> str:
        """Sign the client in through the sign-in page; the form's CSRF token."""
        self.client.cookies.clear()
        self.client.get("/app/login")
        token = self.client.cookies["scheduler_csrf"]
        self.client.post(
            "/app/login",
            data={"email": EMAILS[who], "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        return token

    def form(self, who: str, path: str, **fields: str) -> Any:
        token = self.page(who)
        return self.client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)

    def proposal(self) -> str:
        return str(
            self.store.record_proposal(
                clinic_id=self.world.clinic,
                first_day=date(2026, 10, 5),
                last_day=date(2026, 10, 5),
                purpose="optimize",
                items=[],
                unplaced=[],
                plans={},
                summary={},
                actor="seed",
                now=NOW,
            )
        )

    def sick_call(self) -> str:
        """Ana off sick on Monday, after Pat's Monday visit was booked (it is displaced)."""
        self.book(self.world.pat_plan, "mon 10:00")
        return str(
            self.store.record_sick_call(
                self.world.ana, days=[date(2026, 10, 5)], actor="seed", reason="flu", now=NOW
            )
        )

    def offer(self) -> str:
        """An open offer to Quinn of a slot Pat freed."""
        pat = self.book(self.world.pat_plan, "mon 10:00")
        self.client.post(
            f"/plans/{self.world.quinn_plan}/waitlist",
            json={
                "earliest": self.world.local["mon 10:00"].isoformat(),
                "latest": (self.world.local["mon 10:00"] + timedelta(hours=4)).isoformat(),
            },
            headers=self.tokens["dispatcher"],
        )
        self.client.post(f"/sessions/{pat}/cancel", json={}, headers=self.tokens["dispatcher"])
        offers = self.client.get("/me/offers", headers=self.tokens["quinn"]).json()
        offer: str = offers[0]["id"]
        return offer


def _json(method: str, path: str, who: str, body: Any = None) -> Callable[[Context], Any]:
    def run(ctx: Context) -> Any:
        url = path.format(w=ctx.world)
        return ctx.client.request(method, url, json=body, headers=ctx.tokens[who])

    return run


def _decide(c: Context) -> Any:
    asked = c.client.post(
        "/me/shift-requests", json={"shifts": {"mon": [600, 960]}}, headers=c.tokens["ana"]
    )
    assert asked.status_code == 201, asked.text
    request = asked.json()["shift_requests"][0]["id"]
    return c.client.post(
        f"/therapists/{c.world.ana}/shift-requests/{request}/decision",
        json={"approve": True},
        headers=c.tokens["dispatcher"],
    )


def _prescription_of_pat(c: Context) -> str:
    patient = c.client.get(f"/patients/{c.world.pat}", headers=c.tokens["dispatcher"]).json()
    return str(patient["prescriptions"][0]["id"])


def _new_plan(c: Context) -> Any:
    prescribed = c.client.post(
        f"/patients/{c.world.pat}/prescriptions",
        json={
            "condition": "multiple sclerosis",
            "authorized_sessions": 4,
            "expires_on": "2026-12-31",
        },
        headers=c.tokens["dispatcher"],
    )
    assert prescribed.status_code == 201, prescribed.text
    return c.client.post(
        f"/patients/{c.world.pat}/plans",
        json={
            "prescription_id": prescribed.json()["id"],
            "specialization": "ms",
            "sessions": 4,
            "session_minutes": 60,
            "min_days": 5,
            "max_days": 9,
            "setting": "clinic",
        },
        headers=c.tokens["dispatcher"],
    )


def _remove_webhook(c: Context) -> Any:
    made = c.client.post(
        f"/clinics/{c.world.clinic}/webhooks",
        json={"url": "https://crm.example/hook", "events": ["session.booked"]},
        headers=c.tokens["admin"],
    )
    assert made.status_code == 201, made.text
    return c.client.delete(
        f"/clinics/{c.world.clinic}/webhooks/{made.json()['id']}", headers=c.tokens["admin"]
    )


FAR = datetime(2100, 1, 1, tzinfo=UTC)
"""A mailed link's expiry far ahead (its own test checks expiry)."""

Case = Callable[[Context], Any]

CASES: dict[tuple[str, str], Case] = {
    ("POST", "/plans/{plan_id:uuid}/sessions"): lambda c: c.client.post(
        f"/plans/{c.world.pat_plan}/sessions",
        json={"therapist_id": str(c.world.ana), "start": c.world.local["mon 10:00"].isoformat()},
        headers=c.tokens["pat"],
    ),
    ("POST", "/sessions/{session_id:uuid}/move"): lambda c: c.client.post(
        f"/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/move",
        json={"start": c.world.local["mon 14:00"].isoformat()},
        headers=c.tokens["pat"],
    ),
    ("POST", "/sessions/{session_id:uuid}/cancel"): lambda c: c.client.post(
        f"/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/cancel",
        json={},
        headers=c.tokens["pat"],
    ),
    ("POST", "/sessions/{session_id:uuid}/complete"): lambda c: _after_start(c, "complete"),
    ("POST", "/sessions/{session_id:uuid}/note"): lambda c: _after_start(c, "note"),
    ("POST", "/sessions/{session_id:uuid}/no-show"): lambda c: _after_start(c, "no-show"),
    ("POST", "/sessions/{session_id:uuid}/pin"): lambda c: c.client.post(
        f"/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/pin",
        json={"reason": "keep"},
        headers=c.tokens["dispatcher"],
    ),
    ("DELETE", "/sessions/{session_id:uuid}/pin"): lambda c: c.client.delete(
        f"/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/pin", headers=c.tokens["dispatcher"]
    ),
    ("POST", "/me/plans/{plan_id:uuid}/waitlist"): lambda c: c.client.post(
        f"/me/plans/{c.world.pat_plan}/waitlist", json=_window(c), headers=c.tokens["pat"]
    ),
    ("DELETE", "/me/plans/{plan_id:uuid}/waitlist"): lambda c: _join_then(c, "pat", "/me"),
    ("POST", "/plans/{plan_id:uuid}/waitlist"): lambda c: c.client.post(
        f"/plans/{c.world.pat_plan}/waitlist", json=_window(c), headers=c.tokens["dispatcher"]
    ),
    ("DELETE", "/plans/{plan_id:uuid}/waitlist"): lambda c: _join_then(c, "dispatcher", ""),
    ("POST", "/offers/{offer_id:uuid}/accept"): lambda c: c.client.post(
        f"/offers/{c.offer()}/accept", headers=c.tokens["quinn"]
    ),
    ("DELETE", "/offers/{offer_id:uuid}"): lambda c: c.client.delete(
        f"/offers/{c.offer()}", headers=c.tokens["quinn"]
    ),
    ("POST", "/clinics/{clinic_id:uuid}/webhooks"): _json(
        "POST",
        "/clinics/{w.clinic}/webhooks",
        "admin",
        {"url": "https://crm.example/hook", "events": ["session.booked"]},
    ),
    ("DELETE", "/clinics/{clinic_id:uuid}/webhooks/{hook_id:uuid}"): _remove_webhook,
    ("PUT", "/clinics/{clinic_id:uuid}/reminders"): _json(
        "PUT", "/clinics/{w.clinic}/reminders", "dispatcher", {"reminder_hours": 6}
    ),
    ("POST", "/app/desk/clinics/{clinic_id:uuid}/reminders"): lambda c: c.form(
        "dispatcher",
        f"/app/desk/clinics/{c.world.clinic}/reminders",
        reminder_hours="6",
        quiet_hours="22-7",
    ),
    ("PUT", "/me/message-preferences"): _json(
        "PUT", "/me/message-preferences", "pat", {"email": True, "reminders": False}
    ),
    ("POST", "/app/unsubscribe"): lambda c: c.client.post(
        f"/app/unsubscribe?token={sign_link(SECRET, 'unsubscribe', str(c.world.pat), FAR)}",
        data={"List-Unsubscribe": "One-Click"},
    ),
    ("POST", "/app/offers/accept"): lambda c: c.client.post(
        "/app/offers/accept?token="
        + sign_link(SECRET, "offer", f"{c.offer()}:{c.world.quinn}", FAR)
    ),
    ("POST", "/clinics/{clinic_id:uuid}/optimizations"): _json(
        "POST",
        "/clinics/{w.clinic}/optimizations",
        "dispatcher",
        {"from": "2026-10-05", "to": "2026-10-05", "time_limit_s": 0.5},
    ),
    ("POST", "/proposals/{proposal_id:uuid}/apply"): lambda c: c.client.post(
        f"/proposals/{c.proposal()}/apply", headers=c.tokens["dispatcher"]
    ),
    ("POST", "/therapists/{therapist_id:uuid}/sick"): _json(
        "POST", "/therapists/{w.ana}/sick", "dispatcher", {"dates": ["2026-10-06"]}
    ),
    ("POST", "/sick-calls/{sick_call_id:uuid}/undo"): lambda c: c.client.post(
        f"/sick-calls/{c.sick_call()}/undo", json={}, headers=c.tokens["dispatcher"]
    ),
    ("POST", "/me/calendar-token"): _json("POST", "/me/calendar-token", "ana"),
    ("POST", "/accounts"): lambda c: c.client.post(
        "/accounts",
        json={
            "email": "new@loop.example",
            "password": PASSWORD,
            "role": "dispatcher",
            "clinic_id": str(c.world.clinic),
        },
        headers=c.tokens["admin"],
    ),
    # The front door.
    ("POST", "/clinics"): _json(
        "POST",
        "/clinics",
        "admin",
        {
            "name": "North Clinic",
            "address": "9 N Ave",
            "timezone": "America/Chicago",
            "location": {"latitude": 41.9, "longitude": -87.6},
        },
    ),
    ("PUT", "/clinics/{clinic_id:uuid}"): _json(
        "PUT",
        "/clinics/{w.clinic}",
        "admin",
        {
            "name": "Loop Medical Massage",
            "address": "1 N State St, Chicago",
            "location": {"latitude": 41.8837, "longitude": -87.6289},
            "policies": {"late_cancel_hours": 12},
        },
    ),
    ("POST", "/clinics/{clinic_id:uuid}/conditions"): _json(
        "POST",
        "/clinics/{w.clinic}/conditions",
        "admin",
        {"phrase": "frozen shoulder", "specializations": ["sports_injury"]},
    ),
    ("POST", "/clinics/{clinic_id:uuid}/therapists"): _json(
        "POST",
        "/clinics/{w.clinic}/therapists",
        "dispatcher",
        {
            "name": "Cleo Chen",
            "specializations": ["prenatal"],
            "mobile": False,
            "shifts": {"mon": [540, 1020]},
        },
    ),
    ("POST", "/clinics/{clinic_id:uuid}/patients"): _json(
        "POST",
        "/clinics/{w.clinic}/patients",
        "dispatcher",
        {"name": "Rosa Ruiz", "email": "rosa@mail.example", "address": "5 W Elm St"},
    ),
    ("PUT", "/therapists/{therapist_id:uuid}"): _json(
        "PUT",
        "/therapists/{w.ben}",
        "dispatcher",
        {
            "name": "Ben Brooks",
            "specializations": ["sports_injury", "ms"],
            "mobile": False,
            "phone": "+1 312 555 0102",
        },
    ),
    ("PUT", "/therapists/{therapist_id:uuid}/shifts"): _json(
        "PUT", "/therapists/{w.ben}/shifts", "dispatcher", {"shifts": {"tue": [480, 960]}}
    ),
    ("POST", "/therapists/{therapist_id:uuid}/time-off"): _json(
        "POST", "/therapists/{w.ana}/time-off", "ana", {"first": "2026-10-12", "last": "2026-10-13"}
    ),
    ("PUT", "/therapists/{therapist_id:uuid}/active"): _json(
        "PUT", "/therapists/{w.ben}/active", "dispatcher", {"active": False, "reason": "left"}
    ),
    ("POST", "/me/shift-requests"): _json(
        "POST", "/me/shift-requests", "ana", {"shifts": {"mon": [600, 960]}, "reason": "school run"}
    ),
    ("POST", "/therapists/{therapist_id:uuid}/shift-requests/{request_id:uuid}/decision"): (
        _decide
    ),
    ("POST", "/signup"): lambda c: c.client.post(
        "/signup",
        json={
            "clinic_id": str(c.world.clinic),
            "name": "Sam Stone",
            "email": "sam@mail.example",
            "password": PASSWORD,
        },
    ),
    ("PUT", "/patients/{patient_id:uuid}"): _json(
        "PUT",
        "/patients/{w.pat}",
        "pat",
        {
            "name": "Pat Patel",
            "phone": "+1 773 555 0100",
            "address": "4 N Clark St",
            "home": {"latitude": 41.95, "longitude": -87.70},
        },
    ),
    ("PUT", "/patients/{patient_id:uuid}/availability"): _json(
        "PUT", "/patients/{w.pat}/availability", "pat", {"availability": {"mon": [[540, 720]]}}
    ),
    ("PUT", "/patients/{patient_id:uuid}/intake"): _json(
        "PUT", "/patients/{w.pat}/intake", "pat", {"answers": {"fever": False}}
    ),
    ("POST", "/patients/{patient_id:uuid}/evaluation-visits"): lambda c: c.client.post(
        f"/patients/{c.world.pat}/evaluation-visits",
        json={
            "therapist_id": str(c.world.ben),
            "start": c.world.local["mon 10:00"].isoformat(),
            "reason": "multiple sclerosis",
        },
        headers=c.tokens["pat"],
    ),
    # Ana evaluates Pat once she has a session with her.
    ("POST", "/patients/{patient_id:uuid}/evaluations"): lambda c: (
        c.book(c.world.pat_plan, "mon 10:00"),
        c.client.post(
            f"/patients/{c.world.pat}/evaluations",
            json={"condition": "multiple sclerosis", "pain_level": 4},
            headers=c.tokens["ana"],
        ),
    )[1],
    ("POST", "/patients/{patient_id:uuid}/prescriptions"): _json(
        "POST",
        "/patients/{w.pat}/prescriptions",
        "dispatcher",
        {"condition": "multiple sclerosis", "authorized_sessions": 4, "expires_on": "2026-12-31"},
    ),
    ("POST", "/patients/{patient_id:uuid}/plans"): _new_plan,
    ("POST", "/prescriptions/{prescription_id:uuid}/renewals"): lambda c: c.client.post(
        f"/prescriptions/{_prescription_of_pat(c)}/renewals",
        json={"authorized_sessions": 12, "expires_on": "2027-03-31"},
        headers=c.tokens["dispatcher"],
    ),
    ("POST", "/plans/{plan_id:uuid}/changes"): _json(
        "POST",
        "/plans/{w.pat_plan}/changes",
        "dispatcher",
        {"change": "cadence", "reason": "slower", "min_days": 5, "max_days": 10},
    ),
    # The pages' forms.
    ("POST", "/app/patient/plans/{plan_id:uuid}/book"): lambda c: c.form(
        "pat",
        f"/app/patient/plans/{c.world.pat_plan}/book",
        option=f"{c.world.ana}@{c.world.local['mon 10:00'].isoformat()}",
    ),
    ("POST", "/app/patient/plans/{plan_id:uuid}/waitlist"): lambda c: c.form(
        "pat",
        f"/app/patient/plans/{c.world.pat_plan}/waitlist",
        earliest="2026-10-05",
        latest="2026-10-09",
    ),
    ("POST", "/app/patient/sessions/{session_id:uuid}/cancel"): lambda c: c.form(
        "pat", f"/app/patient/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/cancel"
    ),
    ("POST", "/app/patient/sessions/{session_id:uuid}/move"): lambda c: c.form(
        "pat",
        f"/app/patient/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/move",
        option=f"{c.world.ana}@{c.world.local['mon 14:00'].isoformat()}",
    ),
    ("POST", "/app/sessions/{session_id:uuid}/complete"): lambda c: _after_start(
        c, "complete", page=True
    ),
    ("POST", "/app/sessions/{session_id:uuid}/note"): lambda c: _after_start(c, "note", page=True),
    ("POST", "/app/board/optimize"): lambda c: c.form(
        "dispatcher", "/app/board/optimize", date="2026-10-05", days="1"
    ),
    ("POST", "/app/board/proposals/{proposal_id:uuid}/apply"): lambda c: c.form(
        "dispatcher", f"/app/board/proposals/{c.proposal()}/apply", date="2026-10-05"
    ),
    ("POST", "/app/board/sessions/{session_id:uuid}/pin"): lambda c: c.form(
        "dispatcher",
        f"/app/board/sessions/{c.book(c.world.pat_plan, 'mon 10:00')}/pin",
        date="2026-10-05",
    ),
    ("POST", "/app/board/therapists/{therapist_id:uuid}/sick"): lambda c: c.form(
        "dispatcher", f"/app/board/therapists/{c.world.ana}/sick", date="2026-10-06"
    ),
    ("POST", "/app/board/sick-calls/{sick_call_id:uuid}/undo"): lambda c: c.form(
        "dispatcher", f"/app/board/sick-calls/{c.sick_call()}/undo", date="2026-10-05"
    ),
    ("POST", "/app/week/calendar-link"): lambda c: c.form("ana", "/app/week/calendar-link"),
}


def _window(c: Context) -> dict[str, str]:
    return {
        "earliest": c.world.local["wed 10:00"].isoformat(),
        "latest": (c.world.local["wed 10:00"] + timedelta(days=2)).isoformat(),
    }


def _join_then(c: Context, who: str, prefix: str) -> Any:
    joined = c.client.post(
        f"{prefix}/plans/{c.world.pat_plan}/waitlist", json=_window(c), headers=c.tokens[who]
    )
    assert joined.status_code == 201, joined.text
    return c.client.delete(f"{prefix}/plans/{c.world.pat_plan}/waitlist", headers=c.tokens[who])


def _after_start(c: Context, what: str, *, page: bool = False) -> Any:
    """Book Pat's Monday 10:00, then act on it at 11:00 (the app's clock moved there)."""
    session = c.book(c.world.pat_plan, "mon 10:00")
    c.clock.current = c.world.local["mon 10:00"] + timedelta(hours=1)  # type: ignore[attr-defined]
    c.tokens.clear()
    note = {"note": "calves looser", "pain_before": "6", "pain_after": "3"}
    if what == "note":
        done = c.client.post(
            f"/sessions/{session}/complete",
            json={"note": "first", "pain_before": 6, "pain_after": 3},
            headers=c.tokens["ana"],
        )
        assert done.status_code == 200, done.text
        note["reason"] = "corrected"
    if page:
        return c.form("ana", f"/app/sessions/{session}/{what}", **note)
    body: dict[str, Any] = {k: int(v) if k.startswith("pain") else v for k, v in note.items()}
    if what == "no-show":
        body = {"reason": "not home"}
    return c.client.post(f"/sessions/{session}/{what}", json=body, headers=c.tokens["ana"])


CASES.update(STAFF_PAGE_CASES)
CASES.update(CARE_PAGE_CASES)


@pytest.fixture
def store(settings: Settings, app: Litestar) -> Iterator[Scheduling]:
    scheduling = Scheduling(settings.store_env(create_table=False))
    yield scheduling
    scheduling.close()


def _write_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods & WRITES:
                found.add((method, route.path))
    return found


def test_every_write_route_has_a_case_here(app: Litestar) -> None:
    assert _write_routes(app) - NO_CLINIC_RECORD == set(CASES)


@pytest.mark.parametrize("route", sorted(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_write_answers_the_position_of_its_last_event(
    route: tuple[str, str],
    client: TestClient[Litestar],
    tokens: Tokens,
    world: World,
    store: Scheduling,
    clock: Any,
) -> None:
    context = Context(client, tokens, world, store)
    context.clock = clock  # type: ignore[attr-defined]
    response = CASES[route](context)
    assert response.status_code < 400, (route, response.status_code, response.text[:300])
    assert "x-position" in response.headers, route
    # A read at this position includes every clinic record the request wrote, and the
    # position exists in the log.
    position = int(response.headers["x-position"])
    assert _last_clinic_event(store) <= position <= (store.recorder.max_notification_id() or 0)


def _last_clinic_event(store: Scheduling) -> int:
    """The id of the log's last event of the clinic's records (on SQLite the accounts'
    events share the table; they are no clinic record to read after)."""
    last = store.recorder.max_notification_id() or 0
    notes = store.recorder.select_notifications(max(1, last - 50), 100)
    return max(n.id for n in notes if n.topic.startswith("scheduler.domain."))
