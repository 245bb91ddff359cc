"""Commands on therapists: register one, change the weekly shifts, record time off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.base import SchedulingBase
from scheduler.domain.care import specializations
from scheduler.domain.clinic import ClinicDirectory
from scheduler.domain.errors import InvalidDuration, InvalidInput, UnknownClinic, UnknownTherapist
from scheduler.domain.ids import TherapistId, directory_id
from scheduler.domain.inputs import location, text
from scheduler.domain.therapist import Therapist, weekly_shifts
from scheduler.domain.timekeeping import as_utc, dates_between, local_date

TIME_OFF_KINDS = ("time_off", "sick")
MAX_TIME_OFF = timedelta(days=92)


class Staff(SchedulingBase):
    """A clinic's therapists and when they work."""

    def _directory(self, clinic_id: UUID) -> ClinicDirectory:
        self._clinic(clinic_id)
        return self._load(ClinicDirectory, directory_id(clinic_id), UnknownClinic, for_update=True)

    def register_therapist(
        self,
        *,
        clinic_id: UUID | str,
        name: str,
        specializations: Sequence[str],
        mobile: bool,
        shifts: Mapping[str, Sequence[int]],
        actor: str,
        now: datetime,
        home: Sequence[float] | None = None,
        max_visits_per_day: int = 8,
    ) -> TherapistId:
        """Add a therapist to a clinic. Mobile therapists need a `home` (their base)."""
        clinic = self._clinic(clinic_id)
        skills = _specializations(specializations)
        if mobile and home is None:
            raise InvalidInput("a mobile therapist needs a home location (their base)")
        base = _location(home, "therapist home") if home is not None else None
        pattern = weekly_shifts(shifts)
        if max_visits_per_day < 1:
            raise InvalidInput(f"max visits per day must be >= 1, got {max_visits_per_day}")
        at = as_utc(now, "now")
        display_name = text(name, "therapist name")

        def command() -> list[Aggregate]:
            therapist = Therapist(
                clinic_id=clinic.id,
                name=display_name,
                specializations=list(skills),
                mobile=bool(mobile),
                home_latitude=base[0] if base else None,
                home_longitude=base[1] if base else None,
                shifts=pattern,
                max_visits_per_day=int(max_visits_per_day),
                actor=actor,
                at=at,
            )
            directory = self._directory(clinic.id)
            directory.list_therapist(therapist.id, at)
            return [therapist, directory]

        return TherapistId(self._save_retrying(command)[0].id)

    def change_shifts(
        self,
        therapist_id: UUID | str,
        *,
        shifts: Mapping[str, Sequence[int]],
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Replace a therapist's weekly shift pattern (booked sessions are kept)."""
        pattern, at = weekly_shifts(shifts), as_utc(now, "now")

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist, for_update=True)
            therapist.change_shifts(pattern, actor, reason, at)
            return [therapist]

        self._save_retrying(command)

    def record_time_off(
        self,
        therapist_id: UUID | str,
        *,
        start: datetime,
        end: datetime,
        actor: str,
        reason: str,
        now: datetime,
        kind: str = "time_off",
    ) -> None:
        """Block `start`..`end` for time off or a sick day (`kind`: time_off or sick).

        Each affected day is marked in the same transaction, so a booking racing with a
        sick call either lands first (and stays, for the clinic to reassign) or fails.
        """
        if kind not in TIME_OFF_KINDS:
            raise InvalidInput(f"kind must be one of {TIME_OFF_KINDS}, got {kind!r}")
        start, end = as_utc(start, "start"), as_utc(end, "end")
        if not start < end <= start + MAX_TIME_OFF:
            raise InvalidDuration(
                f"time off must end after it starts and last at most {MAX_TIME_OFF.days} days"
            )
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            zone = self._zone_of(therapist.clinic_id)
            last = local_date(end - timedelta(microseconds=1), zone)
            changed: list[Aggregate] = [therapist]
            for day in dates_between(local_date(start, zone), last):
                day_record = self._therapist_day(therapist.id, day, at)
                day_record.mark_unavailable(
                    kind=kind, start=start, end=end, actor=actor, reason=reason, at=at
                )
                changed.append(day_record)
            therapist.record_time_off(
                kind=kind, start=start, end=end, actor=actor, reason=reason, at=at
            )
            return changed

        self._save_retrying(command)


# Module-level aliases: the methods' keyword names shadow these helpers inside them.
_location = location
_specializations = specializations
