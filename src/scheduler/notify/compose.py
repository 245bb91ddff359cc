"""Turning one event into the messages it calls for: whom to tell, over what, saying what.

`RULES` is the table: an event's topic → the function that writes its messages. A new
kind of event (say, the re-plan's displaced sessions) is one more line there and, for
mail, two templates (`<kind>.txt`, `<kind>.html`) in `notify/templates`, which a clinic
may override from its own directory (`SCHEDULER_MAIL_TEMPLATES`).

Privacy: subjects and texts name the visit's time, place and therapist, never a
condition, diagnosis or note; a therapist's mail names the patient by first name and
initial, as the calendar feed does.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.utils import get_topic
from icalendar import Calendar, Event
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from scheduler.accounts import AccountView
from scheduler.domain import Scheduling
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.session import Session
from scheduler.domain.model.sick_call import SickCall
from scheduler.domain.model.waitlist import Waitlist
from scheduler.domain.timekeeping import clinic_zone
from scheduler.notify.outbox import Message

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class NotifySettings:
    """What the messages depend on besides the event: links, sender, reminder policy."""

    base_url: str
    mail_from: str
    link_secret: str
    reminder_hours: int = 24  # 0: no reminders
    quiet_start: int = 21  # local hour quiet hours begin
    quiet_end: int = 8  # local hour they end
    template_dir: Path | None = None
    notify_urls: tuple[str, ...] = ()  # apprise URLs for short texts (`notify/texts.py`)


@dataclass(frozen=True)
class Context:
    """What a rule may read while writing its messages."""

    app: Scheduling
    staff: Callable[[UUID], list[AccountView]]  # a clinic's accounts
    webhooks: Callable[[UUID, str], list[dict[str, str]]]  # (clinic, event type) → hooks
    settings: NotifySettings
    render: Callable[[str, dict[str, Any]], tuple[str, str]]  # template → (text, html)


Rule = Callable[[Context, int, Any], list[Message]]


def renderer(template_dir: Path | None) -> Callable[[str, dict[str, Any]], tuple[str, str]]:
    """Render `<kind>.txt` and `<kind>.html`, from the clinic's directory first."""
    loaders = [FileSystemLoader(str(template_dir))] if template_dir else []
    env = Environment(
        loader=ChoiceLoader([*loaders, FileSystemLoader(str(TEMPLATES))]),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def render(kind: str, values: dict[str, Any]) -> tuple[str, str]:
        text = env.get_template(f"{kind}.txt").render(values)
        html = env.get_template(f"{kind}.html").render(values)
        return text, html

    return render


def sign_link(secret: str, purpose: str, subject: str, expires: datetime) -> str:
    """A token proving the link was ours, for `subject`, until `expires`."""
    stamp = str(int(expires.timestamp()))
    mac = hmac.new(secret.encode(), f"{purpose}:{subject}:{stamp}".encode(), hashlib.sha256)
    return f"{subject}.{stamp}.{mac.hexdigest()[:32]}"


def check_link(secret: str, purpose: str, token: str, now: datetime) -> str | None:
    """The subject a valid, unexpired token names; None otherwise."""
    subject, _, rest = token.partition(".")
    stamp = rest.partition(".")[0]
    if not stamp.isdigit():
        return None
    good = sign_link(secret, purpose, subject, datetime.fromtimestamp(int(stamp), UTC))
    if not hmac.compare_digest(good, token) or int(stamp) < now.timestamp():
        return None
    return subject


def initials(name: str) -> str:
    """'Pat Patel' -> 'Pat P.' (as the calendar feed names patients)."""
    first, *rest = name.split()
    return f"{first} {rest[-1][0]}." if rest else first


def uid(session_id: UUID | str) -> str:
    """The session's iCalendar UID: the same as in the therapist's feed."""
    return f"{session_id}@scheduler"


def invitation(
    *,
    method: str,
    session_id: UUID,
    sequence: int,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    organizer: str,
    attendee: str,
    stamp: datetime,
) -> str:
    """An RFC 5546 REQUEST (booked or moved) or CANCEL for one session."""
    calendar = Calendar()
    calendar.add("prodid", "-//scheduler//session invitation//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(session_id))
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("location", location)
    event.add("organizer", f"mailto:{organizer}")
    event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT"})
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    calendar.add_component(event)
    return str(calendar.to_ical().decode())


def message_id(event_id: int, channel: str, recipient: str, mail_from: str) -> str:
    """A Message-ID that is the same at every attempt (receivers drop repeats)."""
    digest = hashlib.sha256(f"{channel}:{recipient.lower()}".encode()).hexdigest()[:16]
    domain = mail_from.rpartition("@")[2] or "scheduler.invalid"
    return f"<{event_id}.{digest}@{domain}>"


def mail(
    ctx: Context,
    event_id: int,
    *,
    kind: str,
    to: str,
    subject: str,
    values: dict[str, Any],
    clinic_id: UUID | str,
    person_id: UUID | None,
    session_id: UUID | None = None,
    ics: str | None = None,
    send_at: datetime | None = None,
    unsubscribe: str | None = None,
) -> Message:
    """One e-mail, rendered now so every attempt sends the same bytes."""
    text, html = ctx.render(kind, {**values, "subject": subject})
    channel = "email"
    return Message(
        event_id=event_id,
        recipient=to.strip().lower(),
        channel=channel,
        kind=kind,
        clinic_id=str(clinic_id),
        subject=subject,
        payload={
            "to": to,
            "subject": subject,
            "text": text,
            "html": html,
            "ics": ics,
            "message_id": message_id(event_id, kind, to, ctx.settings.mail_from),
            "unsubscribe": unsubscribe,
        },
        person_id=None if person_id is None else str(person_id),
        session_id=None if session_id is None else str(session_id),
        send_at=send_at,
    )


def hooks(
    ctx: Context, *, event_id: int, clinic_id: UUID, kind: str, data: dict[str, Any], at: datetime
) -> list[Message]:
    """A webhook delivery per URL the clinic registered for `kind`."""
    return [
        Message(
            event_id=event_id,
            recipient=hook["url"],
            channel="webhook",
            kind=kind,
            clinic_id=str(clinic_id),
            subject=kind,
            payload={
                "secret": hook["secret"],
                "body": {
                    "id": f"evt_{event_id}",
                    "type": kind,
                    "created": int(at.timestamp()),
                    "data": data,
                },
            },
        )
        for hook in ctx.webhooks(clinic_id, kind)
    ]


def _zone(ctx: Context, clinic_id: UUID) -> ZoneInfo:
    return clinic_zone(ctx.app.get_clinic(clinic_id).timezone)


def reminder_time(
    start: datetime, zone: ZoneInfo, *, hours: int, quiet_start: int, quiet_end: int
) -> datetime:
    """When a reminder of a visit at `start` goes out: `hours` before on the patient's
    wall clock (24 h before 10:00 is 10:00 the day before, whatever the clocks did
    overnight), moved earlier to the evening before quiet hours if it falls in them."""
    local = start.astimezone(zone)
    days, rest = divmod(hours, 24)
    wall = (local.replace(tzinfo=None) - timedelta(days=days)).replace(tzinfo=zone)
    at = (wall - timedelta(hours=rest)).astimezone(zone) if rest else wall
    hour = at.hour + at.minute / 60
    quiet = (
        (quiet_start <= hour or hour < quiet_end)
        if quiet_start > quiet_end
        else quiet_start <= hour < quiet_end
    )
    if quiet:
        day = at.date() if hour >= quiet_start else at.date() - timedelta(days=1)
        at = datetime.combine(day, time(quiet_start), zone) - timedelta(minutes=1)
    return at.astimezone(UTC)


def reminder_due(ctx: Context, clinic_id: UUID, start: datetime) -> datetime | None:
    """When the reminder of a visit at `start` goes: at the clinic's lead time, outside
    its quiet hours (else the deployment's); None when the clinic sends no reminders."""
    clinic = ctx.app.get_clinic(clinic_id)
    hours = ctx.settings.reminder_hours if clinic.reminder_hours is None else clinic.reminder_hours
    if hours <= 0:
        return None
    quiet_start, quiet_end = clinic.quiet_hours or (
        ctx.settings.quiet_start,
        ctx.settings.quiet_end,
    )
    return reminder_time(
        start,
        clinic_zone(clinic.timezone),
        hours=hours,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )


def _session_values(ctx: Context, session: Any) -> dict[str, Any]:
    clinic = ctx.app.get_clinic(session.clinic_id)
    zone = clinic_zone(clinic.timezone)
    therapist = ctx.app.get_therapist(session.therapist_id)
    patient = ctx.app.get_patient(session.patient_id)
    place = "your home" if session.setting == "home" else f"{clinic.name}, {clinic.address}"
    return {
        "clinic": clinic.name,
        "patient": patient.name,
        "patient_short": initials(patient.name),
        "therapist": therapist.name,
        "when": session.start.astimezone(zone).strftime("%A %d %B %Y, %H:%M"),
        "until": session.end.astimezone(zone).strftime("%H:%M"),
        "place": place,
        "zone": clinic.timezone,
        "link": f"{ctx.settings.base_url}/app/patient",
        "week_link": f"{ctx.settings.base_url}/app/week",
        "late_cancel_hours": clinic.late_cancel_hours,
    }


def _staff_of(
    ctx: Context, clinic_id: UUID, role: str, acts_for: UUID | None = None
) -> list[AccountView]:
    return [
        a
        for a in ctx.staff(clinic_id)
        if a.role == role and (acts_for is None or a.acts_for == acts_for)
    ]


def patient_address(ctx: Context, patient: Any) -> str:
    """Where a patient's mail goes: the record's e-mail, else their account's."""
    if patient.email:
        return str(patient.email)
    accounts = _staff_of(ctx, patient.clinic_id, "patient", patient.id)
    return accounts[0].email if accounts else ""


def _session_change(kind: str, method: str, hook: str) -> Rule:
    """Booked, moved or cancelled: the patient (with an invitation), the therapists whose
    week changed, the reminder, the clinic's webhooks."""

    def rule(ctx: Context, event_id: int, event: Any) -> list[Message]:
        session: Any = ctx.app.repository.get(event.originator_id, version=event.originator_version)
        before: Any = (
            ctx.app.repository.get(event.originator_id, version=event.originator_version - 1)
            if event.originator_version > 1
            else None
        )
        patient = ctx.app.get_patient(session.patient_id)
        address = patient_address(ctx, patient)
        values = _session_values(ctx, session)
        if before is not None and kind == "moved":
            old = _session_values(ctx, before)
            values["was"] = old["when"]
            values["was_therapist"] = old["therapist"]
        values["late"] = bool(getattr(event, "late", False))
        place = values["place"]
        summary = f"Massage session with {values['therapist']}"
        ics = invitation(
            method=method,
            session_id=session.id,
            sequence=event.originator_version - 1,
            start=session.start,
            end=session.end,
            summary=summary,
            location=place,
            organizer=ctx.settings.mail_from,
            attendee=address,
            stamp=event.at,
        )
        subjects = {
            "booked": f"Booked: {values['when']} with {values['therapist']}",
            "moved": f"Moved: your session is now {values['when']}",
            "cancelled": f"Cancelled: your session of {values['when']}",
        }
        out: list[Message] = []
        if address:
            out.append(
                mail(
                    ctx,
                    event_id,
                    kind=kind,
                    to=address,
                    subject=subjects[kind],
                    values=values,
                    clinic_id=session.clinic_id,
                    person_id=patient.id,
                    session_id=session.id,
                    ics=ics,
                )
            )
            out.extend(
                _reminder(
                    ctx,
                    event_id=event_id,
                    event=event,
                    session=session,
                    patient=patient,
                    values=values,
                    kind=kind,
                )
            )
        therapists = {session.therapist_id}
        if before is not None and kind == "moved":
            therapists.add(before.therapist_id)
        for therapist_id in therapists:
            for account in _staff_of(ctx, session.clinic_id, "therapist", therapist_id):
                mine = ctx.app.get_therapist(therapist_id)
                out.append(
                    mail(
                        ctx,
                        event_id,
                        kind="week_changed",
                        to=account.email,
                        subject=f"Your week changed: {kind} {values['when']}",
                        values={**values, "change": kind, "you": mine.name},
                        clinic_id=session.clinic_id,
                        person_id=therapist_id,
                        session_id=session.id,
                    )
                )
        data = {
            "session_id": str(session.id),
            "therapist_id": str(session.therapist_id),
            "patient_id": str(session.patient_id),
            "start": session.start.isoformat(),
            "end": session.end.isoformat(),
            "status": session.status,
        }
        out.extend(
            hooks(
                ctx,
                event_id=event_id,
                clinic_id=session.clinic_id,
                kind=hook,
                data=data,
                at=event.at,
            )
        )
        return out

    return rule


def _reminder(
    ctx: Context,
    *,
    event_id: int,
    event: Any,
    session: Any,
    patient: Any,
    values: dict[str, Any],
    kind: str,
) -> list[Message]:
    """The visit's reminder, due before it (none once cancelled, or already too late)."""
    at = reminder_due(ctx, session.clinic_id, session.start)
    if kind == "cancelled" or at is None or at <= event.at:
        return []
    token = sign_link(
        ctx.settings.link_secret, "unsubscribe", str(patient.id), datetime(2100, 1, 1, tzinfo=UTC)
    )
    unsubscribe = f"{ctx.settings.base_url}/app/unsubscribe?token={token}"
    reminder = mail(
        ctx,
        event_id,
        kind="reminder",
        to=patient_address(ctx, patient),
        subject=f"Reminder: {values['when']} with {values['therapist']}",
        values={**values, "unsubscribe": unsubscribe},
        clinic_id=session.clinic_id,
        person_id=patient.id,
        session_id=session.id,
        send_at=at,
        unsubscribe=unsubscribe,
    )
    # Its own channel key: the confirmation and the reminder of one event are two rows.
    return [Message(**{**reminder.__dict__, "channel": "email:reminder"})]


def _offer(ctx: Context, event_id: int, event: Any) -> list[Message]:
    """A waitlist offer: the patient, with a signed one-click link that expires with it."""
    waitlist: Any = ctx.app.repository.get(event.originator_id, version=event.originator_version)
    entry = waitlist.entries[event.entry_id]
    plan = ctx.app.get_plan(entry["plan_id"])
    patient = ctx.app.get_patient(plan.patient_id)
    therapist = ctx.app.get_therapist(event.therapist_id)
    zone = _zone(ctx, waitlist.clinic_id)
    token = sign_link(
        ctx.settings.link_secret, "offer", f"{event.offer_id}:{patient.id}", event.expires_at
    )
    values = {
        "patient": patient.name,
        "therapist": therapist.name,
        "clinic": ctx.app.get_clinic(waitlist.clinic_id).name,
        "when": event.start.astimezone(zone).strftime("%A %d %B %Y, %H:%M"),
        "expires": event.expires_at.astimezone(zone).strftime("%A %d %B, %H:%M"),
        "accept": f"{ctx.settings.base_url}/app/offers/accept?token={token}",
        "link": f"{ctx.settings.base_url}/app/patient",
    }
    out = []
    address = patient_address(ctx, patient)
    if address:
        out.append(
            mail(
                ctx,
                event_id,
                kind="offer",
                to=address,
                subject=f"A time for you: {values['when']}",
                values=values,
                clinic_id=waitlist.clinic_id,
                person_id=patient.id,
            )
        )
    data = {
        "offer_id": str(event.offer_id),
        "start": event.start.isoformat(),
        "expires_at": event.expires_at.isoformat(),
    }
    out.extend(
        hooks(
            ctx,
            event_id=event_id,
            clinic_id=waitlist.clinic_id,
            kind="offer.made",
            data=data,
            at=event.at,
        )
    )
    return out


def _reauthorization(ctx: Context, event_id: int, event: Any) -> list[Message]:
    """A prescription nearly used up: the clinic's dispatchers."""
    prescription = ctx.app.get_prescription(event.originator_id)
    patient = ctx.app.get_patient(prescription.patient_id)
    values = {
        "patient": patient.name,
        "left": event.left,
        "link": f"{ctx.settings.base_url}/app/board",
    }
    out = [
        mail(
            ctx,
            event_id,
            kind="reauthorization",
            to=account.email,
            subject=f"Re-authorization due: {initials(patient.name)}",
            values=values,
            clinic_id=patient.clinic_id,
            person_id=None,
        )
        for account in _staff_of(ctx, patient.clinic_id, "dispatcher")
    ]
    data = {
        "prescription_id": str(prescription.id),
        "patient_id": str(patient.id),
        "left": event.left,
    }
    out.extend(
        hooks(
            ctx,
            event_id=event_id,
            clinic_id=patient.clinic_id,
            kind="reauthorization.due",
            data=data,
            at=event.at,
        )
    )
    return out


def _sick_call(kind: str) -> Rule:
    """A sick call displaced a visit ("displaced"), or found it no new time yet
    ("postponed"): the patient, with the link to the plan's ranked options."""

    def rule(ctx: Context, event_id: int, event: Any) -> list[Message]:
        session_id = event.originator_id if kind == "displaced" else event.session_id
        session: Any = ctx.app.repository.get(session_id)
        patient = ctx.app.get_patient(session.patient_id)
        values = _session_values(ctx, session)
        values["options"] = (
            f"{ctx.settings.base_url}/app/patient/plans/{session.plan_id}/options"
            if session.plan_id is not None
            else values["link"]
        )
        subjects = {
            "displaced": f"Needs a new time: your session of {values['when']}",
            "postponed": "Choose a new time for your session",
        }
        address = patient_address(ctx, patient)
        out = []
        if address:
            out.append(
                mail(
                    ctx,
                    event_id,
                    kind=kind,
                    to=address,
                    subject=subjects[kind],
                    values=values,
                    clinic_id=session.clinic_id,
                    person_id=patient.id,
                    session_id=session.id,
                )
            )
        data = {
            "session_id": str(session.id),
            "patient_id": str(session.patient_id),
            "sick_call_id": str(event.sick_call_id),
        }
        out.extend(
            hooks(
                ctx,
                event_id=event_id,
                clinic_id=session.clinic_id,
                kind=f"session.{kind}",
                data=data,
                at=event.at,
            )
        )
        return out

    return rule


def _sick_week(ctx: Context, event_id: int, event: Any) -> list[Message]:
    """A sick call: the therapist's own summary of the visits it took off their week
    (their patients are told one by one, `_sick_call`)."""
    zone = _zone(ctx, event.clinic_id)
    therapist = ctx.app.get_therapist(event.therapist_id)
    visits = []
    for session_id in event.displaced:
        session: Any = ctx.app.repository.get(session_id)
        patient = ctx.app.get_patient(session.patient_id)
        when = session.start.astimezone(zone).strftime("%A %d %B, %H:%M")
        visits.append({"when": when, "patient_short": initials(patient.name)})
    days = [day.strftime("%A %d %B") for day in sorted(event.days)]
    values = {
        "you": therapist.name,
        "days": days,
        "visits": visits,
        "clinic": ctx.app.get_clinic(event.clinic_id).name,
        "week_link": f"{ctx.settings.base_url}/app/week",
    }
    subject = (
        f"Your week changed: off sick {days[0]}"
        + (f" to {days[-1]}" if len(days) > 1 else "")
        + f", {len(visits)} visit{'s' if len(visits) != 1 else ''} to re-book"
    )
    return [
        mail(
            ctx,
            event_id,
            kind="sick_week",
            to=account.email,
            subject=subject,
            values=values,
            clinic_id=event.clinic_id,
            person_id=event.therapist_id,
        )
        for account in _staff_of(ctx, event.clinic_id, "therapist", event.therapist_id)
    ]


RULES: dict[str, Rule] = {
    get_topic(Session.Booked): _session_change("booked", "REQUEST", "session.booked"),
    get_topic(Session.Rescheduled): _session_change("moved", "REQUEST", "session.moved"),
    get_topic(Session.Cancelled): _session_change("cancelled", "CANCEL", "session.cancelled"),
    get_topic(Session.Displaced): _sick_call("displaced"),
    get_topic(TreatmentPlan.SessionPostponed): _sick_call("postponed"),
    get_topic(Waitlist.OfferMade): _offer,
    get_topic(SickCall.Recorded): _sick_week,
    get_topic(Prescription.ReauthorizationDue): _reauthorization,
}
"""Event topic → the messages it calls for. Add a line to notify on a new kind of event."""
