"""How the model machine's commands reach the service: the use-case layer in this process,
or HTTP to two API processes in turn. Both answer the same `Answer`."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

import httpx

from scheduler.domain import Scheduling
from scheduler.domain.errors import SchedulingError
from scheduler.usecases import Actor, UseCases
from scheduler.usecases import evaluations as evaluations_actions
from scheduler.usecases import sessions as sessions_actions
from scheduler.usecases import waitlist as waitlist_actions
from scheduler.usecases.errors import Forbidden
from scheduler.worker import JobState

from .world import ModelWorld

EVALUATION_REASON = "multiple sclerosis"
"""What the new patient's evaluation is for: Ana and Ben treat it, Cleo does not."""


@dataclass(frozen=True)
class Answer:
    """What a command came to: ok with a value, or refused with the rule's code."""

    ok: bool
    code: str = ""
    value: Any = None


class Driver(Protocol):
    """One way to send the machine's commands."""

    world: ModelWorld

    def book(
        self, who: str, plan: UUID, therapist: UUID, start: datetime, overrides: dict[str, str]
    ) -> Answer: ...
    def move(
        self, who: str, session: UUID, start: datetime, overrides: dict[str, str]
    ) -> Answer: ...
    def cancel(self, who: str, session: UUID) -> Answer: ...
    def complete(self, who: str, session: UUID) -> Answer: ...
    def no_show(self, who: str, session: UUID) -> Answer: ...
    def pin(self, who: str, session: UUID) -> Answer: ...
    def join(self, who: str, plan: UUID, first: date, last: date) -> Answer: ...
    def leave(self, who: str, plan: UUID) -> Answer: ...
    def offers(self, who: str) -> list[UUID]: ...
    def accept(self, who: str, offer: UUID) -> Answer: ...
    def decline(self, who: str, offer: UUID) -> Answer: ...
    def sick(self, who: str, therapist: UUID, day: date) -> Answer: ...
    def undo_sick(self, who: str, sick_call: UUID) -> Answer: ...
    def evaluation(self, who: str, patient: UUID, therapist: UUID, start: datetime) -> Answer: ...


class JobSink:
    """Where the model's sick calls queue their re-plans: accepted, never solved (the
    model is about the calendar's rules, not the solver's)."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobState] = {}

    async def submit(self, request: Any) -> str:
        job_id = f"job-{len(self.jobs)}"
        self.jobs[job_id] = JobState(job_id, request.clinic_id, request.purpose, "queued", 0.0)
        return job_id

    async def state(self, job_id: str) -> JobState | None:
        return self.jobs.get(job_id)


class LocalDriver:
    """Commands through the use-case layer, in this process, on the app's own clock."""

    def __init__(self, app: Scheduling, world: ModelWorld, clock: Any) -> None:
        self.app = app
        self.world = world
        self.uc = UseCases.local(app, clock=clock, jobs=JobSink())
        self.actors: dict[str, Actor] = {
            "desk": Actor(UUID(int=1), "dispatcher", None, world.clinic)
        }
        for n, (name, patient) in enumerate(world.patients.items(), start=10):
            self.actors[name] = Actor(UUID(int=n), "patient", patient, world.clinic)
        for n, (name, therapist) in enumerate(world.therapists.items(), start=20):
            self.actors[name] = Actor(UUID(int=n), "therapist", therapist, world.clinic)

    def _run(self, action: Any, who: str, *args: Any, **kwargs: Any) -> Answer:
        try:
            value = asyncio.run(action(self.uc, self.actors[who], *args, **kwargs))
        except SchedulingError as error:
            return Answer(False, error.code)
        except Forbidden as error:
            return Answer(False, error.code)
        return Answer(True, value=value)

    def book(
        self, who: str, plan: UUID, therapist: UUID, start: datetime, overrides: dict[str, str]
    ) -> Answer:
        answer = self._run(
            sessions_actions.book,
            who,
            plan,
            therapist_id=therapist,
            start=start,
            overrides=overrides or None,
        )
        return Answer(True, value=answer.value.id) if answer.ok else answer

    def move(self, who: str, session: UUID, start: datetime, overrides: dict[str, str]) -> Answer:
        return self._run(
            sessions_actions.move, who, session, start=start, overrides=overrides or None
        )

    def cancel(self, who: str, session: UUID) -> Answer:
        return self._run(sessions_actions.cancel, who, session)

    def complete(self, who: str, session: UUID) -> Answer:
        return self._run(
            sessions_actions.complete,
            who,
            session,
            note="worked on it",
            pain_before=5,
            pain_after=3,
        )

    def no_show(self, who: str, session: UUID) -> Answer:
        return self._run(sessions_actions.no_show, who, session, reason="not home")

    def pin(self, who: str, session: UUID) -> Answer:
        return self._run(sessions_actions.pin, who, session, pinned=True)

    def join(self, who: str, plan: UUID, first: date, last: date) -> Answer:
        return self._run(waitlist_actions.join_days, who, plan, first=first, last=last)

    def leave(self, who: str, plan: UUID) -> Answer:
        return self._run(waitlist_actions.leave, who, plan)

    def offers(self, who: str) -> list[UUID]:
        answer = self._run(waitlist_actions.offers, who)
        return [o.id for o in answer.value[0] if o.status == "open"] if answer.ok else []

    def accept(self, who: str, offer: UUID) -> Answer:
        return self._run(waitlist_actions.accept, who, offer)

    def decline(self, who: str, offer: UUID) -> Answer:
        return self._run(waitlist_actions.decline, who, offer)

    def sick(self, who: str, therapist: UUID, day: date) -> Answer:
        from scheduler.usecases import sick_calls  # noqa: PLC0415 - only the model needs it

        answer = self._run(sick_calls.report_sick, who, therapist, dates=[day], time_limit_s=1.0)
        return Answer(True, value=answer.value.sick_call_id) if answer.ok else answer

    def undo_sick(self, who: str, sick_call: UUID) -> Answer:
        from scheduler.usecases import sick_calls  # noqa: PLC0415 - only the model needs it

        return self._run(sick_calls.undo_sick_call, who, sick_call)

    def evaluation(self, who: str, patient: UUID, therapist: UUID, start: datetime) -> Answer:
        answer = self._run(
            evaluations_actions.book,
            who,
            patient,
            therapist_id=therapist,
            start=start,
            reason=EVALUATION_REASON,
        )
        return Answer(True, value=answer.value.id) if answer.ok else answer


class HttpDriver:
    """Commands over HTTP, sent to two API processes in turn; a 5xx fails the model."""

    def __init__(self, base_urls: list[str], world: ModelWorld, tokens: dict[str, str]) -> None:
        self.world = world
        self.clients = [httpx.Client(base_url=url, timeout=30) for url in base_urls]
        self._next = itertools.cycle(self.clients)
        self.tokens = tokens

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def _send(self, who: str, method: str, path: str, body: Any = None) -> Answer:
        client = next(self._next)
        response = client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {self.tokens[who]}"}
        )
        assert response.status_code < 500, (method, path, response.status_code, response.text)
        if response.status_code >= 400:
            return Answer(False, response.json()["error"])
        return Answer(True, value=response.json() if response.content else None)

    def book(
        self, who: str, plan: UUID, therapist: UUID, start: datetime, overrides: dict[str, str]
    ) -> Answer:
        body: dict[str, Any] = {"therapist_id": str(therapist), "start": start.isoformat()}
        if overrides:
            body["overrides"] = overrides
        answer = self._send(who, "POST", f"/plans/{plan}/sessions", body)
        return Answer(True, value=UUID(answer.value["id"])) if answer.ok else answer

    def move(self, who: str, session: UUID, start: datetime, overrides: dict[str, str]) -> Answer:
        body: dict[str, Any] = {"start": start.isoformat()}
        if overrides:
            body["overrides"] = overrides
        return self._send(who, "POST", f"/sessions/{session}/move", body)

    def cancel(self, who: str, session: UUID) -> Answer:
        return self._send(who, "POST", f"/sessions/{session}/cancel", {})

    def complete(self, who: str, session: UUID) -> Answer:
        body = {"note": "worked on it", "pain_before": 5, "pain_after": 3}
        return self._send(who, "POST", f"/sessions/{session}/complete", body)

    def no_show(self, who: str, session: UUID) -> Answer:
        return self._send(who, "POST", f"/sessions/{session}/no-show", {"reason": "not home"})

    def pin(self, who: str, session: UUID) -> Answer:
        return self._send(who, "POST", f"/sessions/{session}/pin", {"reason": "keep"})

    def join(self, who: str, plan: UUID, first: date, last: date) -> Answer:
        # Whole local days, as the patient's page sends them (the API takes instants).
        from zoneinfo import ZoneInfo  # noqa: PLC0415

        from .world import ZONE  # noqa: PLC0415

        zone = ZoneInfo(ZONE)
        body = {
            "earliest": datetime(first.year, first.month, first.day, tzinfo=zone).isoformat(),
            "latest": datetime(last.year, last.month, last.day, 23, 59, tzinfo=zone).isoformat(),
        }
        prefix = "/me" if self._is_patient(who) else ""
        return self._send(who, "POST", f"{prefix}/plans/{plan}/waitlist", body)

    def leave(self, who: str, plan: UUID) -> Answer:
        prefix = "/me" if self._is_patient(who) else ""
        return self._send(who, "DELETE", f"{prefix}/plans/{plan}/waitlist")

    def offers(self, who: str) -> list[UUID]:
        if not self._is_patient(who):
            return []
        answer = self._send(who, "GET", "/me/offers")
        return [UUID(o["id"]) for o in answer.value if o["status"] == "open"] if answer.ok else []

    def accept(self, who: str, offer: UUID) -> Answer:
        return self._send(who, "POST", f"/offers/{offer}/accept")

    def decline(self, who: str, offer: UUID) -> Answer:
        return self._send(who, "DELETE", f"/offers/{offer}")

    def sick(self, who: str, therapist: UUID, day: date) -> Answer:
        body = {"dates": [day.isoformat()], "time_limit_s": 1.0}
        answer = self._send(who, "POST", f"/therapists/{therapist}/sick", body)
        return Answer(True, value=UUID(answer.value["sick_call_id"])) if answer.ok else answer

    def undo_sick(self, who: str, sick_call: UUID) -> Answer:
        return self._send(who, "POST", f"/sick-calls/{sick_call}/undo", {})

    def evaluation(self, who: str, patient: UUID, therapist: UUID, start: datetime) -> Answer:
        body = {
            "therapist_id": str(therapist),
            "start": start.isoformat(),
            "reason": EVALUATION_REASON,
        }
        answer = self._send(who, "POST", f"/patients/{patient}/evaluation-visits", body)
        return Answer(True, value=UUID(answer.value["id"])) if answer.ok else answer

    def _is_patient(self, who: str) -> bool:
        return who in self.world.patients
