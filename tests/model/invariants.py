"""An independent check of the whole event store: the clinic's rules held on every write.

It reads the notification log's raw records (topic and JSON state), decodes them with
its own small JSON reader and replays them in order, keeping only what the rules need.
It shares no code with the domain: the travel formula is the spec's, the cadence rule
is the issue's own words. At each booking or move it checks, against the calendar as
it stood then:

- no therapist and no patient in two sessions at once;
- the therapist's day is a route: from base, travel between visits, back by the end of
  the shift, at most `max_visits_per_day`, never over time off;
- the plan's cadence with its neighbours (the overdue exception included), unless a
  dispatcher overrode it (recorded on the event); the neighbours on either side of p
  postponed sessions (placed where they were displaced from) may be up to
  `max_days * (p + 1)` apart, the planning format's v1.1 words;
- not in the past, unless back-filled (recorded on the event);

and after every event that no prescription holds more sessions than it authorizes.
`acknowledged` (what the callers were told succeeded) must all be in the store.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LIVE = ("booked", "completed", "no_show")  # sessions that hold their time and authorization


def _decode(value: dict[str, Any]) -> Any:
    kind = value.get("_type_")
    data = value.get("_data_")
    if kind == "datetime_iso":
        return datetime.fromisoformat(data)
    if kind == "date_iso":
        return date.fromisoformat(data)
    if kind == "uuid_hex":
        return UUID(hex=data)
    if kind is not None:
        return data  # other values are not needed by the rules
    return value


def read_log(recorder: Any) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, topic, state) of every record of the notification log, in order."""
    records: list[tuple[int, str, dict[str, Any]]] = []
    last = recorder.max_notification_id() or 0
    start = 1
    while start <= last:
        page = recorder.select_notifications(start, 500)
        if not page:
            break
        for note in page:
            state = json.loads(note.state.decode(), object_hook=_decode)
            state["originator_id"] = UUID(str(note.originator_id))
            records.append((note.id, note.topic, state))
        start = page[-1].id + 1
    return records


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The spec's great-circle distance."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def travel(a: tuple[float, float], b: tuple[float, float], speed_kmh: float) -> timedelta:
    """The spec's travel time, whole minutes rounded up; 0 between equal places."""
    if a == b:
        return timedelta(0)
    return timedelta(minutes=math.ceil(haversine_km(a, b) / speed_kmh * 60))


@dataclass
class Visit:
    session: UUID
    plan: UUID | None  # None: an evaluation visit (no plan, no prescription)
    patient: UUID
    prescription: UUID | None
    therapist: UUID
    start: datetime
    end: datetime
    place: tuple[float, float]
    status: str = "booked"
    postponed: bool = False  # displaced, and no re-plan found it a time


@dataclass
class Replay:
    """The calendar as the log has built it so far, and every broken rule found."""

    clinics: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    therapists: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    plans: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    prescriptions: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[UUID, Visit] = field(default_factory=dict)
    time_off: dict[UUID, list[tuple[datetime, datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    events: dict[str, set[Any]] = field(default_factory=lambda: defaultdict(set))
    broken: list[str] = field(default_factory=list)

    def live(self) -> list[Visit]:
        return [v for v in self.sessions.values() if v.status in LIVE]


def _zone(replay: Replay, therapist: UUID) -> ZoneInfo:
    return ZoneInfo(replay.clinics[replay.therapists[therapist]["clinic_id"]]["timezone"])


def _check_visit(replay: Replay, visit: Visit, state: dict[str, Any], what: str) -> None:
    """The rules a booking or move must keep, on the calendar as it stands."""
    overrides = state.get("overrides") or {}
    at: datetime = state["at"]
    where = f"{what} of session {visit.session} at position {state['position']}"
    if visit.start < at and "in_the_past" not in overrides:
        replay.broken.append(f"{where}: starts {visit.start} before the command ({at})")
    others = [v for v in replay.live() if v.session != visit.session]
    for other in others:
        overlap = visit.start < other.end and other.start < visit.end
        if overlap and other.therapist == visit.therapist:
            replay.broken.append(f"{where}: overlaps {other.session} of the same therapist")
        if overlap and other.patient == visit.patient:
            replay.broken.append(f"{where}: overlaps {other.session} of the same patient")
    _check_route(replay, visit, others, where)
    _check_cadence(replay, visit, others, at, overrides, where)


def _check_route(replay: Replay, visit: Visit, others: list[Visit], where: str) -> None:
    therapist = replay.therapists[visit.therapist]
    clinic = replay.clinics[therapist["clinic_id"]]
    zone = ZoneInfo(clinic["timezone"])
    day = visit.start.astimezone(zone).date()
    window = therapist["shifts"].get(WEEKDAYS[day.weekday()])
    if not window:
        replay.broken.append(f"{where}: the therapist has no shift on {day}")
        return
    shift_start = _wall(day, window[0], zone)
    shift_end = _wall(day, window[1], zone)
    base = therapist["home"] if therapist["mobile"] else clinic["location"]
    speed = clinic["speed"]
    same_day = [
        v
        for v in others
        if v.therapist == visit.therapist and v.start.astimezone(zone).date() == day
    ]
    day_visits = sorted([*same_day, visit], key=lambda v: v.start)
    if len(day_visits) > therapist["max_visits"]:
        replay.broken.append(f"{where}: {len(day_visits)} visits on {day}")
    here, free_from = base, shift_start
    for stop in day_visits:
        if stop.start < free_from + travel(here, stop.place, speed):
            replay.broken.append(f"{where}: no time to reach the visit at {stop.start}")
        here, free_from = stop.place, stop.end
    if free_from + travel(here, base, speed) > shift_end:
        replay.broken.append(f"{where}: not back at base by the end of the shift")
    for off_start, off_end in replay.time_off[visit.therapist]:
        if visit.start < off_end and off_start < visit.end:
            replay.broken.append(f"{where}: during the therapist's time off")


def _wall(day: date, minute: int, zone: ZoneInfo) -> datetime:
    local = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(minutes=minute)
    return local.astimezone(UTC)


def _check_cadence(
    replay: Replay,
    visit: Visit,
    others: list[Visit],
    at: datetime,
    overrides: dict[str, str],
    where: str,
) -> None:
    if "cadence" in overrides or visit.plan is None:
        return
    plan = replay.plans[visit.plan]
    zone = _zone(replay, visit.therapist)
    day = visit.start.astimezone(zone).date()
    today = at.astimezone(zone).date()
    days = sorted(
        v.start.astimezone(zone).date()
        for v in others
        if v.plan == visit.plan and v.status in ("booked", "completed")
    )
    postponed = [
        v.start.astimezone(zone).date()
        for v in replay.sessions.values()
        if v.plan == visit.plan and v.status == "displaced" and v.postponed
    ]
    low, high = plan["min_days"], plan["max_days"]
    before = [d for d in days if d <= day]
    after = [d for d in days if d > day]
    if before:
        gap = (day - before[-1]).days
        longest = high * (1 + sum(1 for d in postponed if before[-1] < d <= day))
        overdue = before[-1] + timedelta(days=longest) < today
        if gap < low or (gap > longest and not overdue):
            replay.broken.append(f"{where}: {gap} days after the previous session ({low}-{high})")
    if after:
        gap = (after[0] - day).days
        longest = high * (1 + sum(1 for d in postponed if day < d < after[0]))
        if not low <= gap <= longest:
            replay.broken.append(f"{where}: {gap} days before the next session ({low}-{high})")


def _check_authorizations(replay: Replay, position: int) -> None:
    held: dict[UUID, int] = defaultdict(int)
    for visit in replay.sessions.values():
        if visit.prescription is not None and visit.status in (*LIVE, "displaced"):
            held[visit.prescription] += 1
    for prescription, count in held.items():
        authorized = replay.prescriptions[prescription]["authorized"]
        if count > authorized:
            replay.broken.append(
                f"position {position}: prescription {prescription} holds {count} sessions, "
                f"{authorized} authorized"
            )


def replay_log(records: list[tuple[int, str, dict[str, Any]]]) -> Replay:
    """Replay the log's records (see the module docstring)."""
    replay = Replay()
    for position, topic, state in records:
        name = topic.rsplit(":", 1)[-1]
        key = state["originator_id"]
        state["position"] = position
        replay.events[name].add(key)
        if name == "Clinic.Registered":
            replay.clinics[key] = {
                "timezone": state["timezone"],
                "location": (state["latitude"], state["longitude"]),
                "speed": state["travel_speed_kmh"],
            }
        elif name == "Clinic.PoliciesChanged":
            replay.clinics[key].update(
                location=(state["latitude"], state["longitude"]), speed=state["travel_speed_kmh"]
            )
        elif name in ("Therapist.Registered", "Therapist.ProfileChanged"):
            entry = replay.therapists.setdefault(key, {"clinic_id": state.get("clinic_id")})
            entry.update(
                mobile=state["mobile"],
                home=(state["home_latitude"], state["home_longitude"]),
                max_visits=state["max_visits_per_day"],
            )
            if "shifts" in state:
                entry["shifts"] = state["shifts"]
        elif name == "Therapist.ShiftsChanged":
            replay.therapists[key]["shifts"] = state["shifts"]
        elif name == "TherapistDay.MarkedUnavailable":
            replay.time_off[state["therapist_id"]].append((state["start"], state["end"]))
        elif name == "TherapistDay.AvailabilityRestored":  # an undone sick call
            replay.time_off[state["therapist_id"]].remove((state["start"], state["end"]))
        elif name == "Prescription.Recorded":
            replay.prescriptions[key] = {"authorized": state["authorized_sessions"]}
        elif name == "Prescription.Renewed":
            replay.prescriptions[key]["authorized"] = state["authorized_sessions"]
        elif name == "TreatmentPlan.Created":
            replay.plans[key] = {"min_days": state["min_days"], "max_days": state["max_days"]}
        elif name == "TreatmentPlan.CadenceChanged":
            replay.plans[key].update(min_days=state["min_days"], max_days=state["max_days"])
        elif name == "Session.Booked":
            visit = Visit(
                session=key,
                plan=state["plan_id"],
                patient=state["patient_id"],
                prescription=state["prescription_id"],
                therapist=state["therapist_id"],
                start=state["start"],
                end=state["end"],
                place=(state["latitude"], state["longitude"]),
            )
            _check_visit(replay, visit, state, "booking")
            replay.sessions[key] = visit
        elif name == "Session.Rescheduled":
            old = replay.sessions[key]
            visit = Visit(
                session=key,
                plan=old.plan,
                patient=old.patient,
                prescription=old.prescription,
                therapist=state["therapist_id"],
                start=state["start"],
                end=state["end"],
                place=old.place,
                # A displaced session given its new time (or put back) is booked again.
                status="booked" if old.status == "displaced" else old.status,
            )
            _check_visit(replay, visit, state, "move")
            replay.sessions[key] = visit
            replay.events[f"moved-to:{key}"].add(state["start"])
        elif name == "Session.Displaced":
            # A sick call took its time: it holds no time but still its authorization.
            if replay.sessions[key].status != "booked":
                replay.broken.append(f"position {position}: displaced a session not booked")
            replay.sessions[key].status = "displaced"
        elif name == "TreatmentPlan.SessionPostponed":
            replay.sessions[state["session_id"]].postponed = True
        elif name == "Session.Cancelled":
            replay.sessions[key].status = "cancelled"
        elif name == "Session.Completed":
            replay.sessions[key].status = "completed"
        elif name == "Session.NoShow":
            replay.sessions[key].status = "no_show"
        _check_authorizations(replay, position)
    return replay


def _fix_time_off(records: list[tuple[int, str, dict[str, Any]]]) -> None:
    """`MarkedUnavailable` names its day, not its therapist: add the therapist from the
    day's `Opened` record (days are opened before anything is marked on them)."""
    owners: dict[UUID, UUID] = {}
    for _, topic, state in records:
        if topic.endswith(":TherapistDay.Opened"):
            owners[state["originator_id"]] = state["therapist_id"]
        elif topic.endswith(
            (":TherapistDay.MarkedUnavailable", ":TherapistDay.AvailabilityRestored")
        ):
            state["therapist_id"] = owners[state["originator_id"]]


@dataclass(frozen=True)
class Acknowledged:
    """A command a caller was told succeeded, and what the store must hold for it."""

    kind: str  # booked, moved, cancelled, completed, no_show
    session: UUID
    start: datetime | None = None


def check_store(recorder: Any, acknowledged: list[Acknowledged]) -> list[str]:
    """Every broken rule in the store, and every acknowledged command it lacks."""
    records = read_log(recorder)
    _fix_time_off(records)
    replay = replay_log(records)
    problems = list(replay.broken)
    needs = {
        "booked": "Session.Booked",
        "cancelled": "Session.Cancelled",
        "completed": "Session.Completed",
        "no_show": "Session.NoShow",
    }
    for ack in acknowledged:
        if ack.kind == "moved":
            if ack.start not in replay.events[f"moved-to:{ack.session}"]:
                problems.append(f"acknowledged move of {ack.session} to {ack.start} is missing")
        elif ack.session not in replay.events[needs[ack.kind]]:
            problems.append(f"acknowledged {ack.kind} of {ack.session} is missing")
    return problems
