"""What the options keep between searches on PostgreSQL is never stale, across processes.

Two API instances share one database (as two `scheduler serve` processes do). One keeps
the plan's side (`options.plan_sides`) and the clinic's days (`options.index`); the
other changes them. Each kept answer is reused while nothing it came from changed, and
read again as soon as something did: the counters of reads say which happened, the
options say that the answer is right.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from scheduler.api.app import create_app
from scheduler.domain import Scheduling
from scheduler.readside.projector import Projector
from scheduler.settings import Settings

from .conftest import Clock, Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis).
from .production import (  # noqa: F401
    production_settings,
    production_world,
    seeded_database,
)
from .world import World

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def other(settings: Settings, world: World, clock: Clock) -> Iterator[TestClient[Litestar]]:
    """A second API instance over the same database and Redis."""
    with TestClient(create_app(settings, clock=clock), raise_server_exceptions=False) as client:
        yield client


def _options(
    client: TestClient[Litestar], tokens: Tokens, plan: object, who: str = "pat", **query: Any
) -> Any:
    path = f"/me/plans/{plan}/options" if who == "pat" else f"/plans/{plan}/options"
    response = client.get(path, params={"size": 100, **query}, headers=tokens[who])
    assert response.status_code == 200, response.text
    return response.json()


def _day(option: dict[str, Any]) -> date:
    return datetime.fromisoformat(option["start_local"]).date()


def test_the_plan_side_is_reused_until_another_process_changes_it(
    client: TestClient[Litestar], other: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    sides = client.app.state.reads.plans
    first = _options(client, tokens, world.pat_plan)
    assert first["total"] > 0
    assert sides.reads == 1
    again = _options(client, tokens, world.pat_plan)
    assert again == first
    assert sides.reads == 1, "nothing changed: the plan's side is reused"

    # The desk, on the other instance, books Pat's next session at the top option.
    top = first["options"][0]
    booked = other.post(
        f"/plans/{world.pat_plan}/sessions",
        json={"therapist_id": top["therapist_id"], "start": top["start"]},
        headers=tokens["dispatcher"],
    )
    assert booked.status_code == 201, booked.text
    after = _options(client, tokens, world.pat_plan)
    assert sides.reads == 2, "the plan changed in the other process: read again"
    assert after["window"] != first["window"]
    assert f"{_day(top):%a %-d %b}" in after["window"], after["window"]
    assert all((_day(o) - _day(top)).days >= 3 for o in after["options"]), "the cadence holds"

    # Pat cancels it on the other instance: the options are those of before again.
    session = booked.json()["id"]
    cancelled = other.post(
        f"/sessions/{session}/cancel", json={"reason": "changed my mind"}, headers=tokens["pat"]
    )
    assert cancelled.status_code == 200, cancelled.text
    back = _options(client, tokens, world.pat_plan)
    assert sides.reads == 3
    assert back["window"] == first["window"]
    assert back["total"] == first["total"]


def test_the_clinic_s_days_are_read_once_per_change_of_the_read_model(
    settings: Settings,
    client: TestClient[Litestar],
    other: TestClient[Litestar],
    world: World,
    tokens: Tokens,
) -> None:
    days = client.app.state.reads.days
    with Projector(settings) as projector:
        projector.wait(_last(settings), timeout=30)
        first = _options(client, tokens, world.pat_plan)
        afternoons = _options(client, tokens, world.pat_plan, part_of_day="afternoon")
        moving_on = _options(client, tokens, world.quinn_plan, "dispatcher")
        assert days.reads == 1, "three searches of one clinic, one read of its days"
        assert 0 < afternoons["total"] < first["total"]
        ana = str(world.ana)
        assert moving_on["total"] > 0

        # Quinn is booked with Ana, on the other instance, at a time Pat was offered.
        pat_starts = {(o["therapist_id"], o["start"]) for o in first["options"]}
        shared = next(
            o
            for o in moving_on["options"]
            if (o["therapist_id"], o["start"]) in pat_starts and o["therapist_id"] == ana
        )
        day = _day(shared).isoformat()
        ana_that_day = _options(
            client, tokens, world.pat_plan, therapist_id=ana, first_day=day, last_day=day
        )
        assert days.reads == 1
        booked = other.post(
            f"/plans/{world.quinn_plan}/sessions",
            json={"therapist_id": shared["therapist_id"], "start": shared["start"]},
            headers=tokens["dispatcher"],
        )
        assert booked.status_code == 201, booked.text
        projector.wait(_last(settings), timeout=30)
        after = _options(
            client, tokens, world.pat_plan, therapist_id=ana, first_day=day, last_day=day
        )
        assert days.reads == 2, "the board changed: the days are read again"
        assert (
            _options(client, tokens, world.pat_plan, therapist_id=ana, first_day=day, last_day=day)
            == after
        )
        assert days.reads == 2, "and kept again"
        offered = {(o["therapist_id"], o["start"]) for o in after["options"]}
        assert (shared["therapist_id"], shared["start"]) not in offered
        start = datetime.fromisoformat(shared["start"])
        hour = timedelta(hours=1)
        assert not any(
            o["therapist_id"] == shared["therapist_id"]
            and datetime.fromisoformat(o["start"]) < start + hour
            and start < datetime.fromisoformat(o["start"]) + hour
            for o in after["options"]
        ), "nothing overlapping Quinn's visit is offered with Ana"
        assert (shared["therapist_id"], shared["start"]) in {
            (o["therapist_id"], o["start"]) for o in ana_that_day["options"]
        }
        assert after["total"] < ana_that_day["total"]

        # Moving Quinn's visit, from the kept days: its own time is free again (the
        # day's frame is searched without it), and nothing else of the day changed.
        moves = client.get(
            f"/sessions/{booked.json()['id']}/options",
            params={"therapist_id": ana, "first_day": day, "last_day": day, "size": 100},
            headers=tokens["dispatcher"],
        )
        assert moves.status_code == 200, moves.text
        assert days.reads == 2, "a move's search uses the kept days too"
        assert (shared["therapist_id"], shared["start"]) in {
            (o["therapist_id"], o["start"]) for o in moves.json()["options"]
        }


def _last(settings: Settings) -> int:
    app = Scheduling(settings.store_env(create_table=False))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()
