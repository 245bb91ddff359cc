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

from scheduler.domain.model.clinic import Clinic, ClinicDirectory, ClinicRegistry
from scheduler.domain.model.days import PatientDay, TherapistDay
from scheduler.domain.model.feed import CalendarFeed, CalendarToken
from scheduler.domain.model.notifications import MessagePreferences, Webhooks
from scheduler.domain.model.patient import Patient, PatientKey
from scheduler.domain.model.plan import TreatmentPlan
from scheduler.domain.model.prescription import Prescription
from scheduler.domain.model.proposal import Proposal
from scheduler.domain.model.receipt import Receipt
from scheduler.domain.model.session import Session
from scheduler.domain.model.sick_call import SickCall
from scheduler.domain.model.therapist import Therapist
from scheduler.domain.model.waitlist import OfferTracker, Waitlist

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
            "INSERT INTO readside_therapists (therapist_id, clinic_id, name, mobile, "
            "home_latitude, home_longitude, shifts, listed, specializations, max_visits, "
            "active) VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s::jsonb, %s, true)",
            (
                event.originator_id,
                event.clinic_id,
                event.name,
                event.mobile,
                event.home_latitude,
                event.home_longitude,
                json.dumps(event.shifts),
                position,
                json.dumps(list(event.specializations)),
                event.max_visits_per_day,
            ),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _clinic_changed(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE readside_clinics SET latitude = %s, longitude = %s, travel_speed_kmh = %s, "
            "position = %s WHERE clinic_id = %s",
            (
                event.latitude,
                event.longitude,
                event.travel_speed_kmh,
                position,
                event.originator_id,
            ),
        )
    ]


def _profile(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE readside_therapists SET name = %s, mobile = %s, home_latitude = %s, "
            "home_longitude = %s, specializations = %s::jsonb, max_visits = %s "
            "WHERE therapist_id = %s",
            (
                event.name,
                event.mobile,
                event.home_latitude,
                event.home_longitude,
                json.dumps(list(event.specializations)),
                event.max_visits_per_day,
                event.originator_id,
            ),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT clinic_id FROM readside_therapists WHERE therapist_id = %s)",
            (position, event.originator_id),
        ),
    ]


def _active(active: bool) -> Handler:
    """Whether the therapist takes bookings (the booking page's options read it)."""

    def handle(event: Any, position: int) -> list[Statement]:
        return [
            (
                "UPDATE readside_therapists SET active = %s WHERE therapist_id = %s",
                (active, event.originator_id),
            )
        ]

    return handle


def _patient_details(event: Any, position: int) -> list[Statement]:
    return [
        (
            "UPDATE readside_patients SET name = %s WHERE patient_id = %s",
            (event.name, event.originator_id),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT clinic_id FROM readside_patients WHERE patient_id = %s)",
            (position, event.originator_id),
        ),
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
    # An evaluation visit has no plan: what it is for stands in for the plan's condition.
    return [
        (
            "INSERT INTO board_visits (session_id, clinic_id, therapist_id, patient_id, "
            "plan_id, day, start_utc, end_utc, latitude, longitude, setting, status, "
            "position, visit_reason) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'booked', %s, %s)",
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
                event.visit_reason if event.plan_id is None else None,
            ),
        ),
        (_BUMP, (position, event.clinic_id)),
    ]


def _rescheduled(event: Any, position: int) -> list[Statement]:
    # A displaced session that gets its new time is booked again.
    return [
        (
            "UPDATE board_visits SET therapist_id = %s, day = %s, start_utc = %s, "
            "end_utc = %s, status = 'booked', position = %s WHERE session_id = %s",
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
    # A session no longer booked carries no flag (as in the domain); a completed one
    # keeps what it had.
    keep = status == "completed"

    def handler(event: Any, position: int) -> list[Statement]:
        return [
            (
                "UPDATE board_visits SET status = %s, position = %s, "
                "flags = CASE WHEN %s THEN flags ELSE '[]'::jsonb END WHERE session_id = %s",
                (status, position, keep, event.originator_id),
            ),
            (_BUMP_OF_SESSION, (position, event.originator_id)),
        ]

    return handler


def _flags(event: Any, position: int) -> list[Statement]:
    flags = list(getattr(event, "flags", []))
    return [
        (
            "UPDATE board_visits SET flags = %s::jsonb, position = %s WHERE session_id = %s",
            (json.dumps(flags), position, event.originator_id),
        ),
        (_BUMP_OF_SESSION, (position, event.originator_id)),
    ]


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


def _available(event: Any, position: int) -> list[Statement]:
    return [
        (
            "DELETE FROM board_unavailable WHERE position = (SELECT min(u.position) "
            "FROM board_unavailable u JOIN readside_therapist_days d USING (therapist_id, day) "
            "WHERE d.day_id = %s AND u.kind = %s AND u.start_utc = %s AND u.end_utc = %s)",
            (event.originator_id, event.kind, event.start, event.end),
        ),
        (
            "UPDATE readside_clinics SET position = %s WHERE clinic_id = "
            "(SELECT t.clinic_id FROM readside_therapists t "
            "JOIN readside_therapist_days d USING (therapist_id) WHERE d.day_id = %s)",
            (position, event.originator_id),
        ),
    ]


HANDLERS: dict[type[Any], Handler] = {
    Clinic.Registered: _clinic,
    Clinic.PoliciesChanged: _clinic_changed,
    Therapist.Registered: _therapist,
    Therapist.ProfileChanged: _profile,
    Therapist.ShiftsChanged: _shifts,
    Therapist.Deactivated: _active(False),
    Therapist.Reactivated: _active(True),
    Patient.Registered: _patient,
    Patient.DetailsChanged: _patient_details,
    Patient.Evaluated: _evaluated,
    TreatmentPlan.Created: _plan,
    Session.Booked: _booked,
    Session.Rescheduled: _rescheduled,
    Session.Cancelled: _status("cancelled"),
    Session.Completed: _status("completed"),
    Session.NoShow: _status("no_show"),
    Session.Displaced: _status("displaced"),
    Session.Pinned: _pin(True),
    Session.Unpinned: _pin(False),
    Session.ContraindicationFlagged: _flags,
    Session.FlagResolved: _flags,
    TherapistDay.Opened: _day_opened,
    TherapistDay.MarkedUnavailable: _unavailable,
    TherapistDay.AvailabilityRestored: _available,
}
"""Events that change what the board and the weeks show, and the SQL each becomes."""

IGNORED: frozenset[type[Any]] = frozenset(
    {
        # Indexes and bookkeeping of the write side: the tables have their own keys.
        ClinicDirectory.Opened,
        ClinicDirectory.TherapistListed,
        ClinicDirectory.PatientListed,
        ClinicDirectory.PlanListed,
        ClinicRegistry.Opened,
        ClinicRegistry.ClinicListed,
        PatientKey.Claimed,
        PatientKey.Released,
        PatientKey.Reclaimed,
        # A visit's place on a day comes from the session's own events.
        TherapistDay.VisitBooked,
        TherapistDay.VisitReleased,
        PatientDay.Opened,
        PatientDay.SessionBooked,
        PatientDay.SessionReleased,
        # Time off shows through the days it marks (`TherapistDay.MarkedUnavailable`).
        Therapist.TimeOffRecorded,
        Therapist.TimeOffWithdrawn,
        # A sick call shows through its days and the sessions it displaced.
        SickCall.Recorded,
        SickCall.Postponed,
        SickCall.Undone,
        TreatmentPlan.SessionDisplaced,
        TreatmentPlan.SessionPostponed,
        # Records the board does not show.
        Clinic.ConditionMapped,
        Clinic.RemindersSet,  # read by the notifier from the clinic itself
        Therapist.ShiftChangeRequested,
        Therapist.ShiftChangeDecided,  # an approval also records `ShiftsChanged`
        Patient.AvailabilityChanged,
        Patient.IntakeSubmitted,
        Patient.EvaluationVisitBooked,
        Prescription.Recorded,
        Prescription.SessionHeld,
        Prescription.SessionReleased,
        Prescription.ReauthorizationDue,
        Prescription.Renewed,
        TreatmentPlan.SessionMoved,
        TreatmentPlan.SessionMissed,
        Session.NoteAmended,
        Receipt.Issued,
        Patient.PrescriptionRecorded,
        Patient.PlanStarted,
        TreatmentPlan.CadenceChanged,
        TreatmentPlan.Completed,
        TreatmentPlan.EvaluationNoted,
        TreatmentPlan.Paused,
        TreatmentPlan.Resumed,
        TreatmentPlan.SessionHeld,
        TreatmentPlan.SessionReleased,
        TreatmentPlan.SessionsAdded,
        TreatmentPlan.SessionsRemoved,
        TreatmentPlan.TherapistSwitched,
        CalendarFeed.Opened,
        CalendarFeed.TokenRotated,
        CalendarToken.Issued,
        Proposal.Proposed,
        Proposal.ApplyStarted,
        Proposal.Applied,
        Waitlist.Opened,
        Waitlist.Joined,
        Waitlist.Left,
        Waitlist.OfferMade,
        Waitlist.OfferAccepted,
        Waitlist.OfferClosed,
        OfferTracker.Started,
        OfferTracker.ClinicFollowed,
        OfferTracker.Advanced,
        # Who hears about what: read by the notifier from the event store.
        Webhooks.Opened,
        Webhooks.Registered,
        Webhooks.Removed,
        MessagePreferences.Opened,
        MessagePreferences.Chosen,
    }
)
"""Events the read model has no use for: each only moves the tracked position."""
