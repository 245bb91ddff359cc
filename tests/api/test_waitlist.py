"""The waitlist over HTTP: B waits, A cancels, B is offered the slot and books it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from .conftest import Tokens

# The production shape (PostgreSQL with a seeded copy per test, Redis) for every test here.
from .production import (  # noqa: F401
    production_settings,
    production_world,
    seeded_database,
)
from .world import EMAILS, MONDAY, PASSWORD, World

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def _book(
    client: TestClient[Litestar], tokens: Tokens, who: str, plan: UUID, slot: dict[str, str]
) -> str:
    response = client.post(f"/plans/{plan}/sessions", json=slot, headers=tokens[who])
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _slot(world: World, clock: str) -> dict[str, str]:
    """Ana at local `clock` on Monday, as a booking body."""
    return {"therapist_id": str(world.ana), "start": world.local[clock].isoformat()}


def _quinn_waits(client: TestClient[Litestar], world: World, tokens: Tokens) -> dict[str, Any]:
    """Quinn waits for Ana on Monday, any time of her shift."""
    response = client.post(
        f"/me/plans/{world.quinn_plan}/waitlist",
        json={
            "earliest": (world.local["mon 10:00"] - timedelta(hours=1)).isoformat(),  # 09:00
            "latest": (world.local["mon 14:00"] + timedelta(hours=3)).isoformat(),  # 17:00
            "therapist_id": str(world.ana),
        },
        headers=tokens["quinn"],
    )
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry


def _offers(client: TestClient[Litestar], tokens: Tokens, who: str) -> list[dict[str, Any]]:
    response = client.get("/me/offers", headers=tokens[who])
    assert response.status_code == 200, response.text
    offers: list[dict[str, Any]] = response.json()
    return offers


def test_a_waiting_patient_is_offered_a_cancelled_slot_and_books_it(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    pats = _book(client, tokens, "pat", world.pat_plan, _slot(world, "mon 10:00"))
    entry = _quinn_waits(client, world, tokens)
    assert entry["status"] == "waiting"
    assert _offers(client, tokens, "quinn") == []
    cancelled = client.post(f"/sessions/{pats}/cancel", json={}, headers=tokens["pat"])
    assert cancelled.status_code == 200
    (offer,) = _offers(client, tokens, "quinn")
    assert offer["status"] == "open"
    assert offer["start"] == world.local["mon 10:00"].isoformat().replace("+00:00", "Z")
    assert offer["start_local"].startswith(f"{MONDAY}T10:00:00")
    assert _offers(client, tokens, "pat") == []  # offers are private to their patient
    assert client.post(f"/offers/{offer['id']}/accept", headers=tokens["pat"]).status_code == 404
    accepted = client.post(f"/offers/{offer['id']}/accept", headers=tokens["quinn"])
    assert accepted.status_code == 200, accepted.text
    session = accepted.json()
    assert (session["patient_id"], session["therapist_id"], session["start"]) == (
        str(world.quinn),
        str(world.ana),
        offer["start"],
    )
    mine = client.get("/me/sessions", headers=tokens["quinn"]).json()
    assert [s["id"] for s in mine] == [session["id"]]
    (done,) = _offers(client, tokens, "quinn")
    assert (done["status"], done["session_id"]) == ("accepted", session["id"])
    again = client.post(f"/offers/{offer['id']}/accept", headers=tokens["quinn"])
    assert again.status_code == 200  # a retry answers the same booking
    assert again.json()["id"] == session["id"]


def test_an_offer_for_a_slot_taken_meanwhile_is_refused_and_nothing_is_double_booked(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    pats = _book(client, tokens, "pat", world.pat_plan, _slot(world, "mon 10:00"))
    _quinn_waits(client, world, tokens)
    client.post(f"/sessions/{pats}/cancel", json={}, headers=tokens["pat"])
    (offer,) = _offers(client, tokens, "quinn")
    # Before Quinn answers, the front desk books the freed slot for Pat again.
    rebooked = _book(client, tokens, "dispatcher", world.pat_plan, _slot(world, "mon 10:00"))
    refused = client.post(f"/offers/{offer['id']}/accept", headers=tokens["quinn"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "offer_lapsed"
    assert "nothing was booked" in refused.json()["detail"]
    board = client.get(
        f"/clinics/{world.clinic}/board", params={"date": str(MONDAY)}, headers=tokens["dispatcher"]
    ).json()
    ana = next(r for r in board["routes"] if r["therapist_id"] == str(world.ana))
    assert [v["session_id"] for v in ana["visits"]] == [rebooked]
    assert client.get("/me/sessions", headers=tokens["quinn"]).json() == []
    (lapsed,) = _offers(client, tokens, "quinn")
    assert lapsed["status"] == "lapsed"
    desk = client.get(f"/clinics/{world.clinic}/waitlist", headers=tokens["dispatcher"]).json()
    assert [e["status"] for e in desk["entries"]] == ["waiting"]  # Quinn keeps waiting


def test_joining_twice_declining_and_leaving(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    _quinn_waits(client, world, tokens)
    twice = client.post(
        f"/me/plans/{world.quinn_plan}/waitlist",
        json={"earliest": world.local["mon 10:00"].isoformat(), "latest": "2026-10-09T22:00:00Z"},
        headers=tokens["quinn"],
    )
    assert twice.status_code == 409
    assert twice.json()["error"] == "already_waiting"
    reversed_window = client.post(
        f"/me/plans/{world.pat_plan}/waitlist",
        json={"earliest": "2026-10-09T22:00:00Z", "latest": world.local["mon 10:00"].isoformat()},
        headers=tokens["pat"],
    )
    assert reversed_window.status_code == 422
    assert reversed_window.json()["error"] == "invalid_duration"
    for_pat = client.post(
        f"/plans/{world.pat_plan}/waitlist",
        json={"earliest": "2026-10-05T14:00:00Z", "latest": "2026-10-09T22:00:00Z"},
        headers=tokens["dispatcher"],
    )
    assert for_pat.status_code == 201, for_pat.text
    assert for_pat.json()["patient_id"] == str(world.pat)
    left_by_desk = client.delete(
        f"/plans/{world.pat_plan}/waitlist", headers=tokens["other_dispatcher"]
    )
    assert left_by_desk.status_code == 403
    assert (
        client.delete(f"/plans/{world.pat_plan}/waitlist", headers=tokens["dispatcher"]).status_code
        == 204
    )
    not_hers = client.post(
        f"/me/plans/{world.quinn_plan}/waitlist",
        json={"earliest": "2026-10-05T14:00:00Z", "latest": "2026-10-09T22:00:00Z"},
        headers=tokens["pat"],
    )
    assert not_hers.status_code == 403
    pats = _book(client, tokens, "pat", world.pat_plan, _slot(world, "mon 10:00"))
    client.post(f"/sessions/{pats}/cancel", json={}, headers=tokens["pat"])
    (offer,) = _offers(client, tokens, "quinn")
    declined = client.delete(f"/offers/{offer['id']}", headers=tokens["quinn"])
    assert declined.status_code == 204
    assert [o["status"] for o in _offers(client, tokens, "quinn")] == ["declined"]
    left = client.delete(f"/me/plans/{world.quinn_plan}/waitlist", headers=tokens["quinn"])
    assert left.status_code == 204
    gone = client.delete(f"/me/plans/{world.quinn_plan}/waitlist", headers=tokens["quinn"])
    assert gone.status_code == 404


def test_a_booked_session_is_moved_earlier_when_time_frees(
    client: TestClient[Litestar], world: World, tokens: Tokens
) -> None:
    pats = _book(client, tokens, "pat", world.pat_plan, _slot(world, "mon 10:00"))
    tuesday = {**_slot(world, "mon 10:00")}
    tuesday["start"] = (world.local["mon 10:00"] + timedelta(days=1)).isoformat()
    quinns = _book(client, tokens, "quinn", world.quinn_plan, tuesday)
    window = {
        "earliest": (world.local["mon 10:00"] - timedelta(hours=1)).isoformat(),
        "latest": (world.local["mon 14:00"] + timedelta(hours=3)).isoformat(),
        "session_id": quinns,
    }
    joined = client.post(
        f"/me/plans/{world.quinn_plan}/waitlist", json=window, headers=tokens["quinn"]
    )
    assert joined.status_code == 201, joined.text
    assert joined.json()["session_id"] == quinns
    client.post(f"/sessions/{pats}/cancel", json={}, headers=tokens["pat"])
    (offer,) = _offers(client, tokens, "quinn")
    assert offer["moves"] == quinns
    moved = client.post(f"/offers/{offer['id']}/accept", headers=tokens["quinn"])
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == quinns
    assert moved.json()["start"] == offer["start"]
    assert [s["id"] for s in client.get("/me/sessions", headers=tokens["quinn"]).json()] == [quinns]


def test_racing_acceptances_of_one_offer_book_once(app: Litestar, world: World) -> None:
    async def race() -> list[tuple[int, str]]:
        async with AsyncTestClient(app) as client:
            quinn = await _sign_in(client, "quinn")
            pat = await _sign_in(client, "pat")
            body = _slot(world, "mon 10:00")
            booked = await client.post(f"/plans/{world.pat_plan}/sessions", json=body, headers=pat)
            await client.post(f"/sessions/{booked.json()['id']}/cancel", json={}, headers=pat)
            window = {
                "earliest": (world.local["mon 10:00"] - timedelta(hours=1)).isoformat(),
                "latest": (world.local["mon 14:00"] + timedelta(hours=3)).isoformat(),
            }
            joined = await client.post(
                f"/me/plans/{world.quinn_plan}/waitlist", json=window, headers=quinn
            )
            assert joined.status_code == 201, joined.text
            (offer,) = (await client.get("/me/offers", headers=quinn)).json()
            answers = await asyncio.gather(
                *(client.post(f"/offers/{offer['id']}/accept", headers=quinn) for _ in range(4))
            )
            sessions = (await client.get("/me/sessions", headers=quinn)).json()
            assert len(sessions) == 1
            return [(a.status_code, a.json().get("id", a.text)) for a in answers]

    answers = asyncio.run(race())
    # Every request answers the one session the winner booked.
    assert {status for status, _ in answers} == {200}
    assert len({session for _, session in answers}) == 1


async def _sign_in(client: Any, who: str) -> dict[str, str]:
    response = await client.post("/auth/login", json={"email": EMAILS[who], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
