"""Every route by every role: who gets 200, 403 (someone else's record) or 404 (unknown).

A 403 or 404 never carries any of the record's data.
"""

from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from .conftest import Tokens, error_code
from .world import MONDAY, World

ROLES = ("admin", "dispatcher", "other_dispatcher", "ana", "ben", "pat", "quinn")
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-00000000dead")


@pytest.fixture
def booked(client: TestClient[Litestar], world: World, tokens: Tokens) -> dict[str, str]:
    """Pat's and Quinn's Monday sessions, both with Ana."""
    ids = {}
    for who, plan, at in (
        ("pat", world.pat_plan, "mon 10:00"),
        ("quinn", world.quinn_plan, "mon 14:00"),
    ):
        response = client.post(
            f"/plans/{plan}/sessions",
            headers=tokens[who],
            json={"therapist_id": str(world.ana), "start": world.local[at].isoformat()},
        )
        assert response.status_code == 201, response.text
        ids[who] = response.json()["id"]
    return ids


def _matrix(world: World, booked: dict[str, str]) -> dict[str, dict[str, int]]:
    """Expected status of each GET route per role (any role left out: 403)."""
    pat_session = booked["pat"]
    staff_and_owner = {"admin": 200, "dispatcher": 200, "ana": 200, "pat": 200}
    clinic = {"admin": 200, "dispatcher": 200}
    return {
        f"/sessions/{pat_session}": staff_and_owner,
        f"/sessions/{pat_session}/history": staff_and_owner,
        f"/plans/{world.pat_plan}": staff_and_owner,
        f"/plans/{world.pat_plan}/sessions": staff_and_owner,
        f"/plans/{world.pat_plan}/history": staff_and_owner,
        "/me/plans": {"pat": 200, "quinn": 200},
        "/me/sessions": {"pat": 200, "quinn": 200},
        f"/me/week?start={MONDAY}": {"ana": 200, "ben": 200},
        f"/clinics/{world.clinic}/therapists": clinic,
        f"/clinics/{world.clinic}/plans": clinic,
        f"/clinics/{world.clinic}/board?date={MONDAY}": clinic,
        f"/clinics/{world.other_clinic}/board?date={MONDAY}": {
            "admin": 200,
            "other_dispatcher": 200,
        },
        "/auth/me": dict.fromkeys(ROLES, 200),
        # Options, waitlist, FHIR (searches answer 200 with only what the caller may see).
        f"/me/plans/{world.pat_plan}/options": {"pat": 200},
        f"/plans/{world.pat_plan}/options": clinic,
        f"/sessions/{pat_session}/options": {"admin": 200, "dispatcher": 200, "pat": 200},
        "/me/offers": {"pat": 200, "quinn": 200},
        f"/clinics/{world.clinic}/waitlist": clinic,
        f"/fhir/Appointment/{pat_session}": staff_and_owner,
        f"/fhir/Appointment?patient={world.pat}": dict.fromkeys(ROLES, 200),
        f"/fhir/Slot?practitioner={world.ana}&start={MONDAY}&end={MONDAY}": {
            "admin": 200,
            "dispatcher": 200,
            "ana": 200,
        },
        f"/fhir/Patient/{world.pat}": staff_and_owner,
        f"/fhir/CarePlan/{world.pat_plan}": staff_and_owner,
        # Both patients have a session with Ana: each may read her as their practitioner.
        f"/fhir/Practitioner/{world.ana}": {**clinic, "ana": 200, "pat": 200, "quinn": 200},
        f"/fhir/Schedule/{world.ana}": {**clinic, "ana": 200, "pat": 200, "quinn": 200},
        # The front door: a clinic's setup, staff, patients and care.
        f"/clinics/{world.clinic}": clinic,
        f"/clinics/{world.other_clinic}": {"admin": 200, "other_dispatcher": 200},
        f"/clinics/{world.clinic}/patients?q=pat": clinic,
        f"/clinics/{world.clinic}/accounts": clinic,
        f"/therapists/{world.ana}": {**clinic, "ana": 200},
        f"/therapists/{world.ben}": {**clinic, "ben": 200},
        f"/patients/{world.pat}": staff_and_owner,
        f"/patients/{world.quinn}": {**clinic, "ana": 200, "quinn": 200},
        f"/patients/{world.pat}/evaluation-options?reason=back%20pain&days=1": {
            **clinic,
            "pat": 200,
        },
        f"/plans/{world.pat_plan}/progress": staff_and_owner,
        f"/patients/{world.pat}/history": staff_and_owner,
        f"/therapists/{world.ana}/history": {**clinic, "ana": 200},
        # Sick calls: asking what one would displace (the desk, or the therapist themself).
        f"/therapists/{world.ben}/sick-preview?from={MONDAY}&to={MONDAY}": {
            "dispatcher": 200,
            "ben": 200,
        },
        f"/clinics/{world.clinic}/displaced": clinic,
        # Notifications: webhooks are the admins'; dead letters the clinic's staff's.
        f"/clinics/{world.clinic}/webhooks": {"admin": 200},
        f"/clinics/{world.clinic}/reminders": clinic,
        f"/clinics/{world.other_clinic}/reminders": {"admin": 200, "other_dispatcher": 200},
        f"/clinics/{world.clinic}/notifications/dead-letters": clinic,
        f"/clinics/{world.other_clinic}/notifications/dead-letters": {
            "admin": 200,
            "other_dispatcher": 200,
        },
        "/me/messages": {"pat": 200, "quinn": 200, "ana": 200, "ben": 200},
        "/me/message-preferences": {"pat": 200, "quinn": 200, "ana": 200, "ben": 200},
    }


def test_every_read_route_for_every_role(
    client: TestClient[Litestar], world: World, tokens: Tokens, booked: dict[str, str]
) -> None:
    wrong = []
    for url, allowed in _matrix(world, booked).items():
        for role in ROLES:
            response = client.get(url, headers=tokens[role])
            expected = allowed.get(role, 403)
            if response.status_code != expected:
                wrong.append((url, role, response.status_code, expected))
            if expected == 403:
                assert error_code(response) == "forbidden"
                _assert_no_data(response.text, world, booked)
        client.cookies.clear()  # signing in set the pages' cookie on this client
        assert client.get(url).status_code == 401
    assert wrong == []


def test_unknown_ids_are_404_for_whoever_may_ask(
    client: TestClient[Litestar], tokens: Tokens
) -> None:
    urls = [
        f"/sessions/{UNKNOWN}",
        f"/sessions/{UNKNOWN}/history",
        f"/plans/{UNKNOWN}",
        f"/plans/{UNKNOWN}/history",
        f"/plans/{UNKNOWN}/sessions",
        f"/fhir/Appointment/{UNKNOWN}",
        f"/fhir/Patient/{UNKNOWN}",
        f"/fhir/Practitioner/{UNKNOWN}",
        f"/fhir/Schedule/{UNKNOWN}",
        f"/fhir/CarePlan/{UNKNOWN}",
        f"/patients/{UNKNOWN}",
        f"/plans/{UNKNOWN}/progress",
    ]
    for url in urls:
        for role in ROLES:
            response = client.get(url, headers=tokens[role])
            assert response.status_code == 404, (url, role)
            assert error_code(response) in (
                "not_found",
                "unknown_session",
                "unknown_plan",
                "unknown_patient",
                "unknown_therapist",
                "unknown_prescription",
            ), (url, role, response.text)
    for role in ("admin", "dispatcher"):
        response = client.get(f"/clinics/{UNKNOWN}/board?date={MONDAY}", headers=tokens[role])
        assert response.status_code == 404
    # Patients may not ask about therapists at all: the role is refused before the id.
    for role in ROLES:
        response = client.get(f"/therapists/{UNKNOWN}", headers=tokens[role])
        assert response.status_code == (403 if role in ("pat", "quinn") else 404), role
    assert client.get("/sessions/not-a-uuid", headers=tokens["admin"]).status_code == 404


def test_writes_on_someone_elses_records_are_refused_and_change_nothing(
    client: TestClient[Litestar], world: World, tokens: Tokens, booked: dict[str, str]
) -> None:
    pat_session = booked["pat"]
    start = world.local["mon 12:00"].isoformat()
    later = world.local["mon 14:00"].isoformat()
    note = {"note": "n", "pain_before": 1, "pain_after": 1}
    attempts = [
        ("quinn", f"/sessions/{pat_session}/cancel", {}),
        ("quinn", f"/sessions/{pat_session}/move", {"start": start}),
        ("other_dispatcher", f"/sessions/{pat_session}/cancel", {}),
        ("other_dispatcher", f"/sessions/{pat_session}/no-show", {}),
        ("ana", f"/sessions/{pat_session}/cancel", {}),
        ("ben", f"/sessions/{pat_session}/complete", note),
        ("ben", f"/sessions/{pat_session}/no-show", {}),
        ("pat", f"/sessions/{pat_session}/complete", note),
        ("dispatcher", f"/sessions/{pat_session}/complete", note),
        (
            "quinn",
            f"/plans/{world.pat_plan}/sessions",
            {"therapist_id": str(world.ana), "start": start},
        ),
        (
            "ana",
            f"/plans/{world.pat_plan}/sessions",
            {"therapist_id": str(world.ana), "start": start},
        ),
        (
            "other_dispatcher",
            f"/plans/{world.pat_plan}/sessions",
            {"therapist_id": str(world.ana), "start": start},
        ),
        ("quinn", f"/me/plans/{world.pat_plan}/waitlist", {"earliest": start, "latest": later}),
        ("ana", f"/me/plans/{world.pat_plan}/waitlist", {"earliest": start, "latest": later}),
        ("pat", "/me/calendar-token", {}),
        (
            "other_dispatcher",
            f"/plans/{world.pat_plan}/waitlist",
            {"earliest": start, "latest": later},
        ),
        ("dispatcher", "/me/calendar-token", {}),
        (
            "dispatcher",
            "/accounts",
            {"email": "e@x.example", "password": "p" * 12, "role": "admin"},
        ),
    ]
    for role, url, body in attempts:
        response = client.post(url, json=body, headers=tokens[role])
        assert response.status_code == 403, (role, url, response.text)
        _assert_no_data(response.text, world, booked)
    session = client.get(f"/sessions/{pat_session}", headers=tokens["pat"]).json()
    assert session["status"] == "booked"
    assert session["start"] == world.local["mon 10:00"].isoformat().replace("+00:00", "Z")
    plan = client.get(f"/plans/{world.pat_plan}", headers=tokens["pat"]).json()
    assert plan["session_ids"] == [pat_session]
    for role in ("pat", "dispatcher"):
        missing = client.post(f"/sessions/{UNKNOWN}/cancel", json={}, headers=tokens[role])
        assert missing.status_code == 404
    # A clinic's reminder settings are its own staff's.
    for role in ("other_dispatcher", "pat", "ana"):
        refused = client.put(
            f"/clinics/{world.clinic}/reminders", json={"reminder_hours": 1}, headers=tokens[role]
        )
        assert refused.status_code == 403, (role, refused.text)
    reminders = client.get(f"/clinics/{world.clinic}/reminders", headers=tokens["admin"])
    assert reminders.json()["reminder_hours"] is None


def test_dispatcher_may_book_move_and_cancel_in_their_clinic(
    client: TestClient[Litestar], world: World, tokens: Tokens, booked: dict[str, str]
) -> None:
    moved = client.post(
        f"/sessions/{booked['pat']}/move",
        headers=tokens["dispatcher"],
        json={"start": world.local["mon 12:00"].isoformat()},
    )
    assert moved.status_code == 200, moved.text
    cancelled = client.post(
        f"/sessions/{booked['quinn']}/cancel", json={}, headers=tokens["dispatcher"]
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["session"]["status"] == "cancelled"


def _assert_no_data(text: str, world: World, booked: dict[str, str]) -> None:
    for secret in (
        "Pat Patel",
        "Quinn Quade",
        "multiple sclerosis",
        str(world.pat),
        str(world.quinn),
        str(world.ana),
    ):
        assert secret not in text


@pytest.mark.slow
def test_dispatch_routes_are_for_the_clinics_own_dispatcher_only(
    client: TestClient[Litestar], world: World, tokens: Tokens, booked: dict[str, str]
) -> None:
    from .test_dispatch import wait_for_job  # noqa: PLC0415 - the dispatch suite's poller

    desk = tokens["dispatcher"]
    body = {"from": str(MONDAY), "to": str(MONDAY), "time_limit_s": 1.0}
    job = client.post(f"/clinics/{world.clinic}/optimizations", json=body, headers=desk).json()
    proposal = wait_for_job(client, desk, job)
    session = booked["pat"]
    routes: list[tuple[str, str, dict[str, object] | None, int]] = [
        ("POST", f"/clinics/{world.clinic}/optimizations", body, 202),
        ("GET", f"/optimizations/{job['id']}", None, 200),
        ("GET", f"/proposals/{proposal}", None, 200),
        ("POST", f"/sessions/{session}/pin", {"reason": "r"}, 200),
        ("DELETE", f"/sessions/{session}/pin", None, 200),
        ("POST", f"/therapists/{world.ben}/sick", {"dates": [str(MONDAY)]}, 202),
        ("POST", f"/proposals/{proposal}/apply", None, 200),
    ]
    wrong = []
    # Everyone else first (admins included: dispatching is the desk's job), so a refused
    # request that changed anything would show in the dispatcher's answers after. A
    # therapist may report only themself sick.
    for role in (*(r for r in ROLES if r != "dispatcher"), "dispatcher"):
        for method, url, payload, allowed in routes:
            response = client.request(method, url, json=payload, headers=tokens[role])
            himself = role == "ben" and url.endswith("/sick")
            expected = allowed if role == "dispatcher" or himself else 403
            if response.status_code != expected:
                wrong.append((method, url, role, response.status_code, expected))
            if expected == 403:
                _assert_no_data(response.text, world, booked)
    assert wrong == []
    for role in ("admin", "dispatcher"):
        response = client.get(f"/proposals/{UNKNOWN}", headers=tokens[role])
        assert response.status_code == (404 if role == "dispatcher" else 403)


def test_a_sick_call_is_undone_by_the_clinics_desk_or_the_therapist_only(
    client: TestClient[Litestar], world: World, tokens: Tokens, booked: dict[str, str]
) -> None:
    call = client.post(
        f"/therapists/{world.ana}/sick",
        json={"dates": [str(MONDAY)], "time_limit_s": 1.0},
        headers=tokens["dispatcher"],
    )
    assert call.status_code == 202, call.text
    url = f"/sick-calls/{call.json()['sick_call_id']}/undo"
    for role in ("admin", "other_dispatcher", "ben", "pat", "quinn"):
        response = client.post(url, json={}, headers=tokens[role])
        assert response.status_code == 403, (role, response.text)
        _assert_no_data(response.text, world, booked)
    assert client.post(url, json={}, headers=tokens["ana"]).status_code == 200
    assert client.post(url, json={}, headers=tokens["dispatcher"]).status_code == 409
    client.cookies.clear()
    assert client.post(url, json={}).status_code == 401
