"""Live board: a Server-Sent Events stream of a clinic's session changes.

`GET /clinics/{id}/board/live` streams `event: board` messages, each a `BoardChange`
(JSON: clinic, session, therapist, day, change, position), after an `event: ready` that
says the subscription is open, and a keep-alive comment every 15 s.

Where the changes come from (Litestar channels, one channel per clinic):
- PostgreSQL with `REDIS_URL`: the projector (`scheduler project`) publishes each
  committed change to Redis pub/sub; every API process subscribes, so a change written
  by any process reaches every subscriber of every process.
- Otherwise (the embedded default, or PostgreSQL without Redis): each API process
  follows the event store's notification log itself (`BoardFollower`) and publishes to
  in-process channels (to Redis channels on embedded + Redis). Writes by other processes
  on the same store (the CLI, another worker) are in that log too.
If Redis goes down the stream falls silent and resumes when it is back (the backend
reconnects); a subscription opened while Redis is down answers 503. Bookings and reads
never depend on it.
"""

# Error names follow the clinic's words, as in `api/errors.py`.

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Iterable
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic
from litestar import Controller, Request, get
from litestar.channels import ChannelsPlugin, Subscriber
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage
from redis.asyncio import Redis
from redis.exceptions import RedisError

from scheduler.api.access import check_clinic
from scheduler.api.auth import allow, principal_of
from scheduler.api.errors import ApiError, responses
from scheduler.api.gateway import Gateway
from scheduler.readside.changes import CHANGES, SESSION_CHANGES, BoardChange, channel
from scheduler.settings import Settings

log = logging.getLogger("scheduler.live")

KEEPALIVE_S = 15.0
SESSION_TOPICS = tuple(get_topic(kind) for kind in SESSION_CHANGES)


class LiveUnavailable(ApiError):
    """Raised when the live board cannot subscribe (Redis is down): retry later."""

    status, code = 503, "live_unavailable"


class ResilientRedisPubSub(RedisChannelsPubSubBackend):
    """Redis pub/sub that waits out an outage instead of ending the stream of events.

    Litestar's channels plugin runs one publishing task and one receiving task; an error
    escaping either ends it for good (and a dead publisher makes shutdown wait forever
    on its queue), so both swallow Redis errors here: a change published while Redis is
    down is lost, like any pub/sub message nobody could receive.
    """

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """Publish, or drop the message (logged) when Redis is unreachable."""
        try:
            await super().publish(data, channels)
        except (RedisError, OSError) as error:
            log.warning("live board change not sent", extra={"error_type": type(error).__name__})

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        """The backend's stream, restarted a second after a connection error."""
        while True:
            try:
                async for item in super().stream_events():
                    yield item
            except (RedisError, OSError) as error:
                log.warning("live board lost Redis", extra={"error_type": type(error).__name__})
                await asyncio.sleep(1.0)


def live_channels(settings: Settings) -> ChannelsPlugin:
    """Channels on Redis pub/sub when `REDIS_URL` is set, else in this process."""
    if settings.redis_url is None:
        return ChannelsPlugin(backend=MemoryChannelsBackend(), arbitrary_channels_allowed=True)
    client = Redis.from_url(settings.redis_url, socket_connect_timeout=0.5)
    return ChannelsPlugin(
        backend=ResilientRedisPubSub(redis=client), arbitrary_channels_allowed=True
    )


def projector_publishes(settings: Settings) -> bool:
    """True when the projector announces changes (PostgreSQL and Redis)."""
    return settings.database_url is not None and settings.redis_url is not None


class BoardFollower:
    """Follows the notification log and publishes session changes (see module docstring)."""

    def __init__(
        self, gateway: Gateway, channels: ChannelsPlugin, prefix: str, interval_s: float = 0.1
    ) -> None:
        self.gateway = gateway
        self.channels = channels
        self.prefix = prefix
        self.interval_s = interval_s
        self._after = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start after the events already stored (subscribers only see new changes)."""
        recorder = self.gateway.scheduling.recorder
        last: int | None = await self.gateway.run(recorder.max_notification_id)
        self._after = last or 0
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        while True:
            try:
                changes, self._after = await self.gateway.run(self._read, self._after)
                for change in changes:
                    self.channels.publish(
                        msgspec.json.encode(change), channel(self.prefix, change.clinic_id)
                    )
            except Exception as error:  # keep following whatever one read did
                log.warning(
                    "live board follower failed", extra={"error_type": type(error).__name__}
                )
            await asyncio.sleep(self.interval_s)

    def _read(self, after: int) -> tuple[list[BoardChange], int]:
        """Session changes stored after notification `after` (in a store thread)."""
        app = self.gateway.scheduling
        notifications = app.recorder.select_notifications(
            start=after, limit=500, topics=SESSION_TOPICS, inclusive_of_start=False
        )
        changes = []
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            session = app.get_session(event.originator_id)
            changes.append(
                BoardChange(
                    clinic_id=session.clinic_id,
                    session_id=session.id,
                    therapist_id=session.therapist_id,
                    day=session.start_local.date(),
                    change=CHANGES[type(event).__name__],
                    position=notification.id,
                )
            )
            after = notification.id
        return changes, after


class LiveBoardController(Controller):
    """The day board's live changes, for the clinic's dispatchers (and admins)."""

    path = "/clinics/{clinic_id:uuid}"
    tags = ("clinics",)
    guards = (allow("dispatcher", "admin"),)

    @get(
        "/board/live",
        operation_id="liveBoard",
        summary="Live changes of the clinic's board (Server-Sent Events)",
        responses=responses(401, 403, 404, 503),
    )
    async def live(
        self,
        request: Request[Any, Any, Any],
        clinic_id: FromPath[UUID],
        gateway: NamedDependency[Gateway],
        channels: NamedDependency[ChannelsPlugin],
        settings: NamedDependency[Settings],
    ) -> ServerSentEvent:
        """`event: ready` once subscribed, then `event: board` with a `BoardChange`
        (JSON) for every session of the clinic booked, moved, cancelled, completed,
        missed, pinned or released; fetch the board again with `?min_position=<position>`.
        """
        await check_clinic(gateway, principal_of(request), clinic_id)
        try:
            subscriber = await channels.subscribe([channel(settings.redis_prefix, clinic_id)])
        except (RedisError, OSError):
            raise LiveUnavailable(
                "live updates are unavailable right now (the board itself works): "
                "retry in a few seconds",
                headers={"Retry-After": "5"},
            ) from None
        return ServerSentEvent(_events(channels, subscriber))


async def _events(
    channels: ChannelsPlugin, subscriber: Subscriber
) -> AsyncGenerator[ServerSentEventMessage, None]:
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    async def pump() -> None:
        async for item in subscriber.iter_events():
            await queue.put(item)

    task = asyncio.create_task(pump())
    try:
        yield ServerSentEventMessage(event="ready", data="subscribed")
        while True:
            try:
                async with asyncio.timeout(KEEPALIVE_S):  # never swallows a cancellation
                    item = await queue.get()
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            yield ServerSentEventMessage(event="board", data=item.decode())
    finally:
        task.cancel()
        # Redis may be gone by now; the subscription dies with its connection anyway.
        with contextlib.suppress(RedisError, OSError):
            await channels.unsubscribe(subscriber)
