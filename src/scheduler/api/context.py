"""Request ids and the access log: one JSON line per request, never a patient's data.

The access line holds only the method, the route *template* (`/sessions/{session_id}`),
the status, the duration, the request id and the account id; never query strings,
bodies, names, notes or conditions. Error handlers and the store adapter read the
request id from a context variable, so every line about one request carries its id.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
request_id: ContextVar[str] = ContextVar("request_id", default="-")
access_log = logging.getLogger("scheduler.access")

# A caller's id is echoed back and logged, so it is limited to harmless characters.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (extras passed with `extra=` become fields)."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Send `scheduler.*` logs to stderr as JSON lines (once per process)."""
    logger = logging.getLogger("scheduler")
    if any(isinstance(h.formatter, JSONFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)


class RequestContext:
    """Outermost ASGI layer: gives each request an id and writes its access line.

    It wraps the whole application (not one route), so unknown paths and errors raised
    before routing are logged and answered with an id too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its id set, add `X-Request-ID` and log one line."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == REQUEST_ID_HEADER.encode()), b"")
        rid = given.decode("latin-1")
        if not _VALID_ID.match(rid):
            rid = uuid.uuid4().hex
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            user = scope.get("user")
            access_log.info(
                "request",
                extra={
                    "request_id": rid,
                    "method": scope.get("method"),
                    "route": scope.get("path_template") or "(unrouted)",
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "account": str(getattr(user, "account_id", "")) or None,
                },
            )
            request_id.reset(token)
