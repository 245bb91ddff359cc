"""The model through the use-case layer, in this process, on a store of its own per run.

CI runs a bounded number of runs; `SCHEDULER_MODEL_RUNS=500 pytest tests/model -s` runs
as many as asked (see the README). Each prints how many runs and steps it made, and what
the commands came to.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from scheduler.domain import Scheduling
from scheduler.store import environment

from .drivers import LocalDriver
from .machine import Machine
from .world import seed

MONDAY = date(2026, 10, 5)
START = datetime(2026, 10, 3, 15, 0, tzinfo=UTC)  # the Saturday before, 10:00 in Chicago


class Clock:
    """The service's clock, held by the test."""

    def __init__(self) -> None:
        self.current = START

    def __call__(self) -> datetime:
        return self.current


class LocalMachine(Machine):
    """Commands through `UseCases` on an in-memory store."""

    first_day = MONDAY

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.app = Scheduling(environment("memory"))
        world = seed(self.app, START, MONDAY + timedelta(days=60))
        self.driver = LocalDriver(self.app, world, self.clock)
        self.recorder = self.app.recorder

    def advance(self, minutes: int) -> None:
        self.clock.current += timedelta(minutes=minutes)

    def close(self) -> None:
        self.app.close()


def _run(examples: int, steps: int) -> None:
    LocalMachine.totals = {}
    run_state_machine_as_test(
        LocalMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
    totals = LocalMachine.totals
    print(f"model (use-case layer): {dict(sorted(totals.items()))}")
    # The runs did book, move and cancel, and met many rules, not only one.
    assert totals["acknowledged:booked"] > examples
    assert len([key for key in totals if key.startswith("refused:")]) >= 6


def test_random_commands_of_every_role_keep_every_rule() -> None:
    _run(examples=int(os.environ.get("SCHEDULER_MODEL_RUNS", "40")), steps=40)
