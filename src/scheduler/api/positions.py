"""Writes answer with their position, so the caller can read its own writes.

Every action that writes runs through `UseCases.write`, which notes the notification id
of the last event it saved (what `app.save()` returned in that thread, never another
writer's event; the log's end when it saved nothing). `WrittenPosition`, an ASGI layer,
adds it to the response as `X-Position: <id>`. Reads of projections accept
`?min_position=<id>` and wait until the projection has reached it (see `readmodel.py`).
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from scheduler.usecases.runner import WRITTEN

POSITION_HEADER = b"x-position"


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
        token = WRITTEN.set(written)

        async def send_with_position(message: Message) -> None:
            if message["type"] == "http.response.start" and written:
                headers = list(message.get("headers", []))
                message["headers"] = [*headers, (POSITION_HEADER, str(max(written)).encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_position)
        finally:
            WRITTEN.reset(token)


written_position = DefineMiddleware(WrittenPosition)
"""The middleware to list in `create_app` (after authentication and idempotency)."""
