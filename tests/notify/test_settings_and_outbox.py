"""The mail settings as read from the environment, and the outbox's exactly-once rules
on both databases (no server needed but the shared PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler.notify.account_mail import ACCOUNTS
from scheduler.notify.channels import ChannelConfigError, SmtpServer
from scheduler.notify.compose import check_link, sign_link
from scheduler.notify.notifier import Delivery
from scheduler.notify.outbox import DEAD, SENT, Message, Outbox
from scheduler.settings import Settings, SettingsError

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
SECRET = "x" * 40


def test_smtp_urls_name_the_server_and_its_security() -> None:
    plain = SmtpServer.from_url("smtp://127.0.0.1:2525")
    assert (plain.host, plain.port, plain.tls, plain.starttls, plain.username) == (
        "127.0.0.1", 2525, False, False, None,
    )  # fmt: skip
    submission = SmtpServer.from_url("smtp://desk%40clinic.example:p%3Ass@mail.example?starttls=1")
    assert (submission.port, submission.starttls, submission.username, submission.password) == (
        587, True, "desk@clinic.example", "p:ss",
    )  # fmt: skip
    implicit = SmtpServer.from_url("smtps://u:p@mail.example&verify=0".replace("&", "?"))
    assert (implicit.port, implicit.tls, implicit.verify) == (465, True, False)
    with pytest.raises(ChannelConfigError):
        SmtpServer.from_url("http://mail.example")


def test_settings_read_the_mail_variables_and_refuse_nonsense(tmp_path: Path) -> None:
    base = {"SCHEDULER_DATA_DIR": str(tmp_path), "SCHEDULER_JWT_SECRET": SECRET}
    settings = Settings.from_env(
        {
            **base,
            "SCHEDULER_SMTP_URL": "smtps://u:p@mail.example:465",
            "SCHEDULER_MAIL_FROM": "desk@clinic.example",
            "SCHEDULER_REMINDER_HOURS": "0",
            "SCHEDULER_QUIET_HOURS": "22-7",
        }
    )
    assert settings.smtp_url == "smtps://u:p@mail.example:465"
    assert (settings.mail_from, settings.reminder_hours, settings.quiet_hours) == (
        "desk@clinic.example", 0, (22, 7),
    )  # fmt: skip
    for name, value in (
        ("SCHEDULER_SMTP_URL", "mail.example:25"),
        ("SCHEDULER_QUIET_HOURS", "late"),
        ("SCHEDULER_QUIET_HOURS", "21-25"),
        ("SCHEDULER_REMINDER_HOURS", "-1"),
    ):
        with pytest.raises(SettingsError):
            Settings.from_env({**base, name: value})


def test_links_are_signed_and_expire() -> None:
    token = sign_link(SECRET, "offer", "abc", NOW + timedelta(hours=2))
    assert check_link(SECRET, "offer", token, NOW) == "abc"
    assert check_link(SECRET, "offer", token, NOW + timedelta(hours=3)) is None  # expired
    assert check_link(SECRET, "unsubscribe", token, NOW) is None  # another purpose
    assert check_link("y" * 40, "offer", token, NOW) is None  # another secret
    assert check_link(SECRET, "offer", token.replace("abc", "abd"), NOW) is None


def test_backoff_doubles_then_gives_up() -> None:
    policy = Delivery(smtp=None, retry_s=30, attempts=4, max_wait_s=90)
    waits = [policy.retry_at(n, NOW) for n in (1, 2, 3, 4)]
    assert waits[:3] == [NOW + timedelta(seconds=s) for s in (30, 60, 90)]
    assert waits[3] is None  # the fourth failure is the last


@pytest.fixture(params=["sqlite", "postgres"])
def outbox(request: pytest.FixtureRequest, tmp_path: Path) -> Outbox:
    """An empty outbox on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        box = Outbox(database_url=None, sqlite_path=str(tmp_path / "outbox.sqlite3"))
    else:
        database = request.getfixturevalue("pg_database")
        box = Outbox(database_url=database["dsn"], sqlite_path=None)
    box.create_tables()
    return box


def _message(event_id: int, to: str = "pat@mail.example") -> Message:
    return Message(
        event_id=event_id, recipient=to, channel="email", kind="booked", clinic_id="c",
        subject="Booked", payload={"to": to}, person_id="p",
    )  # fmt: skip


def test_a_page_is_recorded_once_and_each_message_sent_once(outbox: Outbox) -> None:
    outbox.begin(10)
    outbox.begin(99)  # following already began: no effect
    assert outbox.position() == 10
    assert outbox.record([_message(11), _message(12)], after=10, to=12, now=NOW)
    # A second follower that read the same page loses, and writes nothing.
    assert not outbox.record([_message(11), _message(12, "x@y.example")], after=10, to=12, now=NOW)
    assert [(m.event_id, m.recipient) for m in outbox.all()] == [
        (12, "pat@mail.example"), (11, "pat@mail.example"),
    ]  # fmt: skip
    first = outbox.claim(NOW)
    assert first is not None
    second = outbox.claim(NOW)  # the other row: the first is held
    assert second is not None
    assert first.message.key != second.message.key
    assert outbox.claim(NOW) is None
    first.sent(NOW)
    second.failed("refused", None)
    statuses = {m.event_id: (m.status, m.attempts) for m in outbox.all()}
    assert statuses[first.message.event_id] == (SENT, 1)
    assert statuses[second.message.event_id] == (DEAD, 1)
    assert outbox.claim(NOW + timedelta(days=1)) is None  # sent and dead stay put
    assert [m.event_id for m in outbox.dead_letters("c")] == [second.message.event_id]


def test_the_accounts_log_is_followed_on_its_own_position(outbox: Outbox) -> None:
    outbox.begin(10)
    outbox.begin(3, ACCOUNTS)
    assert (outbox.position(), outbox.position(ACCOUNTS)) == (10, 3)
    # The same position in the two logs is two events: their rows never meet.
    clinic = _message(11)
    account = Message(**{**_message(11).__dict__, "channel": "email:account", "kind": "verify"})
    assert outbox.record([clinic], after=10, to=11, now=NOW)
    assert not outbox.record([account], after=10, to=11, now=NOW, name=ACCOUNTS)  # stale
    assert outbox.record([account], after=3, to=11, now=NOW, name=ACCOUNTS)
    assert (outbox.position(), outbox.position(ACCOUNTS)) == (11, 11)
    assert sorted(m.channel for m in outbox.all()) == ["email", "email:account"]
    outbox.skip_to(20, ACCOUNTS)
    assert (outbox.position(), outbox.position(ACCOUNTS)) == (11, 20)
