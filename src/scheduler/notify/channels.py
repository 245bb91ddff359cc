"""The two ways out: e-mail over SMTP (aiosmtplib) and signed webhooks (httpx).

`SCHEDULER_SMTP_URL`:
- `smtp://user:password@host:587?starttls=1`: plain connection upgraded with STARTTLS
  (required: the send fails rather than go on in clear text);
- `smtps://user:password@host:465`: TLS from the first byte;
- `smtp://host:25`: no TLS, no login (a relay on the same host or a test sink).
User and password are URL-encoded (`%40` for `@`). `?verify=0` skips certificate checks
(a relay with a self-signed certificate; never across the internet).

Webhook deliveries are signed as Stripe signs its own: the header
`Scheduler-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
hook's secret, and `Scheduler-Event-Id` (the same at every retry, so a receiver drops
repeats). A 2xx answer is a delivery; anything else is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import httpx

SEND_TIMEOUT_S = 20.0


class ChannelConfigError(ValueError):
    """Raised when SCHEDULER_SMTP_URL cannot name a mail server."""


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes, and how the connection is secured."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False  # smtps://
    starttls: bool = False
    verify: bool = True

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse `smtp[s]://[user:password@]host[:port][?starttls=1][&verify=0]`."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ChannelConfigError(
                "SCHEDULER_SMTP_URL must look like smtp://user:pass@host:587?starttls=1 "
                "or smtps://user:pass@host:465"
            )
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        tls = parts.scheme == "smtps"
        starttls = query.get("starttls", "0") in ("1", "true", "yes")
        try:
            port = parts.port or (465 if tls else 587 if starttls else 25)
        except ValueError:
            raise ChannelConfigError("SCHEDULER_SMTP_URL has a port that is not a number") from None
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
            starttls=starttls,
            verify=query.get("verify", "1") not in ("0", "false", "no"),
        )


def email_message(payload: dict[str, Any], mail_from: str, sent: datetime) -> EmailMessage:
    """The MIME message of a recorded e-mail: text, HTML, and the invitation if any."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = payload["to"]
    message["Subject"] = payload["subject"]
    message["Message-ID"] = payload["message_id"]
    message["Date"] = format_datetime(sent)
    message["Auto-Submitted"] = "auto-generated"
    if payload.get("unsubscribe"):
        message["List-Unsubscribe"] = f"<{payload['unsubscribe']}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(payload["text"])
    message.add_alternative(payload["html"], subtype="html")
    if payload.get("ics"):
        ics: str = payload["ics"]
        method = "CANCEL" if "METHOD:CANCEL" in ics else "REQUEST"
        # RFC 6047: the calendar part beside the text, with its method, so mail clients
        # offer to update the event; and as an attachment for the others.
        message.add_alternative(ics, subtype="calendar", params={"method": method})
        message.add_attachment(
            ics.encode(), maintype="application", subtype="ics", filename="invite.ics"
        )
    return message


async def send_mail(server: SmtpServer, message: EmailMessage) -> None:
    """Hand `message` to the server (raises on any refusal or connection failure)."""
    await aiosmtplib.send(
        message,
        hostname=server.host,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.tls,
        # STARTTLS when asked (required then); otherwise used if the server offers it.
        start_tls=True if server.starttls else None,
        validate_certs=server.verify,
        timeout=SEND_TIMEOUT_S,
    )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Scheduler-Signature` header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


async def post_webhook(
    client: httpx.AsyncClient, url: str, payload: dict[str, Any], now: datetime
) -> None:
    """POST the event, signed; raises unless the receiver answers 2xx."""
    body = json.dumps(payload["body"], separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    response = await client.post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json",
            "Scheduler-Signature": signature(payload["secret"], timestamp, body),
            "Scheduler-Event-Id": str(payload["body"]["id"]),
        },
        timeout=SEND_TIMEOUT_S,
    )
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"webhook answered {response.status_code}")
