"""Writes answer with their position, so the caller can read its own writes.

`await command(gateway, app.book_session, ...)` runs a domain command in a store thread
and notes the notification id of the last event it saved (what `app.save()` returned in
that thread, never another writer's event). `WrittenPosition`, an ASGI layer, adds it to
the response as `X-Position: <id>`. Reads of projections accept `?min_position=<id>` and
wait until the projection has reached it (see `readmodel.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.api.gateway import Gateway

P = ParamSpec("P")
T = TypeVar("T")

POSITION_HEADER = b"x-position"
_written: ContextVar[list[int] | None] = ContextVar("written_positions", default=None)


async def command(gateway: Gateway, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in a store thread; its position goes into `X-Position`."""
    app = gateway.scheduling

    def run() -> tuple[T, int | None]:
        result = fn(*args, **kwargs)
        return result, app.last_saved_position()

    result, position = await gateway.run(run)
    written = _written.get()
    if written is not None and position is not None:
        written.append(position)
    return result


class WrittenPosition:
    """Adds `X-Position` (the last event a request wrote) to its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Collect the positions the handler wrote; send the highest as a header."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        written: list[int] = []
        token = _written.set(written)

        async def send_with_position(message: Message) -> None:
            if message["type"] == "http.response.start" and written:
                headers = list(message.get("headers", []))
                message["headers"] = [*headers, (POSITION_HEADER, str(max(written)).encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_position)
        finally:
            _written.reset(token)


written_position = DefineMiddleware(WrittenPosition)
"""The middleware to list in `create_app` (after authentication and idempotency)."""
