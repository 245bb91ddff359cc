"""The notifier: follows the event log into the outbox, and delivers what is due.

One loop, two steps per tick, as the waitlist's offer follower does:
1. **follow**: read the events after the outbox's position, write each one's messages
   (`compose.RULES`) and the new position in one transaction, so each event is turned
   into messages exactly once, whichever process gets there first; then the same for
   the accounts' log (`account_mail.ACCOUNT_RULES`: verification and reset mails), on
   its own position;
2. **deliver**: claim the messages due one by one, send them, record the outcome. A
   failed send is retried after `retry_s`, doubling, up to `attempts` tries; then it is
   dead-lettered (dispatchers see it at `/clinics/{id}/notifications/dead-letters`).

On PostgreSQL `scheduler worker` (or `scheduler notify`) runs it; on the embedded
default `scheduler serve` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from eventsourcing.utils import get_topic

from scheduler.accounts import Accounts, AccountView
from scheduler.domain import Scheduling
from scheduler.domain.model.clinic import Clinic
from scheduler.domain.model.session import Session
from scheduler.notify.account_mail import ACCOUNT_RULES, ACCOUNTS
from scheduler.notify.channels import SmtpServer, email_message, post_webhook, send_mail
from scheduler.notify.compose import RULES, Context, NotifySettings, reminder_due, renderer
from scheduler.notify.outbox import DEAD, Claim, Message, Outbox
from scheduler.notify.texts import send_text, texts_for

log = logging.getLogger("scheduler.notify")

PAGE = 200
INTERVAL_S = 1.0
RETIMES_REMINDERS = get_topic(Clinic.RemindersSet)
ENDS_REMINDERS = (
    get_topic(Session.Rescheduled),
    get_topic(Session.Cancelled),
    get_topic(Session.Displaced),
)

RunStore = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Delivery:
    """How messages leave: the mail server (None: no e-mail) and the retry policy."""

    smtp: SmtpServer | None
    retry_s: float = 30.0
    attempts: int = 10
    max_wait_s: float = 3600.0

    def retry_at(self, attempts_made: int, now: datetime) -> datetime | None:
        """When to try again after `attempts_made` failures; None: give up."""
        if attempts_made >= self.attempts:
            return None
        wait = min(self.retry_s * 2 ** (attempts_made - 1), self.max_wait_s)
        return now + timedelta(seconds=wait)


def outbox_for(settings: Any) -> Outbox:
    """The outbox in the event store's database that `settings` name."""
    if settings.database_url is not None:
        return Outbox(database_url=settings.database_url, sqlite_path=None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    from scheduler.store import SQLITE_FILE  # noqa: PLC0415

    return Outbox(database_url=None, sqlite_path=str(Path(settings.data_dir) / SQLITE_FILE))


STOP_CHECK_S = 1.0
"""How long `Notifier.stop` waits for its loop to end before cancelling it again."""


class Notifier:
    """Follow and deliver every `interval_s` until stopped."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        run_store: RunStore,
        scheduling: Callable[[], Scheduling],
        accounts: Callable[[], Accounts],
        clock: Callable[[], datetime],
        settings: NotifySettings,
        delivery: Delivery,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self.outbox = outbox
        self.run_store = run_store
        self.scheduling = scheduling
        self.accounts = accounts
        self.clock = clock
        self.settings = settings
        self.delivery = delivery
        self.interval_s = interval_s
        self.render = renderer(settings.template_dir)
        self._task: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._wake = asyncio.Event()

    async def start(self) -> None:
        """Start the loop (after the store has opened); creates the outbox's tables on
        the embedded store (on PostgreSQL `scheduler migrate` has)."""
        if not self.outbox.postgres:
            await asyncio.to_thread(self.outbox.create_tables)
        await self.run_store(self._begin)
        self._http = httpx.AsyncClient()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop the loop (before the store closes); a send in flight is abandoned and
        its message sent again by the next deliverer."""
        if self._task is not None:
            while not self._task.done():  # cancel again should a library swallow it
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=STOP_CHECK_S)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def wake(self) -> None:
        """Run the next tick now (a write just happened)."""
        self._wake.set()

    async def tick(self) -> tuple[int, int]:
        """One follow and one delivery round now: (messages recorded, messages sent)."""
        recorded = await self.follow()
        sent = await self.deliver()
        return recorded, sent

    # -- follow -------------------------------------------------------------------------

    def _begin(self) -> None:
        """A first run follows from each log's end (`scheduler migrate` may have begun)."""
        self.outbox.begin(self.scheduling().recorder.max_notification_id() or 0)
        self.outbox.begin(self.accounts().recorder.max_notification_id() or 0, ACCOUNTS)

    async def follow(self) -> int:
        """Record the messages of every event not yet followed, the clinic's log's and
        the accounts' (verification and reset mails); how many were recorded."""
        total = 0
        for page in (self._follow_page, self._follow_accounts_page):
            while True:
                recorded, more = await self.run_store(page, self.clock())
                total += int(recorded)
                if not more:
                    break
        return total

    def _staff(self, clinic_id: UUID) -> list[AccountView]:
        return self.accounts().list_accounts(clinic_id)

    def _context(self) -> Context:
        app = self.scheduling()
        return Context(
            app=app,
            staff=self._staff,
            webhooks=app.webhooks_for,
            settings=self.settings,
            render=self.render,
        )

    def _follow_page(self, now: datetime) -> tuple[int, bool]:
        """One page of the log into the outbox: (messages recorded, more to read)."""
        app = self.scheduling()
        position = self.outbox.position()
        last = app.recorder.max_notification_id() or 0
        if last <= position:
            return 0, False
        notes = app.recorder.select_notifications(
            position + 1, PAGE, stop=last, topics=[*RULES, RETIMES_REMINDERS]
        )
        ctx = self._context()
        messages: list[Message] = []
        drops: list[tuple[str, int]] = []
        retimes: list[tuple[tuple[int, str, str], datetime | None]] = []
        for note in notes:
            event = app.mapper.to_domain_event(note)
            try:
                written = RULES[note.topic](ctx, note.id, event) if note.topic in RULES else []
                written += [text for m in written for text in texts_for(ctx, m)]
            except Exception as error:  # one bad event must not hold up everyone's mail
                written = [_unwritten(note, _clinic_of(app, note), error)]
            if self.delivery.smtp is None:
                written = [m for m in written if not m.channel.startswith("email")]
            messages.extend(written)
            if note.topic in ENDS_REMINDERS:
                drops.append((str(note.originator_id), note.id))
            if note.topic == RETIMES_REMINDERS:
                retimes.extend(self._retimed(ctx, UUID(str(note.originator_id)), now))
        to = notes[-1].id if len(notes) == PAGE else last
        if not self.outbox.record(
            messages, after=position, to=to, now=now, drop_reminders=drops, retime=retimes
        ):
            return 0, True  # another process recorded this page: read on from its position
        return len(messages), len(notes) == PAGE

    def _retimed(
        self, ctx: Context, clinic_id: UUID, now: datetime
    ) -> list[tuple[tuple[int, str, str], datetime | None]]:
        """The clinic's pending reminders at its new settings: each at its new time,
        or none when the clinic sends no reminders now; one whose new time has passed
        keeps its old one (the patient is still reminded, never in quiet hours)."""
        out: list[tuple[tuple[int, str, str], datetime | None]] = []
        for row in self.outbox.pending_reminders(str(clinic_id)):
            if row.session_id is None:
                continue
            try:
                session = ctx.app.get_session(row.session_id)
                due = reminder_due(ctx, clinic_id, session.start)
            except Exception as error:  # that reminder keeps its time; the others move
                log.error("reminder not re-timed", extra={"error_type": type(error).__name__})
                continue
            if due is None or due > now:
                out.append((row.key, due))
        return out

    def _follow_accounts_page(self, now: datetime) -> tuple[int, bool]:
        """One page of the accounts' log into the outbox, as `_follow_page` does the
        clinic's: (messages recorded, more to read)."""
        accounts = self.accounts()
        position = self.outbox.position(ACCOUNTS)
        last = accounts.recorder.max_notification_id() or 0
        if last <= position:
            return 0, False
        notes = accounts.recorder.select_notifications(
            position + 1, PAGE, stop=last, topics=list(ACCOUNT_RULES)
        )
        ctx = self._context()
        messages: list[Message] = []
        for note in notes:
            event = accounts.mapper.to_domain_event(note)
            try:
                messages.extend(ACCOUNT_RULES[note.topic](ctx, note.id, event, accounts))
            except Exception as error:  # as on the clinic's log: the others' mail goes on
                messages.append(_unwritten(note, "", error))
        if self.delivery.smtp is None:
            messages = []  # these mails have no other channel
        to = notes[-1].id if len(notes) == PAGE else last
        if not self.outbox.record(messages, after=position, to=to, now=now, name=ACCOUNTS):
            return 0, True
        return len(messages), len(notes) == PAGE

    # -- deliver ------------------------------------------------------------------------

    async def deliver(self) -> int:
        """Send every message due now; how many went out."""
        sent = 0
        while True:
            now = self.clock()
            claim: Claim | None = await asyncio.to_thread(self.outbox.claim, now)
            if claim is None:
                return sent
            try:
                sent += await self._deliver(claim, now)
            except asyncio.CancelledError:
                await asyncio.to_thread(claim.release)
                raise

    async def _deliver(self, claim: Claim, now: datetime) -> int:
        message = claim.message
        # The account's own mails go whatever the person chose (they asked for them).
        if message.channel in ("email", "email:reminder") and await self.run_store(
            self.scheduling().opted_out, message.person_id, message.kind
        ):
            await asyncio.to_thread(claim.dropped)
            return 0
        if message.kind == "reminder" and message.channel.startswith("apprise"):
            chosen = await self.run_store(self.scheduling().message_preferences, message.person_id)
            if not chosen["reminders"]:
                await asyncio.to_thread(claim.dropped)
                return 0
        try:
            if message.channel == "webhook":
                assert self._http is not None, "the notifier delivers only once started"
                await post_webhook(self._http, message.recipient, message.payload, now)
            elif message.channel.startswith("apprise"):
                await send_text(self.settings.notify_urls, message.payload)
            else:
                if self.delivery.smtp is None:
                    raise RuntimeError("SCHEDULER_SMTP_URL is not set")
                mime = email_message(message.payload, self.settings.mail_from, now)
                await send_mail(self.delivery.smtp, mime)
        except Exception as error:  # every failure is retried, then dead-lettered
            retry = self.delivery.retry_at(message.attempts + 1, now)
            log.warning(
                "notification not delivered",
                extra={
                    "channel": message.channel,
                    "kind": message.kind,
                    "error_type": type(error).__name__,
                },
            )
            await asyncio.to_thread(claim.failed, f"{type(error).__name__}: {error}", retry)
            return 0
        await asyncio.to_thread(claim.sent, self.clock())
        return 1

    async def _run(self) -> None:
        while True:
            # `asyncio.timeout`, not `wait_for`: on Python 3.11 `wait_for` can swallow a
            # cancellation that lands as the wake-up does, and `stop` then waited forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval_s):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # retried at the next tick
                stack = "".join(traceback.format_tb(error.__traceback__))
                log.error(
                    "notifier run failed",
                    extra={"error_type": type(error).__name__, "stack": stack},
                )


def _clinic_of(app: Scheduling, note: Any) -> str:
    """The clinic of the event's record, if it has one (for the dead-letter list)."""
    try:
        record: Any = app.repository.get(note.originator_id)
    except Exception:  # a best effort, for an event already failing
        return ""
    clinic = getattr(record, "clinic_id", None)
    return str(clinic) if clinic is not None else ""


def _unwritten(note: Any, clinic: str, error: Exception) -> Message:
    """A dead letter for an event whose messages could not be written (a template or
    rule that fails): dispatchers see it; the log moves on."""
    stack = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "notification not written",
        extra={"event_type": note.topic, "error_type": type(error).__name__, "stack": stack},
    )
    return Message(
        event_id=note.id,
        recipient="(not written)",
        channel="none",
        kind=note.topic.rpartition(".")[2].lower(),
        clinic_id=clinic,
        subject=f"messages of event {note.id} could not be written",
        payload={},
        status=DEAD,
        last_error=type(error).__name__,
    )


def notify_settings(settings: Any) -> NotifySettings:
    """The messages' settings from the service's settings."""
    return NotifySettings(
        base_url=settings.base_url,
        mail_from=settings.mail_from,
        link_secret=settings.jwt_secret,
        reminder_hours=settings.reminder_hours,
        quiet_start=settings.quiet_hours[0],
        quiet_end=settings.quiet_hours[1],
        template_dir=settings.mail_templates,
        notify_urls=settings.notify_urls,
    )


def delivery_for(settings: Any) -> Delivery:
    """The delivery policy from the service's settings."""
    smtp = SmtpServer.from_url(settings.smtp_url) if settings.smtp_url else None
    return Delivery(smtp=smtp, retry_s=settings.notify_retry_s, attempts=settings.notify_attempts)


def notifier_for(
    settings: Any,
    *,
    run_store: RunStore,
    scheduling: Callable[[], Scheduling],
    accounts: Callable[[], Accounts],
    clock: Callable[[], datetime],
) -> Notifier:
    """The notifier of the deployment `settings` describe."""
    return Notifier(
        outbox_for(settings),
        run_store=run_store,
        scheduling=scheduling,
        accounts=accounts,
        clock=clock,
        settings=notify_settings(settings),
        delivery=delivery_for(settings),
    )


@contextlib.asynccontextmanager
async def running_notifier(
    settings: Any, *, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[Notifier]:
    """A notifier with its own store connections and threads, running until the block
    ends (`scheduler notify`, `scheduler worker`)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415
    from datetime import UTC  # noqa: PLC0415

    threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="notify")
    env = {**settings.store_env(create_table=settings.embedded), "POSTGRES_POOL_SIZE": "2"}
    loop = asyncio.get_running_loop()
    scheduling = await loop.run_in_executor(threads, Scheduling, env)
    accounts = await loop.run_in_executor(threads, Accounts, env)

    async def run_store(fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await loop.run_in_executor(threads, lambda: fn(*args, **kwargs))

    notifier = notifier_for(
        settings,
        run_store=run_store,
        scheduling=lambda: scheduling,
        accounts=lambda: accounts,
        clock=clock or (lambda: datetime.now(UTC)),
    )
    await notifier.start()
    try:
        yield notifier
    finally:
        await notifier.stop()
        threads.shutdown(wait=True)
        scheduling.close()
        accounts.close()
