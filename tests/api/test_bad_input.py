"""Bad input is a clear 4xx on both backends, and nothing is written.

Each row is a request an integrator or an attacker sent that used to answer 500 or be
accepted: dates near year 1 or 9999, JSON nested a thousand deep (also at sign-in),
bytes that are not UTF-8, an integer read as a date-time, JSON sent as text/plain, an
oversized body. Every row must answer its 4xx with the API's error body, and the event
log's last notification id must not move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api.body_guard import MAX_BODY_BYTES
from scheduler.domain import Scheduling
from scheduler.settings import Settings

# Both backends: the embedded default, and PostgreSQL (a seeded copy) with Redis.
from .backends import backend_settings, backend_world, world_embedded  # noqa: F401
from .conftest import Tokens
from .world import MONDAY, World

DEEP = b"[" * 1000 + b"]" * 1000
JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Row:
    """One bad request: who sends it, where, what, and the status it must get."""

    name: str
    who: str | None  # a seeded account, or None: before signing in
    method: str
    path: Callable[[World, str], str]  # (world, a booked session id) -> path and query
    body: Callable[[World], bytes] | None
    status: int
    headers: dict[str, str] | None = None


def _book(start: str) -> Callable[[World], bytes]:
    return lambda w: f'{{"therapist_id": "{w.ana}", "start": {start}}}'.encode()


def _plan(w: World, _: str) -> str:
    return f"/plans/{w.pat_plan}/sessions"


def _move(_: World, session: str) -> str:
    return f"/sessions/{session}/move"


ROWS = [
    Row("sign-in nested 1000 deep", None, "POST", lambda w, s: "/auth/login",
        lambda w: b'{"email": ' + DEEP + b', "password": "x"}', 400),
    Row("sign-in not UTF-8", None, "POST", lambda w, s: "/auth/login",
        lambda w: b'{"email": "\xff\xfe@x.example", "password": "0123456789"}', 400),
    Row("book: an integer for a date-time", "dispatcher", "POST", _plan, _book("1790000000"), 400),
    Row("book: a digit string for a date-time", "dispatcher", "POST", _plan,
        _book('"1790000000"'), 400),
    Row("book: year 1", "dispatcher", "POST", _plan, _book('"0001-01-01T10:00:00Z"'), 400),
    Row("book: year 9999", "dispatcher", "POST", _plan, _book('"9999-12-31T15:00:00Z"'), 400),
    Row("book: JSON as text/plain", "dispatcher", "POST", _plan,
        _book('"2026-10-05T15:00:00Z"'), 415, {"Content-Type": "text/plain"}),
    Row("book: nested 1000 deep", "dispatcher", "POST", _plan, lambda w: DEEP, 400),
    Row("book: not UTF-8", "dispatcher", "POST", _plan,
        lambda w: b'{"therapist_id": "\xc3\x28", "start": "2026-10-05T15:00:00Z"}', 400),
    Row("book: a body larger than any request", "dispatcher", "POST", _plan,
        lambda w: b'{"reason": "' + b"x" * MAX_BODY_BYTES + b'"}', 413),
    Row("move: an integer for a date-time", "dispatcher", "POST", _move,
        lambda w: b'{"start": 1790000000}', 400),
    Row("move: year 9999", "dispatcher", "POST", _move,
        lambda w: b'{"start": "9999-12-31T15:00:00Z"}', 400),
    Row("move: year 1", "dispatcher", "POST", _move,
        lambda w: b'{"start": "0001-01-01T00:00:00Z"}', 400),
    Row("waitlist: year 9999", "pat", "POST", lambda w, s: f"/me/plans/{w.pat_plan}/waitlist",
        lambda w: b'{"earliest": "9999-12-30T00:00:00Z", "latest": "9999-12-31T23:00:00Z"}', 400),
    Row("waitlist: year 1", "pat", "POST", lambda w, s: f"/me/plans/{w.pat_plan}/waitlist",
        lambda w: b'{"earliest": "0001-01-01T00:00:00Z", "latest": "2026-10-09T23:00:00Z"}', 400),
    Row("sick call: year 9999", "dispatcher", "POST", lambda w, s: f"/therapists/{w.ana}/sick",
        lambda w: b'{"dates": ["9999-12-31"]}', 400),
    Row("sick call: year 1", "dispatcher", "POST", lambda w, s: f"/therapists/{w.ana}/sick",
        lambda w: b'{"dates": ["0001-01-01"]}', 400),
    Row("sick call: a number for a date", "dispatcher", "POST",
        lambda w, s: f"/therapists/{w.ana}/sick", lambda w: b'{"dates": [20261005]}', 400),
    Row("optimization in the year 9999", "dispatcher", "POST",
        lambda w, s: f"/clinics/{w.clinic}/optimizations",
        lambda w: b'{"from": "9999-12-30", "to": "9999-12-31"}', 400),
    Row("week from 9999-12-31", "ana", "GET", lambda w, s: "/me/week?start=9999-12-31", None, 400),
    Row("week from year 1", "ana", "GET", lambda w, s: "/me/week?start=0001-01-01", None, 400),
    Row("board of 9999-12-31", "dispatcher", "GET",
        lambda w, s: f"/clinics/{w.clinic}/board?date=9999-12-31", None, 400),
    Row("board as of year 1", "dispatcher", "GET",
        lambda w, s: f"/clinics/{w.clinic}/board?date={MONDAY}&as_of=0001-01-01T00:00:00Z",
        None, 400),
    Row("FHIR slots of 9999-12-31", "dispatcher", "GET",
        lambda w, s: f"/fhir/Slot?practitioner={w.ana}&start=9999-12-31", None, 400),
    Row("FHIR slots from year 1", "dispatcher", "GET",
        lambda w, s: f"/fhir/Slot?practitioner={w.ana}&start=ge0001-01-01&start=le0001-01-02",
        None, 400),
    Row("FHIR appointments of year 9999", "dispatcher", "GET",
        lambda w, s: f"/fhir/Appointment?practitioner={w.ana}&date=ge9999-12-30", None, 400),
]  # fmt: skip


def _last_event(settings: Settings) -> int:
    app = Scheduling(settings.store_env(create_table=False))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_every_bad_input_is_a_4xx_and_writes_nothing(
    client: TestClient[Litestar], tokens: Tokens, world: World, settings: Settings
) -> None:
    booked = client.post(
        f"/plans/{world.quinn_plan}/sessions",
        json={"therapist_id": str(world.ana), "start": world.local["mon 14:00"].isoformat()},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    session = booked.json()["id"]
    for who in ("dispatcher", "pat", "ana"):
        assert tokens[who]  # signed in before the count starts
    client.cookies.clear()
    before = _last_event(settings)

    wrong = []
    for row in ROWS:
        headers = {**(tokens[row.who] if row.who else {}), **(row.headers or JSON)}
        body = row.body(world) if row.body else None
        response = client.request(
            row.method, row.path(world, session), content=body, headers=headers
        )
        shape = response.headers.get("content-type", "").split(";")[0]
        if response.status_code != row.status:
            wrong.append(f"{row.name}: {response.status_code} {response.text[:200]}")
            continue
        error = response.json()
        if shape.endswith("fhir+json"):
            assert error["resourceType"] == "OperationOutcome", row.name
        else:
            assert {"error", "detail", "request_id"} <= set(error), (row.name, error)
    assert not wrong, "\n".join(wrong)
    assert _last_event(settings) == before, "a refused request wrote an event"


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_good_json_still_books(
    client: TestClient[Litestar], tokens: Tokens, world: World, content_type: str
) -> None:
    body = f'{{"therapist_id": "{world.ana}", "start": "{world.local["mon 10:00"].isoformat()}"}}'
    response = client.post(
        f"/plans/{world.pat_plan}/sessions",
        content=body.encode(),
        headers={**tokens["dispatcher"], "Content-Type": content_type},
    )
    assert response.status_code == 201, response.text


def test_a_refused_field_is_named(
    client: TestClient[Litestar], tokens: Tokens, world: World
) -> None:
    response = client.post(
        f"/plans/{world.pat_plan}/sessions",
        content=_book("1790000000")(world),
        headers={**tokens["dispatcher"], **JSON},
    )
    assert response.status_code == 400
    assert response.json()["fields"] == [
        {"message": "Expected `datetime`, got `int`", "key": "start", "source": "body"}
    ]
    late = client.post(
        f"/therapists/{world.ana}/sick",
        content=b'{"dates": ["2026-10-05", "9999-12-31"]}',
        headers={**tokens["dispatcher"], **JSON},
    )
    assert late.status_code == 400
    assert late.json()["fields"][0]["key"] == "dates[1]"
