"""The clinic's event-sourced domain: one `Scheduling` application over a few aggregates.

Everything the clinic does is an event (who, when as `at`, why as `reason`), replayable,
auditable and projectable. Double booking is impossible by construction: a booking saves
the therapist's day, the patient's day, the plan, the prescription and the session in ONE
transaction with optimistic concurrency, so of two racing writers exactly one wins; the
loser is retried on fresh state and then gets the rule it now breaks (`TherapistBusy`,
`PatientBusy`) or, if writers kept winning, `BookingConflict`.

Public surface (keyword arguments; ids are UUIDs or their strings; every command takes
`actor` and `now`, an aware UTC datetime read from the clock by the caller, never here)::

    from scheduler.domain import Scheduling
    from scheduler.store import environment
    app = Scheduling(environment())  # unit tests: environment("memory")

    # clinics                                            -> returns
    app.register_clinic(name, address, location=(lat, lon), timezone="America/Chicago",
                        travel_speed_kmh=30.0, late_cancel_hours=24, actor, now)   -> ClinicId
    app.get_clinic(clinic_id)                                              -> ClinicView
    app.list_therapists(clinic_id) / list_patients(clinic_id) / list_plans(clinic_id)
                                                    -> list[TherapistView|PatientView|PlanView]
    app.local_time(clinic_id, day: date, minute_of_day)   -> UTC datetime of local wall clock

    # therapists (shifts: {"mon": [540, 1020], ...} minutes after local midnight)
    app.register_therapist(clinic_id, name, specializations, mobile, shifts, home=None,
                           max_visits_per_day=8, actor, now)                  -> TherapistId
    app.get_therapist(therapist_id)                                         -> TherapistView
    app.change_shifts(therapist_id, shifts, actor, reason, now)
    app.record_time_off(therapist_id, start, end, kind="time_off"|"sick", actor, reason, now)

    # patients
    app.register_patient(clinic_id, name, home=(lat, lon), phone="", email="", actor, now)
                                                                               -> PatientId
    app.get_patient(patient_id)                                               -> PatientView
    app.record_evaluation(patient_id, condition, pain_level, contraindications, notes="",
                          findings="", recommended=None, actor, now)  # flags booked sessions
    app.record_prescription(patient_id, condition, authorized_sessions, expires_on: date,
                            prescriber="", icd10=None, npi=None, authorization_number=None,
                            actor, now)                                  -> PrescriptionId
    app.renew_prescription(prescription_id, authorized_sessions, expires_on, actor, reason, now)

    # treatment plans (setting "home" or "clinic"; every change is an event)
    app.create_plan(patient_id, prescription_id, specialization, sessions, session_minutes,
                    min_days, max_days, setting, preferred_therapist=None, actor, now) -> PlanId
    app.get_plan(plan_id)                                                        -> PlanView
    app.change_cadence(plan_id, min_days, max_days, actor, reason, now)
    app.add_sessions(plan_id, count, ...) / app.remove_sessions(plan_id, count, ...)
    app.pause_plan / resume_plan / complete_plan(plan_id, actor, reason, now)
    app.switch_therapist(plan_id, therapist_id (or None), actor, reason, now)

    # sessions
    app.book_session(plan_id, therapist_id, start: datetime, actor, now, reason="",
                     overrides={"cadence"|"in_the_past": reason})             -> SessionId
    app.reschedule_session(session_id, start, therapist_id=None, actor, reason, now,
                           overrides=None)
    app.cancel_session(session_id, actor, reason, now)          -> bool (late cancellation)
    app.complete_session(session_id, note, pain_before, pain_after, actor, now)
    app.amend_note(session_id, note, pain_before, pain_after, actor, reason, now)
    app.record_no_show(session_id, actor, reason, now)
    app.get_session(session_id)                                               -> SessionView
    app.patient_sessions(patient_id)                                   -> list[SessionView]

    # calendars, history, time travel
    app.therapist_day(therapist_id, day: date, as_of: datetime | None = None) -> DayView
    app.therapist_week(therapist_id, first_day: date)                    -> list[DayView]
    app.history(record_id)           -> list[HistoryEntry] (event, actor, at, reason, data)
    app.notification_log             # the library's log of every event, for projections

    # waitlist: a plan waits for freed time; offers come from cancelled or moved sessions
    app.join_waitlist(plan_id, earliest, latest, therapist_id=None, session_id=None,
                      actor, now) -> entry id  # session_id: move that booking earlier
    app.leave_waitlist(plan_id, actor, reason, now)
    app.offer_freed_time(now)  /  app.expire_offers(now)      -> int (the offer policy)
    app.accept_offer(clinic_id, offer_id, actor, now)   -> SessionId (via book_session)
    app.decline_offer(clinic_id, offer_id, actor, reason, now)
    app.waitlist_entries(clinic_id, patient_id=None) / waitlist_offers(clinic_id, now, …)
    app.check_booking(plan_id, therapist_id, start, now)  # every booking rule, nothing saved
    app.check_move(session_id, therapist_id, start, now)  # every move rule, nothing saved

    # therapists' calendar feeds (secret token, stored hashed)
    app.rotate_calendar_token(therapist_id, actor, now) -> token;  calendar_owner(token)
    app.therapist_feed(therapist_id, first_day, last_day) -> list[FeedEntry]
    app.session_revision(session_id)           -> (version, last changed at)

Errors (`scheduler.domain.errors`): each has a stable `code`. `NotFound` (→ 404); a
`Conflict` — the calendar changed under the request: `BookingConflict`, `TherapistBusy`,
`PatientBusy`, `DayFull`… (→ 409); every other `SchedulingError` (→ 422). A command that
raises has written no event.

Where things live (a newcomer's map):

    model/      the aggregates and their events (one consistency boundary each)
    rules/      the clinic's rules as values and pure functions: care (specializations,
                contraindications), conditions (what treats what), cadence, timing
    commands/   the application's commands, one module per area; store.py: loading
                (always current: the library's cache, fast-forwarded), saving, retrying,
                receipts of keyed requests
    queries/    views of plain values: records, calendars and history, feeds, waitlist
    views.py    what queries return;  errors.py  the one error hierarchy
"""

from scheduler.domain.application import Scheduling
from scheduler.domain.ids import ClinicId, PatientId, PlanId, PrescriptionId, SessionId, TherapistId
from scheduler.domain.views import (
    ClinicView,
    DayView,
    HistoryEntry,
    PatientView,
    PlanView,
    PrescriptionView,
    ProposalView,
    SessionView,
    TherapistView,
    VisitView,
)

__all__ = [
    "ClinicId",
    "ClinicView",
    "DayView",
    "HistoryEntry",
    "PatientId",
    "PatientView",
    "PlanId",
    "PlanView",
    "PrescriptionId",
    "PrescriptionView",
    "ProposalView",
    "Scheduling",
    "SessionId",
    "SessionView",
    "TherapistId",
    "TherapistView",
    "VisitView",
]
