"""Which domain event becomes which SQL on the read-model tables, and which are ignored.

Every event class of the domain is either handled (`HANDLERS`: the statements it
becomes) or explicitly ignored (`IGNORED`: it only moves the tracked position); a test
fails when a new event is neither, so nothing the board should show is dropped unseen.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from scheduler.domain.clinic import Clinic, ClinicDirectory
from scheduler.domain.days import PatientDay, TherapistDay
from scheduler.domain.feeds import CalendarFeed, CalendarToken
from scheduler.domain.patient import Patient
from scheduler.domain.pins import Pinned, Unpinned
from scheduler.domain.plan import TreatmentPlan
from scheduler.domain.proposals import Proposal
from scheduler.domain.session import Session
from scheduler.domain.therapist import Therapist
from scheduler.domain.waitlist_book import OfferTracker, Waitlist

Statement = tuple[str, tuple[Any, ...]]
Handler = Callable[[Any, int], list[Statement]]

# Every change to what a clinic's boards show moves its position (the cache key).
_BUMP = "UPDATE readside_clinics SET position = %s WHERE clinic_id = %s"
_BUMP_OF_SESSION = (
    "UPDATE readside_clinics SET position = %s "
    "WHERE clinic_id = (SELECT clinic_id FROM board_visits WHERE session_id = %s)"
)


def _clinic(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_clinics VALUES (%s, %s, %s, %s, %s, %s)",
            (
                event.originator_id,
                event.timezone,
                event.latitude,
                event.longitude,
                event.travel_speed_kmh,
                position,
            ),
        )
    ]


def _therapist(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_therapists VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s)",
            (
                event.originator_id,
                event.clinic_id,
                event.name,
                event.mobile,
                event.home_latitude,
                event.home_longitude,
                json.dumps(event.shifts),
                position,
            ),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _shifts(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE readside_therapists SET shifts = %s::jsonb WHERE therapist_id = %s",
            (json.dumps(event.shifts), event.originator_id),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT clinic_id FROM readside_therapists WHERE therapist_id = %s)",
            (position, event.originator_id),
        ),
    ]


def _patient(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_patients VALUES (%s, %s, %s, NULL)",
            (event.originator_id, event.clinic_id, event.name),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _evaluated(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE readside_patients SET contraindications = %s::jsonb WHERE patient_id = %s",
            (json.dumps(list(event.contraindications)), event.originator_id),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT clinic_id FROM readside_patients WHERE patient_id = %s)",
            (position, event.originator_id),
        ),
    ]


def _plan(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_plans VALUES (%s, %s, %s, %s, %s)",
            (
                event.originator_id,
                event.clinic_id,
                event.condition,
                event.specialization,
                event.setting,
            ),
        )
    ]


def _booked(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO board_visits VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'booked', %s)",
            (
                event.originator_id,
                event.clinic_id,
                event.therapist_id,
                event.patient_id,
                event.plan_id,
                event.therapist_day,
                event.start,
                event.end,
                event.latitude,
                event.longitude,
                event.setting,
                position,
            ),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _rescheduled(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE board_visits SET therapist_id = %s, day = %s, start_utc = %s, "
            "end_utc = %s, position = %s WHERE session_id = %s",
            (
                event.therapist_id,
                event.therapist_day,
                event.start,
                event.end,
                position,
                event.originator_id,
            ),
        ),
        (_BUMP_OF_SESSION, (position, event.originator_id)),
    ]


def _pin(pinned: bool) -> Handler:
    def handler(event: Any, position: int) -> list[Statement]:
        return [
            (
                "UPDATE board_visits SET pinned = %s, position = %s WHERE session_id = %s",
                (pinned, position, event.originator_id),
            ),
            (_BUMP_OF_SESSION, (position, event.originator_id)),
        ]

    return handler


def _status(status: str) -> Handler:
    def handler(event: Any, position: int) -> list[Statement]:
        return [
            (
                "UPDATE board_visits SET status = %s, position = %s WHERE session_id = %s",
                (status, position, event.originator_id),
            ),
            (_BUMP_OF_SESSION, (position, event.originator_id)),
        ]

    return handler


def _day_opened(event: Any, position: int) -> list[Statement]:
    return [
        (
            "INSERT INTO readside_therapist_days VALUES (%s, %s, %s)",
            (event.originator_id, event.therapist_id, event.day),
        )
    ]


def _unavailable(event: Any, position: int) -> list[Statement]:
    start: datetime = event.start
    end: datetime = event.end
    return [
        (
            "INSERT INTO board_unavailable SELECT %s, therapist_id, day, %s, %s, %s, %s "
            "FROM readside_therapist_days WHERE day_id = %s",
            (position, event.kind, start, end, event.reason, event.originator_id),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT t.clinic_id FROM readside_therapists t "
            "JOIN readside_therapist_days d USING (therapist_id) WHERE d.day_id = %s)",
            (position, event.originator_id),
        ),
    ]


HANDLERS: dict[type[Any], Handler] = {
    Clinic.Registered: _clinic,  # type: ignore[attr-defined]
    Therapist.Registered: _therapist,  # type: ignore[attr-defined]
    Therapist.ShiftsChanged: _shifts,  # type: ignore[attr-defined]
    Patient.Registered: _patient,  # type: ignore[attr-defined]
    Patient.Evaluated: _evaluated,  # type: ignore[attr-defined]
    TreatmentPlan.Created: _plan,
    Session.Booked: _booked,  # type: ignore[attr-defined]
    Session.Rescheduled: _rescheduled,  # type: ignore[attr-defined]
    Session.Cancelled: _status("cancelled"),  # type: ignore[attr-defined]
    Session.Completed: _status("completed"),  # type: ignore[attr-defined]
    Session.NoShow: _status("no_show"),  # type: ignore[attr-defined]
    Pinned: _pin(True),
    Unpinned: _pin(False),
    TherapistDay.Opened: _day_opened,  # type: ignore[attr-defined]
    TherapistDay.MarkedUnavailable: _unavailable,  # type: ignore[attr-defined]
}
"""Events that change what the board and the weeks show, and the SQL each becomes."""

IGNORED: frozenset[type[Any]] = frozenset(
    {
        # Indexes and bookkeeping of the write side: the tables have their own keys.
        ClinicDirectory.Opened,  # type: ignore[attr-defined]
        ClinicDirectory.TherapistListed,  # type: ignore[attr-defined]
        ClinicDirectory.PatientListed,  # type: ignore[attr-defined]
        ClinicDirectory.PlanListed,  # type: ignore[attr-defined]
        # A visit's place on a day comes from the session's own events.
        TherapistDay.VisitBooked,  # type: ignore[attr-defined]
        TherapistDay.VisitReleased,  # type: ignore[attr-defined]
        PatientDay.Opened,  # type: ignore[attr-defined]
        PatientDay.SessionBooked,  # type: ignore[attr-defined]
        PatientDay.SessionReleased,  # type: ignore[attr-defined]
        # Time off shows through the days it marks (`TherapistDay.MarkedUnavailable`).
        Therapist.TimeOffRecorded,  # type: ignore[attr-defined]
        # Records the board does not show.
        Patient.PrescriptionRecorded,  # type: ignore[attr-defined]
        Patient.PlanStarted,  # type: ignore[attr-defined]
        TreatmentPlan.CadenceChanged,  # type: ignore[attr-defined]
        TreatmentPlan.Completed,  # type: ignore[attr-defined]
        TreatmentPlan.EvaluationNoted,  # type: ignore[attr-defined]
        TreatmentPlan.Paused,  # type: ignore[attr-defined]
        TreatmentPlan.Resumed,  # type: ignore[attr-defined]
        TreatmentPlan.SessionHeld,  # type: ignore[attr-defined]
        TreatmentPlan.SessionReleased,  # type: ignore[attr-defined]
        TreatmentPlan.SessionsAdded,  # type: ignore[attr-defined]
        TreatmentPlan.SessionsRemoved,  # type: ignore[attr-defined]
        TreatmentPlan.TherapistSwitched,  # type: ignore[attr-defined]
        CalendarFeed.Opened,  # type: ignore[attr-defined]
        CalendarFeed.TokenRotated,  # type: ignore[attr-defined]
        CalendarToken.Issued,  # type: ignore[attr-defined]
        Proposal.Proposed,  # type: ignore[attr-defined]
        Proposal.ApplyStarted,  # type: ignore[attr-defined]
        Proposal.Applied,  # type: ignore[attr-defined]
        Waitlist.Opened,  # type: ignore[attr-defined]
        Waitlist.Joined,  # type: ignore[attr-defined]
        Waitlist.Left,  # type: ignore[attr-defined]
        Waitlist.OfferMade,  # type: ignore[attr-defined]
        Waitlist.OfferAccepted,  # type: ignore[attr-defined]
        Waitlist.OfferClosed,  # type: ignore[attr-defined]
        OfferTracker.Started,  # type: ignore[attr-defined]
        OfferTracker.ClinicFollowed,  # type: ignore[attr-defined]
        OfferTracker.Advanced,  # type: ignore[attr-defined]
    }
)
"""Events the read model has no use for: each only moves the tracked position."""
