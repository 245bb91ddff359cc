"""The model over HTTP: every command sent to two API processes in turn, on PostgreSQL.

Each run seeds a clinic of its own into the cluster's database (with an account per
role), then drives the model's commands alternately through the two processes; a 5xx
fails it. After each run the checker replays the whole PostgreSQL event store (every
test's events, not only the run's). The servers keep the real clock, so the model's
days start this week's Monday: days already gone are refused unless back-filled.

`SCHEDULER_MODEL_RUNS` sets the number of runs (default: a few, for CI).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import httpx
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from api.world import PASSWORD
from model.drivers import HttpDriver
from model.machine import Machine
from model.world import ModelWorld, seed
from scheduler.accounts import Accounts
from scheduler.domain import Scheduling
from scheduler.store import postgres_settings

from .conftest import Running

RUNNING: list[Running] = []


def _first_monday() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


def _seed(running: Running, run: int) -> tuple[ModelWorld, dict[str, str]]:
    env = {**postgres_settings(running.cluster.postgres.url), "CREATE_TABLE": "n"}
    env["POSTGRES_POOL_SIZE"] = "1"
    app, accounts = Scheduling(env), Accounts(env)
    now = datetime.now(UTC)
    try:
        world = seed(app, now - timedelta(days=30), _first_monday() + timedelta(days=90))
        scopes = {"desk": ("dispatcher", None)}
        scopes.update({name: ("patient", pid) for name, pid in world.patients.items()})
        scopes.update({name: ("therapist", tid) for name, tid in world.therapists.items()})
        emails = {}
        for name, (role, acts_for) in scopes.items():
            email = f"{name}-{run}-{world.clinic.hex[:8]}@model.example"
            accounts.open_account(
                email=email,
                password=PASSWORD,
                role=role,
                acts_for=acts_for,
                clinic_id=world.clinic,
                actor="seed",
                now=now,
            )
            emails[name] = email
    finally:
        app.close()
        accounts.close()
    base = running.cluster.base_url(running.cluster.apis[0])
    tokens = {}
    for name, email in emails.items():
        answer = httpx.post(
            f"{base}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        tokens[name] = answer.json()["access_token"]
    return world, tokens


class TwoProcessMachine(Machine):
    """The model's commands over HTTP to two API processes."""

    clock_moves = False

    def __init__(self) -> None:
        super().__init__()
        running = RUNNING[0]
        self.first_day = _first_monday()
        world, tokens = _seed(running, self.totals["runs"])
        urls = [running.cluster.base_url(api) for api in running.cluster.apis[:2]]
        self.driver = HttpDriver(urls, world, tokens)
        env = {**postgres_settings(running.cluster.postgres.url), "CREATE_TABLE": "n"}
        self.store = Scheduling({**env, "POSTGRES_POOL_SIZE": "1"})
        self.recorder = self.store.recorder

    def close(self) -> None:
        self.driver.close()  # type: ignore[attr-defined]
        self.store.close()


def test_random_commands_over_two_processes_keep_every_rule(running: Running) -> None:
    RUNNING[:] = [running]
    TwoProcessMachine.totals = {}
    runs = int(os.environ.get("SCHEDULER_MODEL_RUNS", "4"))
    run_state_machine_as_test(
        TwoProcessMachine,
        settings=settings(
            max_examples=runs,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    totals = TwoProcessMachine.totals
    print(f"model (two API processes, PostgreSQL): {dict(sorted(totals.items()))}")
    assert totals["acknowledged:booked"] >= runs
