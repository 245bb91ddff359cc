"""`scheduler serve`: the HTTP API under uvicorn.

On the embedded default (no `DATABASE_URL`) the SQLite store in `SCHEDULER_DATA_DIR` is
created on first run and, while it has no accounts, seeded with the demo clinic and one
login per role; the logins (random passwords) are kept in `demo-logins.json` in the data
directory, readable by its owner only, and printed at every start. `SCHEDULER_DEMO=0`
starts empty instead (make the first admin with `scheduler accounts add`). With
`DATABASE_URL` (and `REDIS_URL`) the tables must exist (`scheduler migrate`); nothing is
seeded unless `SCHEDULER_DEMO=1`.

For several worker processes: `uvicorn scheduler.cli.serve:app_from_env --factory --workers 4
--timeout-graceful-shutdown 10 --timeout-keep-alive 75` (without the first an open
live-board stream holds a SIGTERM'd process until it is killed; the second, see
`KEEP_ALIVE_S`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar

    from scheduler.settings import Settings

DEMO_LOGINS = "demo-logins.json"
GRACEFUL_SHUTDOWN_S = 10
KEEP_ALIVE_S = 75
"""How long an idle client connection stays open. Longer than clients' and load
balancers' own idle limits (httpx 5 s, most balancers 60 s): with uvicorn's 5 s, a
client reusing a connection as the server closed it lost the request (a system test's
booking under load came back with no answer)."""
"""On SIGTERM, requests in flight get this long to finish before they are cancelled: an
open live-board stream never finishes by itself and would otherwise hold the process
until the orchestrator's SIGKILL (30 s in deploy/), cutting every request with it."""


def register(commands: Any) -> None:
    """Add `serve` to the parser."""
    parser = commands.add_parser("serve", help="run the HTTP API (OpenAPI at /schema)")
    parser.add_argument(
        "--host", help="address to listen on (default $SCHEDULER_HOST or 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, help="port (default $SCHEDULER_PORT or 8000)")
    parser.set_defaults(run=run_serve)


def app_from_env() -> Litestar:
    """The API configured from the environment (uvicorn's `--factory` entry point)."""
    from scheduler.api import create_app  # noqa: PLC0415 - keeps --help instant
    from scheduler.settings import Settings  # noqa: PLC0415 - keeps --help instant

    return create_app(Settings.from_env())


def run_serve(args: argparse.Namespace) -> int:
    """Prepare the store, print how to sign in, and serve until interrupted."""
    import uvicorn  # noqa: PLC0415 - keeps --help instant
    from eventsourcing.persistence import PersistenceError  # noqa: PLC0415

    from scheduler.api import create_app  # noqa: PLC0415
    from scheduler.settings import Settings, SettingsError  # noqa: PLC0415
    from scheduler.store import StoreConfigError  # noqa: PLC0415

    try:
        settings = Settings.from_env()
        host = args.host or settings.host
        port = args.port or settings.port
        # Links default to where this process listens (SCHEDULER_PUBLIC_URL overrides).
        settings = dataclasses.replace(settings, host=host, port=port)
        logins = prepare_store(settings)
    except PersistenceError as error:
        print(f"scheduler serve: {error} (run `scheduler migrate` first?)", file=sys.stderr)
        return 2
    except (SettingsError, StoreConfigError, OSError) as error:
        print(f"scheduler serve: {error}", file=sys.stderr)
        return 2
    store = "PostgreSQL" if settings.database_url else f"SQLite in {settings.data_dir}"
    redis = "Redis" if settings.redis_url else "no Redis (in-process fallbacks)"
    print(f"scheduler API on http://{host}:{port} ({store}, {redis}); OpenAPI at /schema")
    for role, login in logins.items():
        print(f"  {role:<10} {login['email']:<28} password: {login['password']}")
    # Our own access log replaces uvicorn's (which would print raw paths and queries).
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    return 0


def prepare_store(settings: Settings) -> dict[str, dict[str, str]]:
    """Create embedded tables, seed the demo if due; the demo logins to print (maybe none)."""
    from scheduler.accounts import Accounts, create_tables  # noqa: PLC0415
    from scheduler.store import migrate  # noqa: PLC0415

    if settings.embedded:
        env = settings.store_env(create_table=True)
        migrate(env)
        create_tables(env)
    saved = settings.data_dir / DEMO_LOGINS
    accounts = Accounts(settings.store_env(create_table=False))
    try:
        empty = not accounts.has_accounts()
    finally:
        accounts.close()
    if empty and settings.demo:
        return seed_demo(settings, saved)
    if saved.exists():
        loaded: dict[str, dict[str, str]] = json.loads(saved.read_text())
        return loaded
    return {}


def seed_demo(settings: Settings, saved: Path) -> dict[str, dict[str, str]]:
    """The demo clinic plus a dispatcher, a therapist, a patient and an admin login."""
    from scheduler.accounts import Accounts  # noqa: PLC0415
    from scheduler.demo import now_utc, run_demo  # noqa: PLC0415
    from scheduler.domain import Scheduling  # noqa: PLC0415
    from scheduler.notify.account_mail import ACCOUNTS  # noqa: PLC0415
    from scheduler.notify.outbox import Outbox  # noqa: PLC0415

    env = settings.store_env(create_table=False)
    app, accounts = Scheduling(env), Accounts(env)
    try:
        now = now_utc()
        clinic = run_demo(app, now, say=lambda _line: None)
        therapist = app.list_therapists(clinic)[0]
        patient = app.list_patients(clinic)[0]
        scopes = {
            "dispatcher": ("dispatch@demo.example", None, clinic),
            "therapist": ("therapist@demo.example", therapist.id, clinic),
            "patient": ("patient@demo.example", patient.id, clinic),
            "admin": ("admin@demo.example", None, None),
        }
        logins = {}
        for role, (email, acts_for, clinic_id) in scopes.items():
            password = secrets.token_urlsafe(12)
            accounts.open_account(
                email=email,
                password=password,
                role=role,
                acts_for=acts_for,
                clinic_id=clinic_id,
                actor="scheduler-serve",
                now=now,
                verify=False,  # the demo's addresses receive no mail
            )
            logins[role] = {"email": email, "password": password}
        # The demo's invented history is nobody's news: notifications start after it.
        outbox = Outbox.from_store_env(env)
        if outbox is not None:
            outbox.create_tables()
            outbox.skip_to(app.recorder.max_notification_id() or 0)
            outbox.skip_to(accounts.recorder.max_notification_id() or 0, ACCOUNTS)
    finally:
        app.close()
        accounts.close()
    saved.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(logins, out, indent=2)
    return logins


def main(argv: list[str] | None = None) -> int:
    """`python -m scheduler.cli.serve`: the same as `scheduler serve` before it is wired."""
    parser = argparse.ArgumentParser(prog="scheduler")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
