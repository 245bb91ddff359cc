"""Short texts over apprise (`SCHEDULER_NOTIFY_URLS`): SMS gateways and chat services.

Each patient-facing mail (booked, moved, cancelled, reminder, offer, displaced,
postponed) also goes as a short text to every apprise URL configured. A URL with
`{phone}` in it is the patient's own (an SMS gateway, e.g.
`twilio://SID:TOKEN@+15550001111/{phone}`): the patient's phone, digits only, is put
there, and a patient with no phone gets none. A URL without it (a front-desk chat)
gets every text. Texts are the mail's subject, which names the time, the therapist and
the place, never a condition, diagnosis or note, and the link to the patient's page.

Rows go through the outbox like mail (channel `apprise`, `apprise:reminder`), so
texts are recorded once, retried with the same backoff and dead-lettered the same way.
The outbox keeps a digest of the URL, never the URL (it may hold a gateway's secret).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Sequence
from typing import Any

import apprise

from scheduler.notify.compose import Context
from scheduler.notify.outbox import Message

KINDS = frozenset({"booked", "moved", "cancelled", "reminder", "offer", "displaced", "postponed"})
PHONE = "{phone}"


class TextsConfigError(ValueError):
    """Raised when SCHEDULER_NOTIFY_URLS holds a URL apprise cannot use."""


def check_urls(urls: Sequence[str]) -> tuple[str, ...]:
    """The URLs, each checked by apprise (TextsConfigError names the first bad one by
    its position, never its text: it may hold a secret)."""
    for number, url in enumerate(urls, start=1):
        if apprise.Apprise.instantiate(url.replace(PHONE, "15550000000")) is None:
            raise TextsConfigError(
                f"SCHEDULER_NOTIFY_URLS: URL {number} is not an apprise URL apprise can use "
                "(see https://github.com/caronc/apprise/wiki)"
            )
    return tuple(urls)


def url_key(url: str) -> str:
    """How the outbox names a URL (a digest: the URL may hold a gateway's secret)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def digits(phone: str) -> str:
    """'+1 (773) 555-0199' -> '+17735550199'."""
    number = re.sub(r"\D", "", phone)
    return f"+{number}" if number and phone.strip().startswith("+") else number


def texts_for(ctx: Context, message: Message) -> list[Message]:
    """The short texts that go with one patient's mail (none for other mails)."""
    urls = ctx.settings.notify_urls
    if not urls or message.kind not in KINDS or message.person_id is None:
        return []
    patient = ctx.app.get_patient(message.person_id)
    phone = digits(patient.phone or "")
    clinic = ctx.app.get_clinic(patient.clinic_id).name
    body = f"{message.subject}. {clinic}: {ctx.settings.base_url}/app/patient"
    channel = "apprise:reminder" if message.kind == "reminder" else "apprise"
    out = []
    for url in urls:
        personal = PHONE in url
        if personal and not phone:
            continue
        key = url_key(url)
        out.append(
            Message(
                event_id=message.event_id,
                recipient=f"{key}:{phone}" if personal else key,
                channel=channel,
                kind=message.kind,
                clinic_id=message.clinic_id,
                subject=message.subject,
                payload={"url": key, "phone": phone, "title": clinic, "body": body},
                person_id=message.person_id,
                session_id=message.session_id,
                send_at=message.send_at,
            )
        )
    return out


async def send_text(urls: Sequence[str], payload: dict[str, Any]) -> None:
    """Send one recorded text; raises unless apprise reports it delivered."""
    found = [url for url in urls if url_key(url) == payload["url"]]
    if not found:
        raise RuntimeError("the URL is no longer in SCHEDULER_NOTIFY_URLS")
    sender = apprise.Apprise()
    sender.add(found[0].replace(PHONE, payload["phone"]))
    delivered = await asyncio.to_thread(sender.notify, body=payload["body"], title=payload["title"])
    if not delivered:
        raise RuntimeError("apprise could not deliver the text")
