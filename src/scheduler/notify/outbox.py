"""The outbox: every message the event log calls for, recorded once and delivered once.

Rows live in the event store's own database (PostgreSQL in production, the SQLite file
on the embedded default), keyed by (the event's position in the log, recipient,
channel): a message is recorded at most once however many processes follow the log,
because the follower inserts a page's messages and moves its position in ONE
transaction, and the key refuses a second copy.

Delivery claims one row at a time. On PostgreSQL the row stays locked (`FOR UPDATE SKIP
LOCKED`) until its send is recorded, so a deliverer killed mid-send releases it at
once and another (or the restarted one) sends it again with the same `Message-ID`: the
only duplicate possible is a message the server accepted in the instant before the
kill. On SQLite (one `serve` process) a claim is a short lease, so the database is not
held locked while the SMTP server answers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import psycopg

from scheduler.store import postgres_settings

PENDING, SENT, DEAD, DROPPED = "pending", "sent", "dead", "dropped"
LEASE_S = 60.0
"""How long an SQLite claim keeps other deliverers off a row."""

_TABLES = (
    """CREATE TABLE IF NOT EXISTS notify_outbox (
        event_id BIGINT NOT NULL,
        recipient TEXT NOT NULL,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        clinic_id TEXT NOT NULL,
        person_id TEXT,
        session_id TEXT,
        subject TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt DOUBLE PRECISION NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        sent_at DOUBLE PRECISION,
        claimed_until DOUBLE PRECISION,
        last_error TEXT,
        PRIMARY KEY (event_id, recipient, channel)
    )""",
    "CREATE INDEX IF NOT EXISTS notify_outbox_due ON notify_outbox (status, next_attempt)",
    "CREATE INDEX IF NOT EXISTS notify_outbox_person ON notify_outbox (person_id)",
    "CREATE INDEX IF NOT EXISTS notify_outbox_session ON notify_outbox (session_id)",
    """CREATE TABLE IF NOT EXISTS notify_position (
        name TEXT PRIMARY KEY,
        position BIGINT NOT NULL
    )""",
)
FOLLOWER = "outbox"


def _epoch(at: datetime) -> float:
    return at.timestamp()


def _instant(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


@dataclass(frozen=True)
class Message:
    """One message to one recipient over one channel, called for by one event.

    `channel`: "email" or "webhook"; `payload`: what the channel needs to send it (for
    mail the rendered text, HTML, invitation and headers; for a webhook the JSON body).
    `send_at`: not before (a reminder's time); None: at once.
    """

    event_id: int
    recipient: str
    channel: str
    kind: str
    clinic_id: str
    subject: str
    payload: dict[str, Any]
    person_id: str | None = None
    session_id: str | None = None
    send_at: datetime | None = None
    status: str = PENDING  # DEAD: could not even be written (a rule failed); never sent
    last_error: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """A recorded message as the outbox holds it."""

    event_id: int
    recipient: str
    channel: str
    kind: str
    clinic_id: str
    person_id: str | None
    session_id: str | None
    subject: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt: datetime
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    key: tuple[int, str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.event_id, self.recipient, self.channel))


_COLUMNS = (
    "event_id, recipient, channel, kind, clinic_id, person_id, session_id, subject, payload, "
    "status, attempts, next_attempt, created_at, sent_at, last_error"
)


def _outgoing(row: Any) -> Outgoing:
    return Outgoing(
        event_id=int(row[0]),
        recipient=row[1],
        channel=row[2],
        kind=row[3],
        clinic_id=row[4],
        person_id=row[5],
        session_id=row[6],
        subject=row[7],
        payload=json.loads(row[8]),
        status=row[9],
        attempts=int(row[10]),
        next_attempt=_instant(row[11]) or datetime.fromtimestamp(0, UTC),
        created_at=_instant(row[12]) or datetime.fromtimestamp(0, UTC),
        sent_at=_instant(row[13]),
        last_error=row[14],
    )


class Outbox:
    """The outbox tables in the event store's database (synchronous: run in a thread)."""

    def __init__(self, *, database_url: str | None, sqlite_path: str | None) -> None:
        if (database_url is None) == (sqlite_path is None):
            raise ValueError("an outbox needs exactly one of database_url and sqlite_path")
        self.database_url = database_url
        self.sqlite_path = sqlite_path
        if database_url is not None:
            postgres_settings(database_url)  # refuses a URL that names no database

    @classmethod
    def from_store_env(cls, env: dict[str, str]) -> Outbox | None:
        """The outbox beside the event store `env` selects (None for the in-memory one)."""
        module = env.get("PERSISTENCE_MODULE", "")
        if module.endswith("sqlite"):
            return cls(database_url=None, sqlite_path=env["SQLITE_DBNAME"])
        if module.endswith("postgres"):
            user = quote(env.get("POSTGRES_USER", "postgres"), safe="")
            password = quote(env.get("POSTGRES_PASSWORD", ""), safe="")
            login = f"{user}:{password}" if password else user
            host, port = env.get("POSTGRES_HOST", "127.0.0.1"), env.get("POSTGRES_PORT", "5432")
            name = quote(env["POSTGRES_DBNAME"], safe="")
            return cls(database_url=f"postgresql://{login}@{host}:{port}/{name}", sqlite_path=None)
        return None

    @property
    def postgres(self) -> bool:
        """True on PostgreSQL (row locks), False on SQLite (leases)."""
        return self.database_url is not None

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[Any]:
        """A cursor in one transaction, committed on success; `?` placeholders on both.
        On SQLite a writing transaction takes the write lock at once (no upgrade
        deadlock); a reading one takes none, so the event store's writers never wait
        on a read of the outbox."""
        if self.database_url is not None:
            with psycopg.connect(self.database_url, connect_timeout=5) as pg, pg.cursor() as cur:
                yield _PgCursor(cur)
            return
        assert self.sqlite_path is not None
        db = sqlite3.connect(self.sqlite_path, timeout=10, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield db.cursor()
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def create_tables(self) -> None:
        """Create the outbox's tables if missing (idempotent; `scheduler migrate`)."""
        with self._transaction() as cur:
            for statement in _TABLES:
                cur.execute(statement)

    # -- recording (the follower) -------------------------------------------------------

    def position(self, name: str = FOLLOWER) -> int:
        """The last event position of the log `name` follows whose messages are
        recorded (0 before any)."""
        with self._transaction(write=False) as cur:
            cur.execute("SELECT position FROM notify_position WHERE name = ?", (name,))
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def begin(self, position: int, name: str = FOLLOWER) -> None:
        """Start following after `position` unless following already began: a new
        outbox is not for the events recorded before it (no mail about old history)."""
        with self._transaction() as cur:
            cur.execute(
                "INSERT INTO notify_position (name, position) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (name, position),
            )

    def skip_to(self, position: int, name: str = FOLLOWER) -> None:
        """Follow on from `position` at the earliest (events before it are no news:
        the demo clinic's invented history)."""
        self.begin(position, name)
        with self._transaction() as cur:
            cur.execute(
                "UPDATE notify_position SET position = ? WHERE name = ? AND position < ?",
                (position, name, position),
            )

    def record(
        self,
        messages: list[Message],
        *,
        after: int,
        to: int,
        now: datetime,
        drop_reminders: list[tuple[str, int]] = (),  # type: ignore[assignment]
        name: str = FOLLOWER,
        retime: list[tuple[tuple[int, str, str], datetime | None]] = (),  # type: ignore[assignment]
    ) -> bool:
        """Record `messages` and move the position from `after` to `to`, in one
        transaction; False (nothing written) when another follower moved it first.
        `drop_reminders`: (session id, event position) whose pending reminders called
        for before that position are no longer wanted (the session moved or ended).
        `retime`: (a pending message's key, its new time; None: no longer wanted)."""
        with self._transaction() as cur:
            lock = " FOR UPDATE" if self.postgres else ""
            cur.execute(f"SELECT position FROM notify_position WHERE name = ?{lock}", (name,))  # noqa: S608 - fixed columns
            row = cur.fetchone()
            current = int(row[0]) if row else 0
            if current != after:
                return False
            if row is None:
                cur.execute(
                    "INSERT INTO notify_position (name, position) VALUES (?, ?)", (name, to)
                )
            else:
                cur.execute("UPDATE notify_position SET position = ? WHERE name = ?", (to, name))
            for message in messages:
                cur.execute(
                    "INSERT INTO notify_outbox (event_id, recipient, channel, kind, clinic_id, "
                    "person_id, session_id, subject, payload, status, attempts, next_attempt, "
                    "created_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (
                        message.event_id,
                        message.recipient,
                        message.channel,
                        message.kind,
                        message.clinic_id,
                        message.person_id,
                        message.session_id,
                        message.subject,
                        json.dumps(message.payload),
                        message.status,
                        _epoch(message.send_at or now),
                        _epoch(now),
                        message.last_error,
                    ),
                )
            for key, due in retime:
                cur.execute(
                    "UPDATE notify_outbox SET status = ?, next_attempt = "
                    "COALESCE(?, next_attempt) WHERE event_id = ? AND recipient = ? "
                    "AND channel = ? AND status = ?",
                    (
                        PENDING if due is not None else DROPPED,
                        None if due is None else _epoch(due),
                        *key,
                        PENDING,
                    ),
                )
            # After the inserts: a booking and its move may share this page.
            for session_id, before in drop_reminders:
                cur.execute(
                    "UPDATE notify_outbox SET status = ? WHERE session_id = ? AND kind = ? "
                    "AND status = ? AND event_id < ?",
                    (DROPPED, session_id, "reminder", PENDING, before),
                )
        return True

    # -- reading ------------------------------------------------------------------------

    def _select(self, where: str, params: tuple[Any, ...], limit: int) -> list[Outgoing]:
        with self._transaction(write=False) as cur:
            cur.execute(
                f"SELECT {_COLUMNS} FROM notify_outbox WHERE {where} "  # noqa: S608 - fixed columns
                "ORDER BY created_at DESC, event_id DESC LIMIT ?",
                (*params, limit),
            )
            return [_outgoing(row) for row in cur.fetchall()]

    def pending_reminders(self, clinic_id: str) -> list[Outgoing]:
        """The clinic's reminders not sent yet (a change of its reminder settings
        re-times them)."""
        return self._select(
            "clinic_id = ? AND kind = ? AND status = ?",
            (clinic_id, "reminder", PENDING),
            1_000_000,
        )

    def dead_letters(self, clinic_id: str, limit: int = 200) -> list[Outgoing]:
        """Messages of the clinic given up after their last retry, newest first."""
        return self._select("clinic_id = ? AND status = ?", (clinic_id, DEAD), limit)

    def messages_for(self, person_id: str, limit: int = 100) -> list[Outgoing]:
        """What was mailed (or is due) to a patient or therapist, newest first: the
        clinic's mails and their account's own (verification, password reset)."""
        return self._select(
            "person_id = ? AND channel IN (?, ?) AND status != ?",
            (person_id, "email", "email:account", DROPPED),
            limit,
        )

    def all(self) -> list[Outgoing]:
        """Every recorded message (tests and the operator's look into the outbox)."""
        return self._select("1 = 1", (), 1_000_000)

    # -- delivery -----------------------------------------------------------------------

    def claim(self, now: datetime) -> Claim | None:
        """The next message due, held for this deliverer until its outcome is recorded
        with the claim's `sent`, `failed` or `dropped` (None: nothing is due)."""
        if self.database_url is not None:
            db = psycopg.connect(self.database_url, connect_timeout=5)
            try:
                cur = db.cursor()
                cur.execute(
                    f"SELECT {_COLUMNS} FROM notify_outbox WHERE status = %s AND "  # noqa: S608 - fixed columns
                    "next_attempt <= %s ORDER BY next_attempt, event_id "
                    "LIMIT 1 FOR UPDATE SKIP LOCKED",
                    (PENDING, _epoch(now)),
                )
                row = cur.fetchone()
            except BaseException:
                db.close()
                raise
            if row is None:
                db.close()
                return None
            return Claim(self, _outgoing(row), db)
        with self._transaction(write=False) as cur:
            cur.execute(
                f"SELECT {_COLUMNS} FROM notify_outbox WHERE status = ? AND next_attempt <= ? "  # noqa: S608 - fixed columns
                "AND (claimed_until IS NULL OR claimed_until <= ?) "
                "ORDER BY next_attempt, event_id LIMIT 1",
                (PENDING, _epoch(now), _epoch(now)),
            )
            row = cur.fetchone()
        if row is None:
            return None  # the common case, every tick: no write lock taken
        with self._transaction() as cur:
            # Only if no other deliverer leased it since the read.
            cur.execute(
                "UPDATE notify_outbox SET claimed_until = ? WHERE event_id = ? AND "
                "recipient = ? AND channel = ? AND status = ? AND "
                "(claimed_until IS NULL OR claimed_until <= ?)",
                (_epoch(now) + LEASE_S, row[0], row[1], row[2], PENDING, _epoch(now)),
            )
            if cur.rowcount != 1:
                return None
        return Claim(self, _outgoing(row), None)


class Claim:
    """A message one deliverer holds: record its outcome exactly once."""

    def __init__(self, outbox: Outbox, message: Outgoing, db: Any) -> None:
        self.outbox = outbox
        self.message = message
        self._db = db  # PostgreSQL: the connection whose transaction locks the row

    def _finish(self, sql: str, params: tuple[Any, ...]) -> None:
        if self._db is None:
            with self.outbox._transaction() as cur:
                cur.execute(sql, params)
            return
        try:
            with self._db.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), params)
            self._db.commit()
        finally:
            self._db.close()

    def release(self) -> None:
        """Give the message back untouched (the deliverer is stopping)."""
        if self._db is not None:
            self._db.close()

    def sent(self, now: datetime) -> None:
        """Record that the message went out."""
        self._finish(
            "UPDATE notify_outbox SET status = ?, sent_at = ?, attempts = attempts + 1, "
            "claimed_until = NULL, last_error = NULL "
            "WHERE event_id = ? AND recipient = ? AND channel = ?",
            (SENT, _epoch(now), *self.message.key),
        )

    def failed(self, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt: retried at `retry_at`, or dead-lettered when None."""
        status = PENDING if retry_at is not None else DEAD
        next_attempt = retry_at or self.message.next_attempt
        self._finish(
            "UPDATE notify_outbox SET status = ?, attempts = attempts + 1, next_attempt = ?, "
            "claimed_until = NULL, last_error = ? "
            "WHERE event_id = ? AND recipient = ? AND channel = ?",
            (status, _epoch(next_attempt), error[:500], *self.message.key),
        )

    def dropped(self) -> None:
        """Record that the message is no longer wanted (its recipient opted out)."""
        self._finish(
            "UPDATE notify_outbox SET status = ?, claimed_until = NULL "
            "WHERE event_id = ? AND recipient = ? AND channel = ?",
            (DROPPED, *self.message.key),
        )


class _PgCursor:
    """A psycopg cursor that takes the `?` placeholders SQLite's does."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        self.cursor.execute(sql.replace("?", "%s"), params)

    def fetchone(self) -> Any:
        return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.cursor.fetchall())
