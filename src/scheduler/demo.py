"""`scheduler demo`: a sample clinic's week, built through the real application.

Every run registers a NEW clinic (fresh ids, the run's time in its name), so the demo can
be re-run on the same data directory: earlier runs stay in the store, untouched. The demo
keeps its own clock (`now` is passed to every command, as the API will): the bookings are
made on the Thursday before the demo week, a reschedule on Friday, and one cancellation
on the Monday morning itself, inside the 24-hour policy window, so it is flagged late.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from scheduler.domain import Scheduling
from scheduler.domain.timekeeping import clinic_zone, wall_clock
from scheduler.geo import travel_minutes

ZONE = "America/Chicago"
WEEKDAYS = {day: [540, 1020] for day in ("mon", "tue", "wed", "thu", "fri")}


def _next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def run_demo(app: Scheduling, started: datetime, say: Callable[[str], None] = print) -> UUID:
    """Build the sample clinic in `app` and print its week; returns the clinic's id."""
    zone = clinic_zone(ZONE)
    monday = _next_monday(started.astimezone(zone).date())
    now = wall_clock(monday - timedelta(days=4), 15 * 60, zone)  # Thursday 15:00

    def at(day: int, minute: int) -> datetime:
        return wall_clock(monday + timedelta(days=day), minute, zone)

    clinic = app.register_clinic(
        name=f"Lakeview Medical Massage (demo {started:%Y-%m-%d %H:%M:%S} UTC)",
        address="2800 N Lincoln Ave, Chicago, IL",
        location=(41.9335, -87.6580),
        timezone=ZONE,
        actor="demo-admin",
        now=now,
    )
    ana, ben, carla = (
        app.register_therapist(
            clinic_id=clinic,
            name=name,
            specializations=skills,
            mobile=home is not None,
            home=home,
            shifts=WEEKDAYS,
            max_visits_per_day=5,
            actor="demo-admin",
            now=now,
        )
        for name, skills, home in (
            ("Ana Ruiz", ["ms", "prenatal", "lymphatic"], (41.9100, -87.6700)),
            ("Ben Okafor", ["sports_injury", "tmj", "geriatric"], None),
            ("Carla Novak", ["oncology", "lymphatic", "fibromyalgia"], (41.9500, -87.6900)),
        )
    )
    say(f"Clinic {clinic} in {ZONE}; week of {monday} (demo clock: {now:%a %H:%M} UTC)")

    plans: dict[str, UUID] = {}
    # Cadences as prescribed: twice a week for MS and lymphedema, weekly in pregnancy.
    for name, home, condition, skill, setting, minutes, cadence in (
        ("Pat Lee", (41.9420, -87.7010), "multiple sclerosis", "ms", "home", 60, (2, 4)),
        ("Quinn Diaz", (41.9230, -87.6510), "prenatal back pain", "prenatal", "home", 60, (5, 9)),
        (
            "Rosa Marsh",
            (41.9610, -87.6760),
            "post-mastectomy lymphedema",
            "lymphatic",
            "home",
            45,
            (2, 4),
        ),
        ("Sam Ito", (41.9000, -87.6400), "hamstring strain", "sports_injury", "clinic", 45, (2, 4)),
    ):
        patient = app.register_patient(
            clinic_id=clinic, name=name, home=home, actor="front-desk", now=now
        )
        app.record_evaluation(
            patient,
            condition=condition,
            pain_level=6,
            contraindications=[],
            notes="intake evaluation",
            actor="dr-chen",
            now=now,
        )
        rx = app.record_prescription(
            patient,
            condition=condition,
            authorized_sessions=6,
            expires_on=monday + timedelta(days=60),
            prescriber="Dr. Chen",
            actor="front-desk",
            now=now,
        )
        plans[name] = app.create_plan(
            patient_id=patient,
            prescription_id=rx,
            specialization=skill,
            sessions=6,
            session_minutes=minutes,
            min_days=cadence[0],
            max_days=cadence[1],
            setting=setting,
            actor="dr-chen",
            now=now,
        )

    def book(plan: str, therapist: UUID, day: int, minute: int) -> UUID:
        return app.book_session(
            plan_id=plans[plan],
            therapist_id=therapist,
            start=at(day, minute),
            actor="front-desk",
            reason="intake scheduling",
            now=now,
        )

    # Ana's Monday is a home-visit route: Pat, then Rosa and Quinn across town; each leg
    # must fit the drive between the homes (and from and back to Ana's home).
    book("Pat Lee", ana, 0, 9 * 60 + 30)
    book("Rosa Marsh", ana, 0, 10 * 60 + 45)
    moved = book("Quinn Diaz", ana, 0, 12 * 60)
    late = book("Pat Lee", ana, 2, 13 * 60)
    book("Rosa Marsh", carla, 3, 10 * 60)
    early = book("Sam Ito", ben, 1, 9 * 60 + 30)
    book("Sam Ito", ben, 4, 15 * 60)

    now = wall_clock(monday - timedelta(days=3), 10 * 60, zone)  # Friday
    app.reschedule_session(
        moved,
        start=at(1, 14 * 60),
        actor="front-desk",
        reason="patient asked for Tuesday afternoon",
        now=now,
    )
    app.cancel_session(early, actor="sam", reason="travelling for work", now=now)
    app.change_cadence(
        plans["Pat Lee"],
        min_days=1,
        max_days=3,
        actor="dr-chen",
        reason="flare-up: closer sessions",
        now=now,
    )
    now = at(2, 7 * 60 + 30)  # Wednesday 07:30, less than 24 h before 13:00
    flagged = app.cancel_session(late, actor="pat", reason="feeling unwell", now=now)
    now = at(1, 15 * 60 + 5)  # Tuesday, just after Quinn's moved session
    app.complete_session(
        moved,
        note="lower back eased; side-lying position",
        pain_before=6,
        pain_after=3,
        actor="ana",
        now=now,
    )
    say(f"Sam cancelled on Friday for Tuesday: late = {app.get_session(early).late_cancel}")
    say(f"Pat cancelled Wednesday 13:00 at 07:30 that morning: late = {flagged}")
    for change in app.history(plans["Pat Lee"]):
        if change.event == "CadenceChanged":
            days = f"{change.data['min_days']}-{change.data['max_days']} days apart"
            say(f"Pat's plan: cadence changed to {days} by {change.actor}: {change.reason!r}\n")

    for therapist in (ana, ben, carla):
        _print_week(app, therapist, monday, say)
    _print_history(app, moved, say)
    return clinic


def _print_week(app: Scheduling, therapist: UUID, monday: date, say: Callable[[str], None]) -> None:
    profile = app.get_therapist(therapist)
    kind = "mobile" if profile.mobile else "clinic-based"
    say(f"{profile.name} ({kind}; {', '.join(profile.specializations)})")
    speed = app.get_clinic(profile.clinic_id).travel_speed_kmh
    base = profile.home or app.get_clinic(profile.clinic_id).location
    for day in app.therapist_week(therapist, monday):
        here = base
        for visit in day.visits:
            session = app.get_session(visit.session_id)
            patient = app.get_patient(session.patient_id).name
            drive = travel_minutes(here, visit.location, speed)
            here = visit.location
            say(
                f"  {visit.start_local:%a %Y-%m-%d %H:%M}-{visit.end_local:%H:%M} {day.timezone}"
                f"  {patient:<11} {session.setting:<6} {session.status:<9} drive {drive:>2} min"
            )
    say("")


def _print_history(app: Scheduling, session_id: UUID, say: Callable[[str], None]) -> None:
    say(f"History of session {session_id}:")
    zone = clinic_zone(ZONE)
    for entry in app.history(session_id):
        when = entry.at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z") if entry.at else "?"
        detail = ""
        if "start" in entry.data:
            detail = f" for {entry.data['start'].astimezone(zone):%a %H:%M %Z}"
        if "pain_before" in entry.data:
            data = entry.data
            detail = f" pain {data['pain_before']}→{data['pain_after']}: {data['note']!r}"
        why = f" because {entry.reason!r}" if entry.reason else ""
        say(f"  v{entry.version} {entry.event:<11} by {entry.actor:<10} at {when}{detail}{why}")


def now_utc() -> datetime:
    """The real clock, read once by the CLI (the domain never reads it)."""
    return datetime.now(UTC)
