"""Running the projection: the library's `ProjectionRunner`, until told to stop.

One projector per deployment is enough (`scheduler project`); a second one is harmless
(it skips events the first has tracked) but does the work twice. After each committed
session change the projector publishes a `BoardChange` to Redis (when `REDIS_URL` is
set), on the channel every API process's live board subscribes to; a Redis outage only
loses those announcements, never a row of the read model.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from types import TracebackType
from typing import Any

import msgspec
import redis
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.projection import ProjectionRunner
from eventsourcing.utils import Environment
from redis.exceptions import RedisError

from scheduler.domain import Scheduling
from scheduler.readside.changes import BoardChange, channel
from scheduler.readside.projection import (
    RETRY_FIRST_S,
    RETRY_MAX_S,
    ProjectionStopped,
    ReadSideProjection,
    ReadSideView,
)
from scheduler.settings import Settings

log = logging.getLogger("scheduler.readside")


def projector_env(settings: Settings) -> dict[str, str]:
    """Store settings for the projector: it creates its own tables, with a small pool."""
    if settings.database_url is None:
        raise ValueError("the projector needs DATABASE_URL (PostgreSQL)")
    env = settings.store_env(create_table=False)
    # The event store's tables come from `scheduler migrate`; the read model's are ours.
    env["READSIDE_CREATE_TABLE"] = "y"
    env["POSTGRES_POOL_SIZE"] = "2"
    return env


def create_read_model(settings: Settings) -> None:
    """Create the read-model tables if missing (idempotent), e.g. from `scheduler migrate`,
    so the API reads them (empty, then filling) before the projector's first start."""
    env = Environment(ReadSideProjection.name, {**os.environ, **projector_env(settings)})
    factory = InfrastructureFactory[ReadSideView].construct(env=env)
    try:
        factory.tracking_recorder(ReadSideView)
    finally:
        factory.close()


class RedisAnnouncer:
    """Publishes board changes to Redis; while Redis is down, drops them (and says so once)."""

    def __init__(self, url: str, prefix: str, cooldown_s: float = 5.0) -> None:
        self.prefix = prefix
        self.cooldown_s = cooldown_s
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=0.5, socket_timeout=0.5, retry_on_timeout=False
        )
        self._shut_until = 0.0

    def __call__(self, change: BoardChange) -> None:
        """Publish `change` on its clinic's channel (best effort)."""
        if time.monotonic() < self._shut_until:
            return
        try:
            self._client.publish(
                channel(self.prefix, change.clinic_id), msgspec.json.encode(change)
            )
        except (RedisError, OSError) as error:
            self._shut_until = time.monotonic() + self.cooldown_s
            log.warning(
                "redis unavailable, live board changes are not announced",
                extra={"error_type": type(error).__name__, "retry_in_s": self.cooldown_s},
            )

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class Projector:
    """The projection running in background threads (a context manager).

    `with Projector(settings) as projector: projector.run_until(stop)`; leaving the block
    stops the runner and waits for the event being processed to commit or roll back (an
    event waiting to be tried again is left for the next start). `retry_s`: the first and
    the longest wait before trying again an event that could not be applied.
    """

    def __init__(
        self, settings: Settings, *, retry_s: tuple[float, float] = (RETRY_FIRST_S, RETRY_MAX_S)
    ) -> None:
        self.settings = settings
        self.retry_s = retry_s
        self._stopping = threading.Event()
        self._announcer: RedisAnnouncer | None = None
        self._runner: ProjectionRunner[Scheduling, ReadSideView] | None = None

    def __enter__(self) -> Projector:
        """Create the tables if missing and start following the event store."""
        self._stopping.clear()
        publish: Any = None
        if self.settings.redis_url is not None:
            self._announcer = RedisAnnouncer(self.settings.redis_url, self.settings.redis_prefix)
            publish = self._announcer
        # A subclass per projector carries its announcer (same name, so same tables).
        projection = type(
            "ReadSideProjection",
            (ReadSideProjection,),
            {
                "name": ReadSideProjection.name,
                "publish": staticmethod(publish) if publish else None,
                "stopping": self._stopping,
                "retry_first_s": self.retry_s[0],
                "retry_max_s": self.retry_s[1],
            },
        )
        self._runner = ProjectionRunner(
            application_class=Scheduling,
            projection_class=projection,
            view_class=ReadSideView,
            env=projector_env(self.settings),
        )
        self._runner.__enter__()
        return self

    def wait(self, position: int, timeout: float = 5.0) -> None:
        """Block until the read model includes event `position` (TimeoutError after)."""
        assert self._runner is not None, "the projector is not running"
        self._runner.wait(position, timeout=timeout)

    def run_until(self, stop: threading.Event) -> None:
        """Project until `stop` is set. An unreachable store is raised (the caller waits
        it out and starts again); an event that fails otherwise is retried in place."""
        assert self._runner is not None, "the projector is not running"
        while not stop.is_set():
            self._runner.run_forever(timeout=0.5)
            if self._runner.is_interrupted.is_set():
                return

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the runner (the current event commits or rolls back) and close."""
        self._stopping.set()
        if self._runner is not None:
            try:
                self._runner.__exit__(exc_type, exc, traceback)
            except ProjectionStopped:
                log.info("projector stopped while an event waited to be tried again")
            finally:
                self._runner = None
        if self._announcer is not None:
            self._announcer.close()
            self._announcer = None
