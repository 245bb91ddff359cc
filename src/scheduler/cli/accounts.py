"""`scheduler accounts`: sign-ins made from the command line (the first admin above all).

    printf '%s' "$PASSWORD" | scheduler accounts add --role admin --email E --password-stdin
    scheduler accounts add --role therapist --email E --therapist ID --password-stdin
    scheduler accounts reset-password --email E --password-stdin
    scheduler accounts list [--clinic ID]

Passwords are read from standard input only (never an argument: arguments show in `ps`
and shell histories). A patient's or therapist's account takes its clinic from the record
it acts for; a dispatcher's names the clinic. On the embedded default the tables are
created on first use; on PostgreSQL run `scheduler migrate` first.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any
from uuid import UUID

ACTOR = "cli"


def register(commands: Any) -> None:
    """Add `accounts add`, `accounts reset-password` and `accounts list` to the parser."""
    parser = commands.add_parser(
        "accounts",
        help="open accounts (the first admin), reset passwords, list accounts",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    add = verbs.add_parser("add", help="open an account; the password is read from stdin")
    add.add_argument(
        "--role", required=True, choices=("admin", "dispatcher", "therapist", "patient")
    )
    add.add_argument("--email", required=True)
    add.add_argument("--clinic", type=UUID, help="a dispatcher's clinic id")
    add.add_argument("--therapist", type=UUID, help="the therapist record a therapist acts for")
    add.add_argument("--patient", type=UUID, help="the patient record a patient acts for")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from standard input (required: never pass it as an argument)",
    )
    add.set_defaults(run=run_add)
    reset = verbs.add_parser("reset-password", help="give an account a new password (stdin)")
    reset.add_argument("--email", required=True)
    reset.add_argument("--password-stdin", action="store_true", required=True)
    reset.set_defaults(run=run_reset)
    listing = verbs.add_parser("list", help="the accounts, by e-mail (no passwords)")
    listing.add_argument("--clinic", type=UUID, help="only this clinic's accounts")
    listing.set_defaults(run=run_list)


def _fail(error: object) -> int:
    print(f"scheduler accounts: {error}", file=sys.stderr)
    return 2


def _password() -> str:
    """The password on standard input, without the trailing newline of `echo`."""
    return sys.stdin.read().rstrip("\r\n")


def _open() -> tuple[Any, Any]:
    """The clinic's records and the accounts on the configured store."""
    from scheduler import store  # noqa: PLC0415 - keeps --help instant
    from scheduler.accounts import Accounts  # noqa: PLC0415

    env = store.environment()
    if store.describe(env).startswith("SQLite"):
        store.migrate(env)  # embedded default: a first run on a fresh checkout just works
    return store.open_scheduling(env), Accounts(env)


def _scope(app: Any, args: argparse.Namespace) -> tuple[UUID | None, UUID | None]:
    """The record the account acts for and its clinic, checked against the store."""
    from scheduler.domain.errors import NotFound  # noqa: PLC0415

    try:
        if args.role == "therapist" and args.therapist:
            return args.therapist, app.get_therapist(args.therapist).clinic_id
        if args.role == "patient" and args.patient:
            return args.patient, app.get_patient(args.patient).clinic_id
        if args.role == "dispatcher" and args.clinic:
            return None, app.get_clinic(args.clinic).id
    except NotFound as error:
        raise ValueError(f"{error}: name an existing record") from None
    needs = {"therapist": "--therapist", "patient": "--patient", "dispatcher": "--clinic"}
    if args.role in needs:
        raise ValueError(f"a {args.role} account needs {needs[args.role]} ID")
    return None, None


def _on_store(work: Callable[[Any, Any], str]) -> int:
    """Run `work(app, accounts)` on the configured store and print what it returns;
    every error a user can fix is one line on stderr and exit code 2."""
    from eventsourcing.persistence import PersistenceError  # noqa: PLC0415

    from scheduler.accounts import AccountError  # noqa: PLC0415
    from scheduler.store import StoreConfigError  # noqa: PLC0415

    try:
        app, accounts = _open()
        try:
            said = work(app, accounts)
        finally:
            app.close()
            accounts.close()
    except PersistenceError as error:
        return _fail(f"{error} (run `scheduler migrate` first?)")
    except (AccountError, ValueError, StoreConfigError, OSError) as error:
        return _fail(error)
    if said:
        print(said)
    return 0


def run_add(args: argparse.Namespace) -> int:
    """Open the account; print its id."""
    from scheduler.demo import now_utc  # noqa: PLC0415

    password = _password()

    def add(app: Any, accounts: Any) -> str:
        acts_for, clinic = _scope(app, args)
        view = accounts.open_account(
            email=args.email,
            password=password,
            role=args.role,
            acts_for=acts_for,
            clinic_id=clinic,
            actor=ACTOR,
            now=now_utc(),
        )
        return f"account {view.id}: {view.email} ({view.role})"

    return _on_store(add)


def run_reset(args: argparse.Namespace) -> int:
    """Set a new password on an existing account."""
    from scheduler.demo import now_utc  # noqa: PLC0415

    password = _password()

    def reset(_: Any, accounts: Any) -> str:
        view = accounts.set_password(
            email=args.email, password=password, actor=ACTOR, now=now_utc()
        )
        return f"new password set for {view.email}"

    return _on_store(reset)


def run_list(args: argparse.Namespace) -> int:
    """Print the accounts, one per line: e-mail, role, clinic, the record it acts for."""

    def listing(_: Any, accounts: Any) -> str:
        return "\n".join(
            f"{v.email}\t{v.role}\t{v.clinic_id or 'all clinics'}\t{v.acts_for or ''}"
            for v in accounts.list_accounts(args.clinic)
        )

    return _on_store(listing)
