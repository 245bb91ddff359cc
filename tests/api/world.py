"""A small clinic with an account per role, seeded straight into the API's store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from scheduler.accounts import Accounts
from scheduler.domain import Scheduling
from scheduler.settings import Settings

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 10, 5)
PASSWORD = "correct horse battery"
WEEKDAYS_9_TO_5 = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}
EMAILS = {
    "admin": "admin@clinic.example",
    "dispatcher": "desk@loop.example",
    "other_dispatcher": "desk@lake.example",
    "ana": "ana@loop.example",
    "ben": "ben@loop.example",
    "pat": "pat@mail.example",
    "quinn": "quinn@mail.example",
}


class Clock:
    """The app's clock in tests: fixed, moved on explicitly."""

    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class World:
    """Ids of the seeded records (names are the people's, for readable tests)."""

    clinic: UUID
    other_clinic: UUID
    ana: UUID  # mobile, ms; Mon-Fri 09:00-17:00
    ben: UUID  # clinic-based, sports_injury + ms
    pat: UUID
    quinn: UUID
    pat_plan: UUID  # ms home visits, 60 min
    quinn_plan: UUID  # ms home visits, 60 min
    local: dict[str, datetime] = field(default_factory=dict)


def migrate(settings: Settings) -> None:
    """Create the tables of both applications (what `scheduler migrate` does)."""
    env = settings.store_env(create_table=True)
    Scheduling(env).close()
    Accounts(env).close()


def seed(settings: Settings) -> World:
    """Register the clinic, its people and one account per role; returns their ids."""
    env = settings.store_env(create_table=True)
    app, accounts = Scheduling(env), Accounts(env)
    try:
        world = _records(app)
        _accounts(accounts, world)
        world.local = {
            "mon 10:00": app.local_time(world.clinic, MONDAY, 600),
            "mon 12:00": app.local_time(world.clinic, MONDAY, 720),
            "mon 14:00": app.local_time(world.clinic, MONDAY, 840),
            # Two and four days later: a plan's next sessions at its 2-9 day cadence.
            "wed 10:00": app.local_time(world.clinic, MONDAY + timedelta(days=2), 600),
            "fri 10:00": app.local_time(world.clinic, MONDAY + timedelta(days=4), 600),
        }
        return world
    finally:
        app.close()
        accounts.close()


def _records(app: Scheduling) -> World:
    who = {"actor": "seed", "now": NOW}
    clinic = app.register_clinic(
        name="Loop Medical Massage",
        address="1 N State St, Chicago",
        location=(41.8837, -87.6289),
        timezone="America/Chicago",
        **who,
    )
    other = app.register_clinic(
        name="Lake Massage",
        address="2 Lake St",
        location=(41.88, -87.63),
        timezone="America/Chicago",
        **who,
    )
    ana = app.register_therapist(
        clinic_id=clinic,
        name="Ana Alvarez",
        specializations=["ms", "lymphatic"],
        mobile=True,
        home=(41.91, -87.67),
        shifts=WEEKDAYS_9_TO_5,
        **who,
    )
    ben = app.register_therapist(
        clinic_id=clinic,
        name="Ben Brooks",
        specializations=["sports_injury", "ms"],
        mobile=False,
        shifts=WEEKDAYS_9_TO_5,
        **who,
    )
    plans = {}
    patients = {}
    for name, home in (("Pat Patel", (41.95, -87.70)), ("Quinn Quade", (41.92, -87.65))):
        patient = app.register_patient(clinic_id=clinic, name=name, home=home, **who)
        app.record_evaluation(
            patient,
            condition="multiple sclerosis",
            pain_level=6,
            contraindications=[],
            notes="spasticity in calves",
            **who,
        )
        prescription = app.record_prescription(
            patient,
            condition="multiple sclerosis",
            authorized_sessions=10,
            expires_on=date(2026, 12, 31),
            **who,
        )
        patients[name] = patient
        plans[name] = app.create_plan(
            patient_id=patient,
            prescription_id=prescription,
            specialization="ms",
            sessions=10,
            session_minutes=60,
            min_days=2,
            max_days=9,
            setting="home",
            **who,
        )
    return World(
        clinic=clinic,
        other_clinic=other,
        ana=ana,
        ben=ben,
        pat=patients["Pat Patel"],
        quinn=patients["Quinn Quade"],
        pat_plan=plans["Pat Patel"],
        quinn_plan=plans["Quinn Quade"],
    )


def _accounts(accounts: Accounts, world: World) -> None:
    scopes: dict[str, tuple[str, UUID | None, UUID | None]] = {
        "admin": ("admin", None, None),
        "dispatcher": ("dispatcher", None, world.clinic),
        "other_dispatcher": ("dispatcher", None, world.other_clinic),
        "ana": ("therapist", world.ana, world.clinic),
        "ben": ("therapist", world.ben, world.clinic),
        "pat": ("patient", world.pat, world.clinic),
        "quinn": ("patient", world.quinn, world.clinic),
    }
    for who, (role, acts_for, clinic) in scopes.items():
        accounts.open_account(
            email=EMAILS[who],
            password=PASSWORD,
            role=role,
            acts_for=acts_for,
            clinic_id=clinic,
            actor="seed",
            now=NOW,
        )
