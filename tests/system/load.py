"""Booking traffic: bounded concurrency, spread over API processes, every answer kept.

An `Attempt` is one booking a client wants; its `Outcome` is what the API answered (or
the transport error instead of an answer). Figures are written to
`artifacts/system-figures.json` and printed, per scenario.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

import httpx

from api.world import PASSWORD

DESK_EMAIL = "desk@system.example"

FIGURES = Path(__file__).resolve().parents[2] / "artifacts" / "system-figures.json"
REQUEST_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Attempt:
    """One booking request: which plan, which therapist, when, under which key."""

    plan: UUID
    therapist: UUID
    start: datetime
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    def body(self) -> dict[str, str]:
        """The JSON body of POST /plans/{plan}/sessions."""
        return {"therapist_id": str(self.therapist), "start": self.start.isoformat()}


@dataclass
class Outcome:
    """What one request of an attempt got back."""

    attempt: Attempt
    target: str
    status: int | None  # None: no HTTP answer (connection refused or cut)
    session_id: UUID | None = None
    error: str = ""
    retry_after: str | None = None
    replayed: bool = False
    answered_at: float = field(default_factory=time.monotonic)


def sign_in(base_url: str) -> dict[str, str]:
    """The desk's Authorization header, signed in through the API."""
    response = httpx.post(
        base_url + "/auth/login",
        json={"email": DESK_EMAIL, "password": PASSWORD},
        timeout=REQUEST_TIMEOUT_S,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def book(
    client: httpx.AsyncClient, base_url: str, headers: dict[str, str], attempt: Attempt
) -> Outcome:
    """Send one booking (with its Idempotency-Key) and record the answer."""
    try:
        response = await client.post(
            f"{base_url}/plans/{attempt.plan}/sessions",
            json=attempt.body(),
            headers={**headers, "Idempotency-Key": attempt.key},
        )
    except httpx.TransportError as error:
        return Outcome(attempt, base_url, None, error=type(error).__name__)
    session = None
    if response.status_code == 201:
        session = UUID(response.json()["id"])
    return Outcome(
        attempt,
        base_url,
        response.status_code,
        session_id=session,
        error="" if response.status_code == 201 else response.json().get("error", ""),
        retry_after=response.headers.get("retry-after"),
        replayed=response.headers.get("idempotent-replayed") == "true",
    )


async def run_load(
    attempts: Sequence[Attempt],
    targets: Callable[[int], str],
    headers: dict[str, str],
    *,
    concurrency: int,
    on_progress: Callable[[int], None] | None = None,
    timeout_s: float = REQUEST_TIMEOUT_S,
) -> list[Outcome]:
    """Send every attempt, `concurrency` at a time; attempt i goes to `targets(i)`.

    `on_progress(done)` is called after each answer (faults are injected from it).
    """
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    done = 0
    async with httpx.AsyncClient(timeout=timeout_s, limits=limits) as client:

        async def one(index: int, attempt: Attempt) -> Outcome:
            nonlocal done
            async with gate:
                outcome = await book(client, targets(index), headers, attempt)
            done += 1
            if on_progress is not None:
                on_progress(done)
            return outcome

        return list(await asyncio.gather(*(one(i, a) for i, a in enumerate(attempts))))


def statuses(outcomes: Sequence[Outcome]) -> Counter[str]:
    """How many answers of each status (`transport` for no answer)."""
    return Counter("transport" if o.status is None else str(o.status) for o in outcomes)


def acknowledged(outcomes: Sequence[Outcome]) -> dict[UUID, Outcome]:
    """The sessions the API confirmed with 201, by id."""
    return {o.session_id: o for o in outcomes if o.session_id is not None}


def record_figures(scenario: str, figures: dict[str, object]) -> None:
    """Print the scenario's figures and merge them into the figures file."""
    print(f"\n[system] {scenario}: {json.dumps(figures, sort_keys=True)}")
    FIGURES.parent.mkdir(exist_ok=True)
    known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    known[scenario] = figures
    FIGURES.write_text(json.dumps(known, indent=2, sort_keys=True) + "\n")
