"""A real SMTP server for tests (aiosmtpd) that keeps every message it accepts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def spare_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Keep:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.sink.lock:
            self.sink.messages.append(parsed)
            self.sink.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


class Sink:
    """An SMTP server on a spare loopback port; `messages` holds what it accepted."""

    def __init__(self, port: int | None = None, *, delay_s: float = 0.0) -> None:
        self.port = port or spare_port()
        self.delay_s = delay_s  # a slow server: each message takes this long to accept
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """Its `SCHEDULER_SMTP_URL`."""
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> Sink:
        """Start accepting mail."""
        self._controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop accepting mail (connections are refused until `start`)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> list[str]:
        """The Message-ID of every message accepted, repeats included."""
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to `address`."""
        with self.lock:
            return [m for m in self.messages if str(m["To"]).lower() == address.lower()]

    def wait_for(
        self, test: Callable[[list[EmailMessage]], bool], timeout: float = 15.0
    ) -> list[EmailMessage]:
        """Wait until `test(messages)` holds; the messages (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                now = list(self.messages)
            if test(now):
                return now
            if time.monotonic() > deadline:
                subjects = [str(m["Subject"]) for m in now]
                raise AssertionError(f"mail did not arrive in {timeout} s; got {subjects}")
            time.sleep(0.05)


def calendar_part(message: EmailMessage) -> bytes | None:
    """The text/calendar part of a message, if any."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload
    return None
