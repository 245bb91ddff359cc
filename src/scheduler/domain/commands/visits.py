"""Where and when a visit takes place, and putting it on (or off) the two days.

Shared by every command that books or moves a session, of a plan or an evaluation (and
by the dry runs that check a slot without saving): the therapist's and the day's rules
are checked here, before any event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import (
    NotEvaluating,
    NotMobile,
    OutsideShift,
    TherapistOfAnotherClinic,
    TherapistUnavailable,
)
from scheduler.domain.model.clinic import Clinic
from scheduler.domain.model.days import PatientDay, TherapistDay
from scheduler.domain.model.session import Session
from scheduler.domain.model.therapist import WEEKDAYS, Therapist
from scheduler.domain.rules import conditions, timing
from scheduler.domain.timekeeping import local_date, wall_clock
from scheduler.geo import Location


@dataclass(frozen=True)
class Visit:
    """Where and when a session would take place, and the therapist's frame that day."""

    start: datetime
    end: datetime
    place: Location
    day: date  # the clinic's local date (therapist and patient share the clinic)
    today: date
    shift: tuple[datetime, datetime]
    base: Location
    speed_kmh: float
    max_visits: int
    zone: ZoneInfo


class Visits(Store):
    """The therapist's side of a visit, and the days it occupies."""

    def _frame(
        self,
        clinic: Clinic,
        therapist: Therapist,
        *,
        start: datetime,
        minutes: int,
        place: Location,
        home_visit: bool,
        at: datetime,
        rules: Mapping[str, str],
    ) -> Visit:
        """Check the therapist may take a visit at `start` and frame its day."""
        if therapist.clinic_id != clinic.id:
            raise TherapistOfAnotherClinic(
                "the therapist works at another clinic: choose one of this clinic's"
            )
        if not therapist.active:
            raise TherapistUnavailable(
                f"{therapist.name} no longer takes bookings: choose another therapist"
            )
        if home_visit and not therapist.mobile:
            raise NotMobile(f"{therapist.name} works only at the clinic: choose a mobile therapist")
        zone = self._zone_of(clinic.id)
        timing.check_not_past(start, at, rules, zone)
        day = local_date(start, zone)
        window = therapist.shift_on(day)
        if window is None:
            raise OutsideShift(
                f"{therapist.name} does not work on {WEEKDAYS[day.weekday()]} {day}: "
                "choose a day with a shift"
            )
        return Visit(
            start=start,
            end=start + timedelta(minutes=minutes),
            place=place,
            day=day,
            today=local_date(at, zone),
            shift=(wall_clock(day, window[0], zone), wall_clock(day, window[1], zone)),
            base=therapist.base(clinic.location),
            speed_kmh=clinic.travel_speed_kmh,
            max_visits=therapist.max_visits_per_day,
            zone=zone,
        )

    def _check_evaluates(
        self, therapist: Therapist, reason: str, extra: Mapping[str, list[str]]
    ) -> None:
        """Raise NotEvaluating unless the therapist treats what the visit is for (a reason
        the clinic's conditions do not name may be evaluated by anyone)."""
        wanted = conditions.treating(reason, None, extra)
        if wanted and not wanted & set(therapist.specializations):
            raise NotEvaluating(
                f"{therapist.name} does not treat what this visit is for (it needs one of "
                f"{sorted(wanted)}): choose a therapist who does"
            )

    def _occupy(
        self,
        session_id: UUID,
        therapist_id: UUID,
        patient_id: UUID,
        visit: Visit,
        *,
        actor: str,
        at: datetime,
        known: Mapping[UUID, Aggregate] | None = None,
    ) -> list[Aggregate]:
        """Put the visit on both days (or raise the rule it breaks); returns the days.

        `known` holds days already loaded (and changed) by this command.
        """
        known = known or {}
        therapist_day = known.get(TherapistDay.create_id(therapist_id, visit.day))
        if not isinstance(therapist_day, TherapistDay):
            therapist_day = self._therapist_day(therapist_id, visit.day, at)
        therapist_day.book(
            session_id,
            visit.start,
            visit.end,
            visit.place,
            shift=visit.shift,
            base=visit.base,
            speed_kmh=visit.speed_kmh,
            max_visits=visit.max_visits,
            actor=actor,
            at=at,
            zone=visit.zone,
        )
        patient_day = known.get(PatientDay.create_id(patient_id, visit.day))
        if not isinstance(patient_day, PatientDay):
            patient_day = self._patient_day(patient_id, visit.day, at)
        patient_day.book(session_id, visit.start, visit.end, actor=actor, at=at, zone=visit.zone)
        return [therapist_day, patient_day]

    def _release(self, session: Session, actor: str, reason: str, at: datetime) -> list[Aggregate]:
        """Free the session's time on its therapist's and patient's days."""
        therapist_day = self._therapist_day(session.therapist_id, session.therapist_day, at)
        patient_day = self._patient_day(session.patient_id, session.patient_day, at)
        therapist_day.release(session.id, actor, reason, at)
        patient_day.release(session.id, actor, reason, at)
        return [therapist_day, patient_day]
