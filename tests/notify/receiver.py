"""A webhook receiver for tests: checks each delivery's signature the way a clinic's
CRM would (Stripe's scheme), and can answer 500 to the first few."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """An HTTP server on a spare loopback port; `accepted` holds verified deliveries."""

    def __init__(self, *, fail_first: int = 0) -> None:
        self.secret = ""
        self.fail_first = fail_first
        self.requests = 0
        self.accepted: list[dict[str, Any]] = []
        self.rejected_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = receiver.receive(dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where to deliver."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        """200 for a delivery signed with the secret (after the planned failures)."""
        with self.lock:
            self.requests += 1
            if self.requests <= self.fail_first:
                return 500
            fields = dict(part.split("=", 1) for part in headers["Scheduler-Signature"].split(","))
            signed = f"{fields['t']}.".encode() + body
            good = hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(good, fields["v1"]):
                self.rejected_signatures += 1
                return 400
            event = json.loads(body)
            assert headers["Scheduler-Event-Id"] == event["id"]
            self.accepted.append(event)
            return 200

    def start(self) -> Receiver:
        """Start answering."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop answering."""
        self.server.shutdown()
        self.server.server_close()
