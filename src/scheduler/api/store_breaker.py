"""A circuit breaker in front of the event store: while PostgreSQL is down, 503 at once.

`eventsourcing` retries a failed read or write ten times, each waiting up to the pool's
connect timeout for a connection, so one call to a stopped database blocks a store thread
for most of a minute, and the requests queued behind it time out with nothing said.
After one call fails with an operational error the breaker opens: calls fail at once with
`StoreUnavailable` (503 with `Retry-After`). After `cooldown_s` the next call starts a
`probe` (a plain connection with a short timeout, in a thread of its own) and is refused
too; the probe closes the breaker when the database answers, or opens it again. Without
a probe (tests), one call at a time goes through instead and its outcome decides. A
broken rule (the slot is taken) also means the store answered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from scheduler.api.errors import StoreUnavailable

STORE_DOWN = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
"""What the store raises when it cannot be reached (refused, timed out, connection lost)."""
RETRY_AFTER_S = 5


class StoreBreaker:
    """Open after a failed call, half-open (one probe) after `cooldown_s`, closed on success."""

    def __init__(self, cooldown_s: float = 2.0, probe: Callable[[], object] | None = None) -> None:
        self.cooldown_s = cooldown_s
        self.probe = probe
        self._open_until: float | None = None
        self._probing = False

    @property
    def open(self) -> bool:
        """True while calls are refused without trying the store."""
        return self._open_until is not None

    @contextmanager
    def call(self) -> Iterator[None]:
        """Guard one store call: refuse it, let it probe, or let it through."""
        probe = False
        if self._open_until is not None:
            if self._probing or time.monotonic() < self._open_until:
                raise self._unavailable()
            self._probing = True
            if self.probe is not None:
                threading.Thread(target=self._run_probe, name="store-probe", daemon=True).start()
                raise self._unavailable()
            probe = True
        try:
            yield
        except STORE_DOWN as error:
            self._open_until = time.monotonic() + self.cooldown_s
            raise self._unavailable() from error
        except Exception:
            self._open_until = None  # the store answered, with a rule or a missing record
            raise
        else:
            self._open_until = None
        finally:
            if probe:
                self._probing = False

    def _run_probe(self) -> None:
        assert self.probe is not None
        try:
            self.probe()
        except Exception:  # whatever the failure, the store is still out of reach
            self._open_until = time.monotonic() + self.cooldown_s
        else:
            self._open_until = None
        finally:
            self._probing = False

    @staticmethod
    def _unavailable() -> StoreUnavailable:
        return StoreUnavailable(
            f"the clinic's records cannot be reached right now: retry in {RETRY_AFTER_S} s",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
