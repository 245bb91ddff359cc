"""Optimizations through the HTTP stack: queue, preview, apply; pins; sick calls (more in
`test_sick_calls.py`).

The in-process runner (embedded default) here; the SAQ path with a real `scheduler
worker` process on PostgreSQL and Redis at the end. Solver limits are 1 s.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api import create_app
from scheduler.domain import Scheduling
from scheduler.settings import Settings
from scheduler.store import migrate

from .conftest import REDIS_URL, SECRET, Tokens, login
from .world import MONDAY, NOW, WEEKDAYS_9_TO_5, Clock, World, seed

pytestmark = pytest.mark.slow

TUESDAY = MONDAY + timedelta(days=1)


def wait_for_job(client: TestClient[Litestar], headers: dict[str, str], job: dict[str, Any]) -> str:
    """Poll the job until it completes; returns its proposal id."""
    seen = [job["progress"]]
    for _ in range(240):
        state = client.get(f"/optimizations/{job['id']}", headers=headers)
        assert state.status_code == 200, state.text
        body = state.json()
        seen.append(body["progress"])
        assert body["status"] != "failed", body["error"]
        if body["status"] == "complete":
            assert body["progress"] == 1.0
            assert seen == sorted(seen)  # progress never goes back
            return str(body["proposal_id"])
        time.sleep(0.25)
    raise AssertionError(f"job {job['id']} did not finish: {seen[-5:]}")


def optimize(
    client: TestClient[Litestar], world: World, tokens: Tokens, first: Any, last: Any, **extra: Any
) -> dict[str, Any]:
    """Queue an optimization as the dispatcher, wait for it, return the preview."""
    desk = tokens["dispatcher"]
    body = {"from": str(first), "to": str(last), "time_limit_s": 1.0, **extra}
    queued = client.post(f"/clinics/{world.clinic}/optimizations", json=body, headers=desk)
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] in ("queued", "active")
    proposal = wait_for_job(client, desk, queued.json())
    preview = client.get(f"/proposals/{proposal}", headers=desk)
    assert preview.status_code == 200, preview.text
    return dict(preview.json())


def book(
    client: TestClient[Litestar], headers: dict[str, str], plan: UUID, therapist: UUID, at: Any
) -> str:
    response = client.post(
        f"/plans/{plan}/sessions",
        headers=headers,
        json={"therapist_id": str(therapist), "start": at.isoformat()},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def ana_visits(
    client: TestClient[Litestar], world: World, tokens: Tokens, day: Any
) -> list[dict[str, Any]]:
    board = client.get(
        f"/clinics/{world.clinic}/board", params={"date": str(day)}, headers=tokens["dispatcher"]
    ).json()
    return next(r["visits"] for r in board["routes"] if r["therapist_id"] == str(world.ana))


def test_optimize_a_day_preview_and_apply_as_booking_commands(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    pats = book(client, tokens["pat"], world.pat_plan, world.ana, world.local["mon 10:00"])

    preview = optimize(client, world, tokens, MONDAY, MONDAY)

    assert [i["session_id"] for i in preview["unchanged"]] == [pats]
    assert preview["moved"] == []
    assert preview["stale"] == []
    assert preview["unplaced"] == []
    # Pat's plan already has Monday's session; Quinn's gets one, with the only mobile
    # therapist who treats MS, on Monday, not overlapping Pat's.
    (added,) = preview["added"]
    assert added["plan_id"] == str(world.quinn_plan)
    assert added["to"]["therapist_id"] == str(world.ana)
    assert added["to"]["start_local"].startswith(str(MONDAY))
    travel = preview["travel"]
    assert travel["km_after"] > travel["km_before"] > 0  # one more home visit on Ana's route
    assert travel["km_saved"] == pytest.approx(travel["km_before"] - travel["km_after"], abs=0.01)

    applied = client.post(f"/proposals/{preview['id']}/apply", headers=tokens["dispatcher"])
    assert applied.status_code == 200, applied.text
    assert applied.json()["conflicts"] == []
    (booked,) = applied.json()["applied"]
    assert [i["session_id"] for i in applied.json()["unchanged"]] == [pats]

    session = client.get(f"/sessions/{booked['session_id']}", headers=tokens["quinn"]).json()
    assert (session["plan_id"], session["therapist_id"]) == (str(world.quinn_plan), str(world.ana))
    assert session["start_local"] == added["to"]["start_local"]
    history = client.get(f"/sessions/{booked['session_id']}/history", headers=tokens["dispatcher"])
    me = client.get("/auth/me", headers=tokens["dispatcher"]).json()
    assert [(e["event"], e["actor"]) for e in history.json()] == [
        ("Booked", f"dispatcher:{me['id']}")
    ]
    assert history.json()[0]["reason"] == f"optimization proposal {preview['id']}"

    again = client.post(f"/proposals/{preview['id']}/apply", headers=tokens["dispatcher"])
    assert again.status_code == 409
    assert again.json()["error"] == "proposal_already_applied"
    after = client.get(f"/proposals/{preview['id']}", headers=tokens["dispatcher"]).json()
    assert after["status"] == "applied"
    assert after["outcomes"] == [
        {"plan_id": str(world.quinn_plan), "session_id": booked["session_id"], "result": "applied"}
    ]
    assert len(ana_visits(client, world, tokens, MONDAY)) == 2


def test_a_booking_made_meanwhile_wins_and_the_rest_is_applied(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    preview = optimize(client, world, tokens, MONDAY, TUESDAY)
    assert {i["plan_id"] for i in preview["added"]} == {str(world.pat_plan), str(world.quinn_plan)}
    # Quinn books herself before the dispatcher applies.
    quinns = book(client, tokens["quinn"], world.quinn_plan, world.ana, world.local["mon 14:00"])

    again = client.get(f"/proposals/{preview['id']}", headers=tokens["dispatcher"]).json()
    assert [i["plan_id"] for i in again["stale"]] == [str(world.quinn_plan)]

    outcome = client.post(f"/proposals/{preview['id']}/apply", headers=tokens["dispatcher"]).json()
    assert [(c["plan_id"], c["error"]) for c in outcome["conflicts"]] == [
        (str(world.quinn_plan), "plan_changed")
    ]
    assert [a["plan_id"] for a in outcome["applied"]] == [str(world.pat_plan)]
    plan = client.get(f"/plans/{world.quinn_plan}", headers=tokens["quinn"]).json()
    assert plan["session_ids"] == [quinns]  # hers stands; the proposal booked nothing more
    for day in (MONDAY, TUESDAY):
        visits = sorted(ana_visits(client, world, tokens, day), key=lambda v: v["start_local"])
        for one, two in itertools.pairwise(visits):
            assert one["end_local"] <= two["start_local"]  # never two at once


def test_a_pinned_visit_stays_where_it_is(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    pats = book(client, tokens["pat"], world.pat_plan, world.ana, world.local["mon 14:00"])
    pinned = client.post(
        f"/sessions/{pats}/pin", json={"reason": "fixed appointment"}, headers=tokens["dispatcher"]
    )
    assert pinned.status_code == 200
    assert pinned.json() == {
        "session_id": pats,
        "pinned": True,
        "changed": True,
    }

    preview = optimize(client, world, tokens, MONDAY, MONDAY, keep_booked=False)

    assert [i["session_id"] for i in preview["unchanged"]] == [pats]
    assert all(i["session_id"] != pats for i in preview["moved"])
    history = client.get(f"/sessions/{pats}/history", headers=tokens["dispatcher"]).json()
    assert [e["event"] for e in history] == ["Booked", "Pinned"]
    released = client.delete(f"/sessions/{pats}/pin", headers=tokens["dispatcher"])
    assert released.json()["pinned"] is False
    assert released.json()["changed"] is True


def _add_cleo(settings: Settings, world: World) -> UUID:
    """A second mobile MS therapist, registered straight into the test's store."""
    app = Scheduling(settings.store_env(create_table=False))
    try:
        return app.register_therapist(
            clinic_id=world.clinic,
            name="Cleo Cruz",
            specializations=["ms"],
            mobile=True,
            home=(41.93, -87.66),
            shifts=WEEKDAYS_9_TO_5,
            actor="seed",
            now=NOW,
        )
    finally:
        app.close()


def test_a_sick_call_replans_only_that_therapists_visits_on_those_days(
    settings: Settings, world: World, client: TestClient[Litestar], tokens: Tokens
) -> None:
    cleo = _add_cleo(settings, world)
    desk = tokens["dispatcher"]
    pats = book(client, desk, world.pat_plan, world.ana, world.local["mon 10:00"])
    quinns = book(client, desk, world.quinn_plan, cleo, world.local["mon 14:00"])

    call = client.post(
        f"/therapists/{world.ana}/sick",
        json={"dates": [str(MONDAY)], "reason": "flu", "time_limit_s": 1.0},
        headers=desk,
    )
    assert call.status_code == 202, call.text
    assert call.json()["job"]["purpose"] == "replan"
    proposal = wait_for_job(client, desk, call.json()["job"])
    preview = client.get(f"/proposals/{proposal}", headers=desk).json()

    assert [i["session_id"] for i in preview["unchanged"]] == [quinns]
    (moved,) = preview["moved"]
    assert moved["session_id"] == pats
    # Anywhere in Pat's cadence window but Ana's sick day (another day with Ana keeps
    # continuity; Cleo on Monday keeps the day).
    to = moved["to"]
    assert to["therapist_id"] == str(cleo) or not to["start_local"].startswith(str(MONDAY))
    assert preview["added"] == []
    board_ana = client.get(
        f"/clinics/{world.clinic}/board", params={"date": str(MONDAY)}, headers=desk
    ).json()
    ana = next(r for r in board_ana["routes"] if r["therapist_id"] == str(world.ana))
    assert [u["kind"] for u in ana["unavailable"]] == ["sick"]

    outcome = client.post(f"/proposals/{proposal}/apply", headers=desk).json()
    assert [a["session_id"] for a in outcome["applied"]] == [pats]
    assert outcome["conflicts"] == []
    session = client.get(f"/sessions/{pats}", headers=desk).json()
    assert (session["status"], session["therapist_id"]) == ("booked", to["therapist_id"])
    assert ana_visits(client, world, tokens, MONDAY) == []


def test_bad_ranges_are_refused_and_queue_nothing(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    desk = tokens["dispatcher"]
    url = f"/clinics/{world.clinic}/optimizations"
    past = NOW.date() - timedelta(days=1)
    for body, status in (
        ({"from": str(TUESDAY), "to": str(MONDAY)}, 422),
        ({"from": str(past), "to": str(MONDAY)}, 422),
        ({"from": str(MONDAY), "to": str(MONDAY + timedelta(days=40))}, 422),
        ({"from": str(MONDAY), "to": str(MONDAY), "time_limit_s": 0}, 400),
        ({"from": "monday", "to": str(MONDAY)}, 400),
    ):
        response = client.post(url, json=body, headers=desk)
        assert response.status_code == status, (body, response.text)
    unknown = client.get("/optimizations/no-such-job", headers=desk)
    assert unknown.status_code == 404


# --- the SAQ path: a real `scheduler worker` on PostgreSQL and Redis -------------------


@pytest.fixture
def queued_settings(
    tmp_path: Path, pg_database: dict[str, str], redis_prefix: str
) -> Iterator[Settings]:
    """PostgreSQL and Redis, with this test's own queue (its SAQ keys removed afterwards)."""
    yield Settings(
        data_dir=tmp_path,
        database_url=pg_database["dsn"],
        jwt_secret=SECRET,
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        store_threads=4,
    )
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"saq:*{redis_prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def worker(queued_settings: Settings) -> Iterator[subprocess.Popen[str]]:
    """`scheduler worker` against the test's database and queue (migrated first, as a
    deployment's `scheduler migrate` step does: the worker also delivers notifications)."""
    settings = queued_settings
    migrate(settings.store_env(create_table=True))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCHEDULER_", "POSTGRES_"))}
    env.update(
        DATABASE_URL=str(settings.database_url),
        REDIS_URL=REDIS_URL,
        SCHEDULER_REDIS_PREFIX=settings.redis_prefix,
        SCHEDULER_JWT_SECRET=SECRET,
        SCHEDULER_DATA_DIR=str(settings.data_dir),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from scheduler.cli import main; sys.exit(main(['worker']))",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.mark.postgres
@pytest.mark.redis
def test_the_saq_worker_solves_and_stops_gracefully(
    queued_settings: Settings, worker: subprocess.Popen[str]
) -> None:
    world = seed(queued_settings)
    body = {"from": str(MONDAY), "to": str(TUESDAY), "time_limit_s": 1.0}
    # One API process queues the job and goes away; another follows it and applies:
    # the job lives in Redis, the proposal in the event store.
    with TestClient(create_app(queued_settings, clock=Clock())) as first:
        desk = login(first, "dispatcher")
        queued = first.post(f"/clinics/{world.clinic}/optimizations", json=body, headers=desk)
        assert queued.status_code == 202, queued.text
    with TestClient(create_app(queued_settings, clock=Clock())) as second:
        desk = login(second, "dispatcher")
        proposal = wait_for_job(second, desk, queued.json())
        preview = second.get(f"/proposals/{proposal}", headers=desk).json()
        assert {i["plan_id"] for i in preview["added"]} == {
            str(world.pat_plan),
            str(world.quinn_plan),
        }
        outcome = second.post(f"/proposals/{proposal}/apply", headers=desk)
        assert len(outcome.json()["applied"]) == 2
        assert outcome.json()["conflicts"] == []
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    output = worker.stdout.read() if worker.stdout else ""
    assert "processing queue" in output


def test_with_the_queue_down_nothing_is_queued_and_the_answer_says_so(
    settings: Settings, world: World, clock: Clock
) -> None:
    down = dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0")
    with TestClient(create_app(down, clock=clock)) as client:
        desk = login(client, "dispatcher")
        body = {"from": str(MONDAY), "to": str(MONDAY), "time_limit_s": 1.0}
        response = client.post(f"/clinics/{world.clinic}/optimizations", json=body, headers=desk)
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "optimization_queue_unavailable"
        assert client.get("/optimizations/any-job", headers=desk).status_code == 503
    # ...and the app still shut down cleanly (the `with` block above).
