"""Where and when a session would take place, and putting it on (or off) the two days.

Shared by every command that books or moves a session (and by dry runs that check a slot
without saving): the rules are checked here, before any event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate

from scheduler.domain.base import SchedulingBase
from scheduler.domain.days import PatientDay, TherapistDay
from scheduler.domain.errors import MissingSpecialization, NotMobile, OutsideShift
from scheduler.domain.plan import TreatmentPlan
from scheduler.domain.session import Session
from scheduler.domain.therapist import WEEKDAYS, Therapist
from scheduler.domain.timekeeping import local_date, wall_clock
from scheduler.geo import Location


@dataclass(frozen=True)
class _Visit:
    """Where and when a session would take place, and the therapist's frame that day."""

    start: datetime
    end: datetime
    place: Location
    therapist_day: date
    patient_day: date
    shift: tuple[datetime, datetime]
    base: Location
    speed_kmh: float
    max_visits: int
    zone: ZoneInfo


class Visits(SchedulingBase):
    """Checking a visit against the therapist and the plan, and the days it occupies."""

    def _visit(self, plan: TreatmentPlan, therapist: Therapist, start: datetime) -> _Visit:
        """Check the therapist and patient may take this plan's session at `start`.

        The patient's side (evaluation, contraindications, home) comes from the plan,
        which the booking saves: a concurrent new evaluation conflicts with it.
        """
        if plan.specialization not in therapist.specializations:
            raise MissingSpecialization(
                f"{therapist.name} does not practise {plan.specialization} "
                f"(has {therapist.specializations}): choose a therapist who does"
            )
        if plan.setting == "home" and not therapist.mobile:
            raise NotMobile(f"{therapist.name} works only at the clinic: choose a mobile therapist")
        plan.check_cleared()
        own_clinic = self._clinic(therapist.clinic_id)
        zone = self._zone_of(therapist.clinic_id)
        day = local_date(start, zone)
        window = therapist.shift_on(day)
        if window is None:
            raise OutsideShift(
                f"{therapist.name} does not work on {WEEKDAYS[day.weekday()]} {day}: "
                "choose a day with a shift"
            )
        return _Visit(
            start=start,
            end=start + timedelta(minutes=plan.session_minutes),
            place=plan.location,
            therapist_day=day,
            patient_day=local_date(start, self._zone_of(plan.clinic_id)),
            shift=(wall_clock(day, window[0], zone), wall_clock(day, window[1], zone)),
            # The spec's route rule: a mobile therapist's day starts and ends at home,
            # everyone else's at their clinic (even if a home address is on file).
            base=(therapist.home() if therapist.mobile else None) or own_clinic.location,
            speed_kmh=own_clinic.travel_speed_kmh,
            max_visits=therapist.max_visits_per_day,
            zone=zone,
        )

    def _occupy(
        self,
        session_id: UUID,
        therapist_id: UUID,
        patient_id: UUID,
        visit: _Visit,
        *,
        actor: str,
        at: datetime,
        known: Mapping[UUID, Aggregate] | None = None,
    ) -> list[Aggregate]:
        """Put the visit on both days (or raise the rule it breaks); returns the days.

        `known` holds days already loaded (and changed) by this command.
        """
        known = known or {}
        therapist_day = known.get(TherapistDay.create_id(therapist_id, visit.therapist_day))
        if not isinstance(therapist_day, TherapistDay):
            therapist_day = self._therapist_day(therapist_id, visit.therapist_day, at)
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
        patient_day = known.get(PatientDay.create_id(patient_id, visit.patient_day))
        if not isinstance(patient_day, PatientDay):
            patient_day = self._patient_day(patient_id, visit.patient_day, at)
        patient_day.book(session_id, visit.start, visit.end, actor=actor, at=at, zone=visit.zone)
        return [therapist_day, patient_day]

    def _release(self, session: Session, actor: str, reason: str, at: datetime) -> list[Aggregate]:
        """Free the session's time on its therapist's and patient's days."""
        therapist_day = self._therapist_day(session.therapist_id, session.therapist_day, at)
        patient_day = self._patient_day(session.patient_id, session.patient_day, at)
        therapist_day.release(session.id, actor, reason, at)
        patient_day.release(session.id, actor, reason, at)
        return [therapist_day, patient_day]
