"""The accounts' mails on PostgreSQL, as `scheduler notify` sends them: `migrate` begins
both followers, so an account opened before it is no news; one opened after it is
mailed its link once, though two notifiers follow the log."""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from scheduler.accounts import Accounts
from scheduler.notify.notifier import running_notifier
from scheduler.settings import Settings
from scheduler.store import migrate

from .sink import Sink

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)
pytestmark = pytest.mark.postgres


def _open_patient_account(settings: Settings, email: str) -> None:
    accounts = Accounts(settings.store_env(create_table=False))
    try:
        accounts.open_account(
            email=email,
            password="a long enough password",
            role="patient",
            acts_for=uuid4(),
            clinic_id=uuid4(),
            actor="test",
            now=NOW,
        )
    finally:
        accounts.close()


async def _two_notifiers_for(settings: Settings, seconds: float) -> None:
    async with contextlib.AsyncExitStack() as both:
        for _ in range(2):
            await both.enter_async_context(running_notifier(settings, clock=lambda: NOW))
        await asyncio.sleep(seconds)


def test_two_notifiers_on_postgres_mail_a_new_account_once(
    pg_database: dict[str, str], sink: Sink, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_database["dsn"],
        jwt_secret="s" * 40,
        smtp_url=sink.url,
        public_url="https://care.loop.example",
    )
    old = "before.migrate@mail.example"
    env = settings.store_env(create_table=True)
    Accounts(env).close()  # an installation that had accounts before notifications
    _open_patient_account(settings, old)
    migrate(env)
    new = "after.migrate@mail.example"
    _open_patient_account(settings, new)

    asyncio.run(_two_notifiers_for(settings, 4.0))
    time.sleep(0.5)
    assert [str(m["Subject"]) for m in sink.to(new)] == ["Confirm your e-mail address"]
    assert sink.to(old) == []
