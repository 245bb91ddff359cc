"""The named errors of the scheduling domain: one small hierarchy.

The API maps `NotFound` to 404; `BookingConflict`, `TherapistBusy`, `PatientBusy` and
`DayFull` (the calendar changed under the request) to 409; every other `SchedulingError`
to 422. Every message says what was wrong and how to fix it. A command
that raises one of these has written no event.
"""

from __future__ import annotations


class SchedulingError(Exception):
    """Raised when a command breaks a rule of the clinic; base of every domain error."""


# --- unknown records --------------------------------------------------------------------
class NotFound(SchedulingError):
    """Raised when a command names a record that does not exist."""


class UnknownClinic(NotFound):
    """Raised when no clinic has the given id."""


class UnknownTherapist(NotFound):
    """Raised when no therapist has the given id."""


class UnknownPatient(NotFound):
    """Raised when no patient has the given id."""


class UnknownPlan(NotFound):
    """Raised when no treatment plan has the given id."""


class UnknownSession(NotFound):
    """Raised when no session has the given id."""


class UnknownPrescription(NotFound):
    """Raised when the patient has no prescription with the given id."""


# --- malformed input ---------------------------------------------------------------------
class InvalidInput(SchedulingError):
    """Raised when a value is malformed whatever the calendar holds (e.g. a zero duration)."""


class InvalidTimezone(InvalidInput):
    """Raised when a time zone is not an IANA name such as 'America/Chicago'."""


class InvalidDuration(InvalidInput):
    """Raised when a session length or interval is zero, negative or absurdly long."""


class InvalidPainLevel(InvalidInput):
    """Raised when a pain level is outside 0-10."""


class NaiveDatetime(InvalidInput):
    """Raised when a time is given without a UTC offset, so its instant is unknown."""


# --- booking rules -----------------------------------------------------------------------
class BookingError(SchedulingError):
    """Raised when a booking, reschedule or status change breaks a clinic rule."""


class TherapistBusy(BookingError):
    """Raised when the therapist is in another session then, or cannot travel there in time."""


class PatientBusy(BookingError):
    """Raised when the patient already has a session overlapping the requested time."""


class OutsideShift(BookingError):
    """Raised when the session (with travel from and back to base) is outside the shift."""


class TherapistUnavailable(BookingError):
    """Raised when the therapist has time off or a sick day over the requested time."""


class DayFull(BookingError):
    """Raised when the therapist already has the maximum number of visits that day."""


class MissingSpecialization(BookingError):
    """Raised when the therapist lacks the specialization the plan requires."""


class NotMobile(BookingError):
    """Raised when a home visit is booked with a therapist who only works at the clinic."""


class PlanNotActive(BookingError):
    """Raised when the plan is paused or completed."""


class EvaluationMissing(BookingError):
    """Raised when the patient has no completed evaluation yet."""


class Contraindicated(BookingError):
    """Raised when the patient's latest evaluation contraindicates the plan's treatment."""


class PrescriptionExpired(BookingError):
    """Raised when the session would fall after the prescription's expiry date."""


class SessionsExhausted(BookingError):
    """Raised when the plan has used every authorized session."""


class SessionNotBooked(BookingError):
    """Raised when a session that is cancelled, completed or no-show is changed again."""


class TooEarly(BookingError):
    """Raised when a session is completed or marked no-show before it has started."""


class BookingConflict(SchedulingError):
    """Raised when concurrent writers kept changing the same day; the command was not applied.

    Retrying later is safe: nothing was written.
    """


# --- optimization proposals -------------------------------------------------------------
class UnknownProposal(NotFound):
    """Raised when a command names an optimization proposal that does not exist."""


class ProposalAlreadyApplied(SchedulingError):
    """Raised when a proposal is applied a second time (or while it is being applied)."""


# --- waitlist and calendar feeds ---------------------------------------------------------
class UnknownWaitlistEntry(NotFound):
    """Raised when the plan has no waitlist entry (or none with the given id)."""


class UnknownOffer(NotFound):
    """Raised when no waitlist offer has the given id."""


class UnknownCalendarFeed(NotFound):
    """Raised when a calendar token names no current feed (unknown, mistyped or rotated)."""


class AlreadyWaiting(BookingError):
    """Raised when a plan joins the waitlist while it already has an entry waiting."""


class OfferClosed(BookingError):
    """Raised when an offer that was accepted, declined, lapsed or expired is taken up."""


class OfferExpired(OfferClosed):
    """Raised when an offer is accepted after its expiry time."""


class OfferLapsed(BookingError):
    """Raised when an accepted offer can no longer be booked (the slot was taken meanwhile
    or a rule now forbids it); the offer is closed as lapsed and nothing is booked."""
