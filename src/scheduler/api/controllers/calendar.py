"""A therapist's sessions as an iCalendar feed (RFC 5545) behind a secret URL.

Calendar apps poll `GET /calendar/{token}.ics` without signing in, so the URL is the
secret: 256 random bits, stored only hashed, replaced (and the old URL dead) by
`POST /me/calendar-token`. Each session is one VEVENT whose UID never changes
(`<session id>@scheduler`); SEQUENCE is the session's version minus one, so it rises
with every move, and a cancelled session (or one moved to another therapist) stays in
the feed with STATUS:CANCELLED so subscribed calendars drop it. Times are UTC.

The feed leaves the clinic for whatever calendar service the therapist uses, so it
carries the minimum: the patient's first name and initial, the kind of visit and the
place; no condition, contraindication or note (those are in the app, behind sign-in).
The place is the clinic's street address for clinic sessions; for home visits it says
"Home visit" (patients' records hold map coordinates, not street addresses) and gives
the home's coordinates (LOCATION and GEO) only when the clinic opts in with
`SCHEDULER_FEED_COORDINATES=1`. The feed URL starts with the configured public URL
(`SCHEDULER_PUBLIC_URL`), never with the request's Host header.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from icalendar import Calendar, Event
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from scheduler.api.auth import PUBLIC, allow, principal_of
from scheduler.api.errors import Missing, responses
from scheduler.api.gateway import Gateway
from scheduler.domain import Scheduling
from scheduler.domain.queries.feeds import FeedEntry
from scheduler.domain.timekeeping import clinic_zone, local_date
from scheduler.settings import Settings
from scheduler.usecases import UseCases
from scheduler.usecases import staff as staff_actions

PAST_DAYS, FUTURE_DAYS = 28, 84
"""The feed shows four weeks back and twelve ahead."""

SUFFIX = ".ics"


class CalendarAddress(msgspec.Struct):
    """The therapist's new feed URL (the previous one stopped working)."""

    url: str
    rotated_at: datetime


def _initials(name: str) -> str:
    """'Pat Patel' -> 'Pat P.': enough for the therapist, little for anyone else."""
    first, *rest = name.split()
    return f"{first} {rest[-1][0]}." if rest else first


def feed_url(settings: Settings, token: str) -> str:
    """The feed's secret URL under the public URL (never the request's Host)."""
    return f"{settings.base_url}/calendar/{token}{SUFFIX}"


def _event(app: Scheduling, entry: FeedEntry, clinic_place: str, *, coordinates: bool) -> Event:
    patient = app.get_patient(entry.patient_id)
    kind = "Home visit" if entry.setting == "home" else "Clinic session"
    event = Event()
    event.add("uid", f"{entry.session_id}@scheduler")
    event.add("dtstamp", entry.changed_at.astimezone(UTC))
    event.add("last-modified", entry.changed_at.astimezone(UTC))
    event.add("sequence", entry.version - 1)
    event.add("dtstart", entry.start.astimezone(UTC))
    event.add("dtend", entry.end.astimezone(UTC))
    event.add("summary", f"{kind}: {_initials(patient.name)}")
    if entry.setting != "home":
        event.add("location", clinic_place)
    elif coordinates:
        latitude, longitude = entry.location
        event.add("location", f"Home visit, {latitude:.5f},{longitude:.5f}")
        event.add("geo", (latitude, longitude))
    else:
        event.add("location", "Home visit")
    # A visit a sick call displaced is off the therapist's calendar until it has a new time.
    cancelled = entry.status in ("cancelled", "displaced") or entry.moved_away
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if entry.status in ("completed", "no_show"):
        event.add("description", f"Session {entry.status.replace('_', '-')}.")
    return event


def feed(app: Scheduling, token: str, now: datetime, *, coordinates: bool = False) -> bytes:
    """The iCalendar document of the feed `token` opens (UnknownCalendarFeed if none);
    `coordinates`: give home visits' coordinates (the clinic opted in)."""
    therapist = app.get_therapist(app.calendar_owner(token))
    clinic = app.get_clinic(therapist.clinic_id)
    today = local_date(now, clinic_zone(clinic.timezone))
    entries = app.therapist_feed(
        therapist.id,
        first_day=today - timedelta(days=PAST_DAYS),
        last_day=today + timedelta(days=FUTURE_DAYS),
    )
    calendar = Calendar()
    calendar.add("prodid", "-//scheduler//therapist sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{therapist.name}: sessions")
    # How often subscribed apps should poll (RFC 7986, and the older Microsoft name).
    calendar.add("refresh-interval", timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT30M")
    place = f"{clinic.name}, {clinic.address}"
    for entry in entries:
        calendar.add_component(_event(app, entry, place, coordinates=coordinates))
    document: bytes = calendar.to_ical()
    return document


class CalendarController(Controller):
    """Therapists' calendar feeds."""

    tags = ("calendar",)

    @post(
        "/me/calendar-token",
        operation_id="rotateCalendarToken",
        summary="A new secret calendar URL (therapists)",
        guards=[allow("therapist")],
        responses=responses(401, 403),
    )
    async def rotate(
        self,
        request: Request[Any, Any, Any],
        uc: NamedDependency[UseCases],
        settings: NamedDependency[Settings],
    ) -> CalendarAddress:
        """Issue a new feed URL: subscribe to it in any calendar app. The previous URL stops
        working at once. Keep the URL private: anyone holding it sees your sessions."""
        token = await staff_actions.rotate_calendar_token(uc, principal_of(request))
        return CalendarAddress(url=feed_url(settings, token), rotated_at=uc.clock())

    @get(
        "/calendar/{name:str}",
        operation_id="calendarFeed",
        summary="A therapist's sessions as iCalendar (secret URL)",
        opt=PUBLIC,
        media_type="text/calendar",  # documented as what it is, not JSON
        responses=responses(404),
    )
    async def calendar(
        self,
        name: FromPath[str],
        gateway: NamedDependency[Gateway],
        settings: NamedDependency[Settings],
    ) -> Response[bytes]:
        """The feed (`text/calendar`): no sign-in, the URL itself is the secret."""
        if not name.endswith(SUFFIX):
            raise Missing("calendar feeds end in .ics: use the URL POST /me/calendar-token gave")
        token = name.removesuffix(SUFFIX)
        document = await gateway.run(
            feed,
            gateway.scheduling,
            token,
            gateway.now(),
            coordinates=settings.feed_coordinates,
        )
        return Response(
            document,
            # Litestar adds "; charset=utf-8" to text/* types itself (once).
            media_type="text/calendar",
            # The URL is a credential: no shared cache may keep a copy.
            headers={"Cache-Control": "private, max-age=60", "Referrer-Policy": "no-referrer"},
        )
