"""`scheduler notify`: deliver notifications (e-mail, webhooks) until SIGTERM.

The same loop `scheduler worker` runs beside its solver jobs (and `scheduler serve` on
the embedded default): follow the event log into the outbox, send what is due, retry
failures with backoff. Any number may run at once: each event's messages are recorded
once and each message is held by one deliverer at a time. Needs `DATABASE_URL` (the
outbox's tables come with `scheduler migrate`), `SCHEDULER_JWT_SECRET` (it signs the
links in messages) and, for e-mail, `SCHEDULER_SMTP_URL`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(commands: Any) -> None:
    """Add `notify` to the parser."""
    commands.add_parser(
        "notify",
        help="deliver notifications (e-mail, webhooks) from the event log, until SIGTERM",
        description="Follow the event store into the notifications' outbox and deliver it "
        "(the same loop `scheduler worker` runs), until SIGTERM.",
    ).set_defaults(run=run_notify)


def run_notify(args: argparse.Namespace) -> int:
    """Deliver until a signal; exit code 2 on a configuration error."""
    import asyncio  # noqa: PLC0415 - keeps --help instant

    from scheduler.api.context import configure_logging  # noqa: PLC0415
    from scheduler.notify.channels import ChannelConfigError  # noqa: PLC0415
    from scheduler.settings import Settings, SettingsError  # noqa: PLC0415

    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"scheduler notify: {error}", file=sys.stderr)
        return 2
    configure_logging()
    try:
        asyncio.run(_deliver(settings))
    except ChannelConfigError as error:
        print(f"scheduler notify: {error}", file=sys.stderr)
        return 2
    print("notifier stopped", flush=True)
    return 0


async def _deliver(settings: Any) -> None:
    import asyncio  # noqa: PLC0415
    import signal  # noqa: PLC0415

    from scheduler.notify.notifier import running_notifier  # noqa: PLC0415

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with running_notifier(settings):
        print("delivering notifications (Ctrl-C to stop)", flush=True)
        await stop.wait()
