"""`scheduler worker`: run optimization jobs from the Redis queue until SIGTERM.

It also makes the waitlist's offers every few seconds (as `scheduler serve` does), so
freed time is offered while no API process is up; both at once offer each slot once.
On PostgreSQL it delivers notifications too (as `scheduler notify` does).

Needs `REDIS_URL` (and, to share the API's records, the same `DATABASE_URL` and
`SCHEDULER_REDIS_PREFIX`). On SIGTERM or Ctrl-C it stops taking jobs, hands a job it
was running back to the queue (another worker solves it again) and exits 0. Without
`REDIS_URL` there is nothing to do: the embedded default solves inside `scheduler serve`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(commands: Any) -> None:
    """Add `worker` to the parser."""
    parser = commands.add_parser(
        "worker",
        help="run optimization jobs from Redis and make waitlist offers (needs REDIS_URL)",
        description="Process the optimization queue of this deployment (REDIS_URL, "
        "SCHEDULER_REDIS_PREFIX) against its store (DATABASE_URL), and make the waitlist's "
        "offers from freed time, until SIGTERM.",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        help="solves at a time, each in its own process (default 1; at most one per core)",
    )
    parser.set_defaults(run=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    """Serve the queue until a signal; exit code 2 on a configuration error."""
    import asyncio  # noqa: PLC0415 - keeps --help instant
    import logging  # noqa: PLC0415

    from scheduler.settings import Settings, SettingsError  # noqa: PLC0415
    from scheduler.worker import queue_name, saq_worker  # noqa: PLC0415

    if args.concurrency < 1:
        print("scheduler worker: --concurrency must be at least 1", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"scheduler worker: {error}", file=sys.stderr)
        return 2
    if settings.redis_url is None:
        print(
            "scheduler worker: REDIS_URL is not set; without Redis, `scheduler serve` "
            "runs optimizations itself",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = saq_worker(settings, concurrency=args.concurrency)
    print(f"scheduler worker: processing queue {queue_name(settings)!r}", flush=True)
    asyncio.run(worker.start())
    return 0
