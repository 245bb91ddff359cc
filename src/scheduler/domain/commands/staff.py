"""Commands on therapists: register one, change the profile or weekly shifts, record time
off, deactivate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import InvalidDuration, InvalidInput, UnknownTherapist
from scheduler.domain.ids import TherapistId
from scheduler.domain.model.therapist import Therapist, weekly_shifts
from scheduler.domain.rules.care import specializations as _specializations
from scheduler.domain.rules.inputs import location as _location
from scheduler.domain.rules.inputs import text
from scheduler.domain.timekeeping import as_utc, dates_between, local_date

TIME_OFF_KINDS = ("time_off", "sick")
MAX_TIME_OFF = timedelta(days=92)
MAX_VISITS_PER_DAY = 20


def _profile(
    specializations: Sequence[str],
    mobile: bool,
    home: Sequence[float] | None,
    max_visits_per_day: int,
) -> tuple[tuple[str, ...], tuple[float, float] | None]:
    skills = _specializations(specializations)
    if not skills:
        raise InvalidInput("a therapist needs at least one specialization")
    if mobile and home is None:
        raise InvalidInput("a mobile therapist needs a home location (their base)")
    if isinstance(max_visits_per_day, bool) or not 1 <= max_visits_per_day <= MAX_VISITS_PER_DAY:
        raise InvalidInput(
            f"max visits per day must be 1-{MAX_VISITS_PER_DAY}, got {max_visits_per_day}"
        )
    return skills, _location(home, "therapist home") if home is not None else None


class Staff(Store):
    """A clinic's therapists and when they work."""

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
        phone: str = "",
    ) -> TherapistId:
        """Add a therapist to a clinic. Mobile therapists need a `home` (their base)."""
        clinic = self._clinic(clinic_id)
        skills, base = _profile(specializations, mobile, home, max_visits_per_day)
        pattern = weekly_shifts(shifts)
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
                phone=phone.strip(),
                actor=actor,
                at=at,
            )
            directory = self._directory(clinic.id)
            directory.list_therapist(therapist.id, at)
            return [therapist, directory]

        saved = self._save_retrying(
            command, identity=("register_therapist", str(clinic.id), display_name)
        )
        return TherapistId(saved[0].id)

    def change_therapist(
        self,
        therapist_id: UUID | str,
        *,
        name: str,
        specializations: Sequence[str],
        mobile: bool,
        home: Sequence[float] | None,
        max_visits_per_day: int,
        phone: str,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Replace the therapist's profile (booked sessions are kept as they are)."""
        skills, base = _profile(specializations, mobile, home, max_visits_per_day)
        display_name, at = text(name, "therapist name"), as_utc(now, "now")

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            therapist.change_profile(
                name=display_name,
                specializations=list(skills),
                mobile=bool(mobile),
                home_latitude=base[0] if base else None,
                home_longitude=base[1] if base else None,
                max_visits_per_day=int(max_visits_per_day),
                phone=phone.strip(),
                actor=actor,
                reason=reason,
                at=at,
            )
            return [therapist]

        self._save_retrying(
            command, identity=("change_therapist", str(therapist_id), display_name, skills)
        )

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
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            therapist.change_shifts(pattern, actor, reason, at)
            return [therapist]

        self._save_retrying(command, identity=("change_shifts", str(therapist_id), repr(pattern)))

    def request_shift_change(
        self,
        therapist_id: UUID | str,
        *,
        shifts: Mapping[str, Sequence[int]],
        actor: str,
        reason: str,
        now: datetime,
    ) -> UUID:
        """A therapist asks for new weekly shifts; returns the request's id."""
        pattern, at = weekly_shifts(shifts), as_utc(now, "now")
        request_id = uuid4()

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            if any(r["status"] == "pending" for r in therapist.shift_requests.values()):
                raise InvalidInput("a shift change is already waiting for a decision")
            therapist.request_shift_change(
                request_id=request_id, shifts=pattern, actor=actor, reason=reason, at=at
            )
            return [therapist]

        self._save_retrying(
            command, identity=("request_shift_change", str(therapist_id), repr(pattern))
        )
        return request_id

    def decide_shift_change(
        self,
        therapist_id: UUID | str,
        *,
        request_id: UUID | str,
        approved: bool,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Approve or decline a therapist's pending shift change (booked sessions stay)."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            key = UUID(str(request_id))
            request = therapist.shift_requests.get(key)
            if request is None or request["status"] != "pending":
                raise InvalidInput("no pending shift change with that id")
            therapist.decide_shift_change(
                request_id=key, approved=approved, actor=actor, reason=reason, at=at
            )
            if approved:  # the ordinary change, so every reader of shifts follows it
                pattern = weekly_shifts(request["shifts"])  # type: ignore[arg-type]
                therapist.change_shifts(pattern, actor, f"approved request: {reason}", at)
            return [therapist]

        self._save_retrying(
            command, identity=("decide_shift_change", str(therapist_id), str(request_id))
        )

    def set_therapist_active(
        self, therapist_id: UUID | str, *, active: bool, actor: str, reason: str, now: datetime
    ) -> bool:
        """Deactivate (no new bookings) or reactivate a therapist; False if already so."""
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            therapist = self._load(Therapist, therapist_id, UnknownTherapist)
            if therapist.active == active:
                return []
            if active:
                therapist.reactivate(actor, reason, at)
            else:
                therapist.deactivate(actor, reason, at)
            return [therapist]

        saved = self._save_retrying(command, identity=("set_active", str(therapist_id), active))
        return bool(saved)

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

        self._save_retrying(
            command, identity=("record_time_off", str(therapist_id), kind, start, end)
        )
