"""Settings of the running service, read once from the environment.

Secrets come only from the environment. On the embedded default (no `DATABASE_URL`)
a missing `SCHEDULER_JWT_SECRET` is generated once into the data directory, readable
by its owner only, so a first run needs no configuration and restarts keep sessions.

Every absolute link the service hands out (the calendar feed's URL, FHIR `fullUrl`s and
`self` links) starts with `base_url`: `SCHEDULER_PUBLIC_URL`, or `http://host:port` when
unset. Never the request's Host header, which the sender chooses.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scheduler.store import SQLITE_FILE, postgres_settings

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class SettingsError(ValueError):
    """Raised when an environment variable has a value the service cannot use."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the API, workers and projector need to know about their surroundings."""

    data_dir: Path
    database_url: str | None = None
    redis_url: str | None = None
    jwt_secret: str
    jwt_ttl_s: int = 8 * 3600
    host: str = "127.0.0.1"
    port: int = 8000
    # eventsourcing is synchronous: its calls run in this many threads, and the psycopg
    # pool is sized to match so no thread waits for a connection.
    store_threads: int = 16
    # Seed the sample clinic and a login per role into an empty store at start-up:
    # SCHEDULER_DEMO, by default on for the embedded store only (0 starts a clinic empty).
    demo: bool = False
    # Every Redis key starts with this, so several deployments (or tests) can share a server.
    redis_prefix: str = "scheduler:"
    # Requests allowed per window before 429: guessing passwords and flooding the
    # calendar are the two abuses worth slowing down.
    login_limit: int = 10
    login_window_s: int = 60
    booking_limit: int = 30
    booking_window_s: int = 60
    idempotency_ttl_s: int = 24 * 3600
    # Where clients reach the service (behind a proxy: the proxy's URL); None: host:port.
    public_url: str | None = None
    # The calendar feed gives home visits' coordinates only when the clinic opts in.
    feed_coordinates: bool = False
    # A Nominatim server that finds patients' homes from their street addresses.
    geocoder_url: str | None = None
    # Notifications (scheduler.notify): the mail server, the sender, the clinic's own
    # templates, when reminders go (hours before; 0: none) and the quiet hours (local,
    # start and end hour) no reminder is sent in, and how failed sends are retried.
    smtp_url: str | None = None
    mail_from: str = "scheduler@localhost"
    mail_templates: Path | None = None
    reminder_hours: int = 24
    quiet_hours: tuple[int, int] = (21, 8)
    notify_retry_s: float = 30.0
    notify_attempts: int = 10
    # Apprise URLs that get patients' short texts (SMS gateways, chat); `{phone}`: theirs.
    notify_urls: tuple[str, ...] = ()
    # Test-only: a successful keyed POST is answered this many seconds after its commit,
    # so a test can kill the process in between. Refused on any server others can reach.
    test_pause_after_commit_s: float | None = None

    def __post_init__(self) -> None:
        """Check and normalize `public_url` (SettingsError if it cannot be a base URL);
        refuse the test-only pause on a server that is not loopback-only."""
        if self.test_pause_after_commit_s is not None and (
            self.host not in _LOOPBACK or self.public_url is not None
        ):
            raise SettingsError(
                "SCHEDULER_TEST_PAUSE_AFTER_COMMIT_S is for tests only: it is refused unless "
                "the server listens on a loopback address and SCHEDULER_PUBLIC_URL is unset"
            )
        if self.public_url is not None:
            object.__setattr__(
                self, "public_url", _http_url(self.public_url, "SCHEDULER_PUBLIC_URL")
            )
        if self.geocoder_url is not None:
            object.__setattr__(
                self, "geocoder_url", _http_url(self.geocoder_url, "SCHEDULER_GEOCODER_URL")
            )

    @property
    def base_url(self) -> str:
        """The start of every absolute link, without a trailing slash."""
        if self.public_url is not None:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def embedded(self) -> bool:
        """True when the event store is the embedded SQLite default."""
        return self.database_url is None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, signs_tokens: bool = True
    ) -> Settings:
        """Read settings from `environ` (default: the process environment).

        Processes that never sign or check a token (`migrate`, `project`) pass
        `signs_tokens=False`: they need no secret, and get none (an empty one, which
        `create_app` refuses).
        """
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("SCHEDULER_DATA_DIR", "var")).resolve()
        database_url = env.get("DATABASE_URL") or None
        secret = env.get("SCHEDULER_JWT_SECRET") or None
        if secret is None and not signs_tokens:
            secret = ""
        elif secret is None:
            if database_url is not None:
                raise SettingsError(
                    "SCHEDULER_JWT_SECRET is not set: with DATABASE_URL the service runs "
                    "in production and needs a secret of at least 32 characters"
                )
            secret = _embedded_secret(data_dir)
        if signs_tokens and len(secret) < 32:
            raise SettingsError("SCHEDULER_JWT_SECRET must be at least 32 characters long")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=env.get("REDIS_URL") or None,
            jwt_secret=secret,
            jwt_ttl_s=_int(env, "SCHEDULER_JWT_TTL_S", 8 * 3600),
            host=env.get("SCHEDULER_HOST", "127.0.0.1"),
            port=_int(env, "SCHEDULER_PORT", 8000),
            store_threads=_int(env, "SCHEDULER_STORE_THREADS", 16),
            redis_prefix=env.get("SCHEDULER_REDIS_PREFIX") or "scheduler:",
            login_limit=_int(env, "SCHEDULER_LOGIN_LIMIT", 10),
            booking_limit=_int(env, "SCHEDULER_BOOKING_LIMIT", 30),
            public_url=env.get("SCHEDULER_PUBLIC_URL") or None,
            feed_coordinates=_flag(env, "SCHEDULER_FEED_COORDINATES"),
            geocoder_url=env.get("SCHEDULER_GEOCODER_URL") or None,
            demo=_flag(env, "SCHEDULER_DEMO", default=database_url is None),
            smtp_url=_smtp_url(env.get("SCHEDULER_SMTP_URL") or None),
            mail_from=env.get("SCHEDULER_MAIL_FROM") or "scheduler@localhost",
            mail_templates=(
                Path(env["SCHEDULER_MAIL_TEMPLATES"]).resolve()
                if env.get("SCHEDULER_MAIL_TEMPLATES")
                else None
            ),
            reminder_hours=_hours(env, "SCHEDULER_REMINDER_HOURS", 24),
            quiet_hours=_quiet(env.get("SCHEDULER_QUIET_HOURS") or "21-8"),
            notify_retry_s=float(_int(env, "SCHEDULER_NOTIFY_RETRY_S", 30)),
            notify_attempts=_int(env, "SCHEDULER_NOTIFY_ATTEMPTS", 10),
            notify_urls=_notify_urls(env.get("SCHEDULER_NOTIFY_URLS") or ""),
            test_pause_after_commit_s=_int(env, "SCHEDULER_TEST_PAUSE_AFTER_COMMIT_S", 0) or None,
        )

    def store_env(self, *, create_table: bool) -> dict[str, str]:
        """The eventsourcing settings of the event store these settings name.

        The psycopg pool holds one connection per store thread (and no overflow), so a
        request never waits for a connection while a thread is free, and the database
        sees at most `store_threads` connections per process and application.
        """
        env = {"CREATE_TABLE": "y" if create_table else "n"}
        if self.database_url is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
            env["SQLITE_DBNAME"] = str(self.data_dir / SQLITE_FILE)
            # Writers queue on SQLite's single lock instead of failing at once.
            env["SQLITE_LOCK_TIMEOUT"] = "10"
            return env
        env.update(postgres_settings(self.database_url))
        env["POSTGRES_POOL_SIZE"] = str(self.store_threads)
        env["POSTGRES_MAX_OVERFLOW"] = "0"
        # A database that does not answer fails requests (and /ready) in seconds.
        env["POSTGRES_CONNECT_TIMEOUT"] = "5"
        return env


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


def _hours(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit():
        raise SettingsError(f"{name} must be a whole number of hours (0: none), not {raw!r}")
    return int(raw)


def _quiet(raw: str) -> tuple[int, int]:
    """`21-8`: quiet from 21:00 to 08:00 local time."""
    start, _, end = raw.partition("-")
    if not (start.strip().isdigit() and end.strip().isdigit()):
        raise SettingsError(f"SCHEDULER_QUIET_HOURS must look like 21-8, not {raw!r}")
    first, last = int(start), int(end)
    if not (0 <= first <= 23 and 0 <= last <= 23):
        raise SettingsError(f"SCHEDULER_QUIET_HOURS takes hours 0-23, not {raw!r}")
    return first, last


def _smtp_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    scheme = raw.partition("://")[0]
    if scheme not in ("smtp", "smtps"):
        raise SettingsError(
            "SCHEDULER_SMTP_URL must look like smtp://user:pass@host:587?starttls=1 or "
            "smtps://user:pass@host:465"
        )
    return raw


def _notify_urls(raw: str) -> tuple[str, ...]:
    urls = [url.strip() for url in raw.split(",") if url.strip()]
    if not urls:
        return ()
    from scheduler.notify.texts import TextsConfigError, check_urls  # noqa: PLC0415 (apprise loads only when used)

    try:
        return check_urls(urls)
    except TextsConfigError as error:
        raise SettingsError(str(error)) from None


def _flag(env: Mapping[str, str], name: str, *, default: bool = False) -> bool:
    raw = (env.get(name) or ("1" if default else "0")).strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 1 or 0, not {raw!r}")


def _http_url(raw: str, name: str) -> str:
    """`raw` as a base URL: http(s), a host, perhaps a path; no query, fragment or login."""
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise SettingsError(f"{name} is not a URL: {raw!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be http(s)://host[:port][/path], not {raw!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SettingsError(f"{name} must not hold a query, a fragment or a login: {raw!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def _embedded_secret(data_dir: Path) -> str:
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not each write their own secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secret)
    return secret
