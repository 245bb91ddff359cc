"""The named errors of the scheduling domain: one small hierarchy.

Each error has a `code` a client can rely on (`cadence`, `in_the_past`, `therapist_busy`…)
and a message that says what was wrong and how to fix it, in the clinic's local time and
without another person's ids or names. The API maps `NotFound` to 404; the errors of a
calendar that changed under the request (`Conflict`) to 409; every other
`SchedulingError` to 422. A command that raises one of these has written no event.
"""

from __future__ import annotations

import re


class SchedulingError(Exception):
    """Raised when a command breaks a rule of the clinic; base of every domain error."""

    code = "scheduling_error"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            # TherapistBusy -> therapist_busy, unless the class names its own code.
            cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


class Conflict(SchedulingError):
    """Raised when the calendar holds something in the request's way: the same request
    at another time (or after a retry) can succeed. The API answers 409."""


# --- unknown records --------------------------------------------------------------------
class NotFound(SchedulingError):
    """Raised when a command names a record that does not exist."""

    code = "not_found"


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


class UnknownProposal(NotFound):
    """Raised when a command names an optimization proposal that does not exist."""


class UnknownWaitlistEntry(NotFound):
    """Raised when the plan has no waitlist entry (or none with the given id)."""


class UnknownOffer(NotFound):
    """Raised when no waitlist offer has the given id."""


class UnknownSickCall(NotFound):
    """Raised when no sick call has the given id."""


class UnknownCalendarFeed(NotFound):
    """Raised when a calendar token names no current feed (unknown, mistyped or rotated)."""


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


class NoteRequired(InvalidInput):
    """Raised when a session is completed (or its note amended) without a progress note."""


# --- booking rules -----------------------------------------------------------------------
class BookingError(SchedulingError):
    """Raised when a booking, reschedule or status change breaks a clinic rule."""


class TherapistBusy(BookingError, Conflict):
    """Raised when the therapist is in another session then, or cannot travel there in time."""


class PatientBusy(BookingError, Conflict):
    """Raised when the patient already has a session overlapping the requested time."""


class DayFull(BookingError, Conflict):
    """Raised when the therapist already has the maximum number of visits that day."""


class OutsideShift(BookingError):
    """Raised when the session (with travel from and back to base) is outside the shift."""


class TherapistUnavailable(BookingError):
    """Raised when the therapist has time off or a sick day over the requested time."""


class MissingSpecialization(BookingError):
    """Raised when the therapist lacks the specialization the plan requires."""


class NotMobile(BookingError):
    """Raised when a home visit is booked with a therapist who only works at the clinic."""


class TherapistOfAnotherClinic(BookingError):
    """Raised when a plan's session is booked with a therapist of another clinic."""


class PlanNotActive(BookingError):
    """Raised when the plan is paused or completed."""


class EvaluationMissing(BookingError):
    """Raised when the patient has no completed evaluation yet."""


class Contraindicated(BookingError):
    """Raised when the patient's latest evaluation contraindicates the plan's treatment."""


class ContraindicationUnresolved(BookingError):
    """Raised when a plan with sessions flagged by a new contraindication joins the
    waitlist (or a flagged session is completed) before the flag is resolved."""

    code = "contraindication_unresolved"


class PrescriptionExpired(BookingError):
    """Raised when a session would fall after its prescription's expiry date, or a plan
    is started on an expired prescription."""


class ConditionMismatch(BookingError):
    """Raised when a plan's specialization does not treat its prescription's condition."""


class SessionsExhausted(BookingError):
    """Raised when the plan already holds every session it plans."""


class AuthorizationExhausted(BookingError):
    """Raised when the prescription's authorized sessions are all held, across its plans."""


class CadenceBroken(BookingError):
    """Raised when a session would be closer to, or further from, the plan's neighbouring
    session than the prescribed `min_days..max_days`."""

    code = "cadence"


class InThePast(BookingError):
    """Raised when a session is booked or moved to a time that has already begun."""

    code = "in_the_past"


class SessionStarted(BookingError):
    """Raised when a session that has started is cancelled or moved (record a no-show or
    complete it instead)."""


class SessionNotBooked(BookingError):
    """Raised when a session that is cancelled, completed or no-show is changed again."""


class SessionNotCompleted(BookingError):
    """Raised when the progress note of a session that was not completed is amended."""


class TooEarly(BookingError):
    """Raised when a session is completed or marked no-show before it has started."""


class BookingConflict(Conflict):
    """Raised when concurrent writers kept changing the same day; the command was not applied.

    Retrying later is safe: nothing was written.
    """


# --- optimization proposals -------------------------------------------------------------
class ProposalAlreadyApplied(Conflict):
    """Raised when a proposal is applied a second time (or while it is being applied)."""


# --- sick calls -------------------------------------------------------------------------
class SickCallUndone(Conflict):
    """Raised when a sick call that was undone already is undone again."""


class SessionNotDisplaced(BookingError):
    """Raised when a session is postponed that is not waiting for a new time."""


# --- waitlist ----------------------------------------------------------------------------
class AlreadyWaiting(BookingError, Conflict):
    """Raised when a plan joins the waitlist while it already has an entry waiting."""


class OfferClosed(BookingError):
    """Raised when an offer that was accepted, declined, lapsed or expired is taken up."""


class OfferExpired(OfferClosed):
    """Raised when an offer is accepted after its expiry time."""


class OfferLapsed(BookingError, Conflict):
    """Raised when an accepted offer can no longer be booked (the slot was taken meanwhile
    or a rule now forbids it); the offer is closed as lapsed and nothing is booked."""


# --- the evaluation visit and reassessments ----------------------------------------------
class EvaluationAlreadyBooked(BookingError, Conflict):
    """Raised when a patient who has an evaluation visit booked books another."""

    code = "evaluation_booked"


class NotEvaluating(BookingError):
    """Raised when an evaluation visit is booked with a therapist who treats none of the
    reasons the patient gives for it."""


class RecordTheEvaluation(BookingError):
    """Raised when an evaluation visit is completed like a treatment session: recording
    the evaluation completes it."""

    code = "record_the_evaluation"


class ReassessmentRequired(BookingError):
    """Raised when a reassessment session is completed without its short re-evaluation."""


class PatientExists(Conflict):
    """Raised when a patient is registered at a clinic that already has them (the same
    e-mail address, or the same name and phone number)."""


class HomeNotLocated(BookingError):
    """Raised when a home visit is planned or booked for a patient whose address is not
    found on the map yet."""


class IntakeMissing(BookingError):
    """Raised when a step needs the patient's intake questionnaire first."""


# --- notifications ------------------------------------------------------------------------
class InvalidWebhook(SchedulingError):
    """Raised when a webhook is registered with a URL that is not http(s) or for an event
    type the clinic cannot subscribe to."""


class UnknownWebhook(NotFound):
    """Raised when the clinic has no webhook with the given id."""


class LinkExpired(SchedulingError):
    """Raised when a link from a message (accept an offer, stop reminders) is not one the
    clinic sent, or its time has run out."""
