"""Commands on clinics: open one, change its details and policies, extend its conditions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from scheduler.domain.commands.store import Store
from scheduler.domain.errors import InvalidDuration, InvalidInput
from scheduler.domain.ids import ClinicId
from scheduler.domain.model.clinic import Clinic, ClinicDirectory, ClinicRegistry
from scheduler.domain.rules import conditions
from scheduler.domain.rules.inputs import location as _location
from scheduler.domain.rules.inputs import text
from scheduler.domain.timekeeping import as_utc, clinic_zone

MAX_REMINDER_HOURS = 24 * 7
"""The longest a reminder may go before its visit."""
SLOT_CHOICES = (5, 10, 15, 20, 30, 60)
"""Booking grids a clinic may choose, in minutes."""


@dataclass(frozen=True)
class Policies:
    """How a clinic books: travel speed, the late-cancel window, the slot grid, how long a
    waitlist offer stays open, reassessment every N sessions, the evaluation's length."""

    travel_speed_kmh: float = 30.0
    late_cancel_hours: int = 24
    slot_minutes: int = 15
    offer_hours: int = 2
    reassessment_every: int = 6
    evaluation_minutes: int = 60

    def checked(self) -> Policies:
        """These policies, validated; InvalidInput names the first bad one."""
        speed = self.travel_speed_kmh
        if isinstance(speed, bool) or not (
            isinstance(speed, int | float) and math.isfinite(speed) and 1 <= speed <= 200
        ):
            raise InvalidInput(f"travel speed must be 1-200 km/h, got {speed!r}")
        for name, value, low, high in (
            ("late_cancel_hours", self.late_cancel_hours, 0, 24 * 14),
            ("offer_hours", self.offer_hours, 1, 72),
            ("reassessment_every", self.reassessment_every, 0, 52),
            ("evaluation_minutes", self.evaluation_minutes, 15, 180),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidDuration(f"{name} must be a whole number from {low} to {high}")
        if self.slot_minutes not in SLOT_CHOICES:
            raise InvalidInput(f"the booking grid must be one of {SLOT_CHOICES} minutes")
        return Policies(float(speed), *(int(v) for v in list(asdict(self).values())[1:]))


class Clinics(Store):
    """Opening clinics and changing how they work."""

    def register_clinic(
        self,
        *,
        name: str,
        address: str,
        location: Sequence[float],
        timezone: str,
        actor: str,
        now: datetime,
        policies: Policies | None = None,
        **settings: float,
    ) -> ClinicId:
        """Open a clinic (with its empty directory); returns its id.

        `policies` (or their fields as keywords, e.g. `late_cancel_hours=12`) default to
        `Policies()`.
        """
        latitude, longitude = _location(location, "clinic location")
        clinic_zone(timezone)
        chosen = Policies(**{**asdict(policies or Policies()), **settings}).checked()
        at = as_utc(now, "now")
        display_name, street = text(name, "clinic name"), text(address, "clinic address")

        def command() -> list[Aggregate]:
            clinic = Clinic(
                name=display_name,
                address=street,
                latitude=latitude,
                longitude=longitude,
                timezone=timezone,
                actor=actor,
                at=at,
                **asdict(chosen),
            )
            registry = self._load_or_none(ClinicRegistry.create_id()) or ClinicRegistry(at=at)
            registry.list_clinic(clinic.id, at)
            return [clinic, ClinicDirectory(clinic_id=clinic.id, at=at), registry]

        saved = self._save_retrying(command, identity=("register_clinic", display_name, street))
        return ClinicId(saved[0].id)

    def clinic_ids(self) -> list[UUID]:
        """Every clinic's id, in the order they were opened."""
        registry = self._load_or_none(ClinicRegistry.create_id())
        return list(registry.clinics) if isinstance(registry, ClinicRegistry) else []

    def change_clinic(
        self,
        clinic_id: UUID | str,
        *,
        name: str,
        address: str,
        location: Sequence[float],
        policies: Policies,
        actor: str,
        reason: str,
        now: datetime,
    ) -> None:
        """Replace the clinic's details and policies (its time zone is fixed: sessions are
        filed under its local dates)."""
        latitude, longitude = _location(location, "clinic location")
        chosen = policies.checked()
        display_name, street = text(name, "clinic name"), text(address, "clinic address")
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            clinic = self._clinic(clinic_id)
            clinic.change_policies(
                name=display_name,
                address=street,
                latitude=latitude,
                longitude=longitude,
                actor=actor,
                reason=reason,
                at=at,
                **asdict(chosen),
            )
            return [clinic]

        self._save_retrying(
            command, identity=("change_clinic", str(clinic_id), display_name, repr(chosen))
        )

    def set_reminders(
        self,
        clinic_id: UUID | str,
        *,
        reminder_hours: int | None,
        quiet_hours: tuple[int, int] | None,
        actor: str,
        now: datetime,
    ) -> None:
        """The clinic's own reminder lead time (hours before a visit, 0: none) and quiet
        hours (local start and end hour, e.g. 21 and 8); None: the deployment's."""
        if reminder_hours is not None and (
            isinstance(reminder_hours, bool)
            or not isinstance(reminder_hours, int)
            or not 0 <= reminder_hours <= MAX_REMINDER_HOURS
        ):
            raise InvalidDuration(
                f"reminder_hours must be a whole number from 0 (no reminders) "
                f"to {MAX_REMINDER_HOURS}"
            )
        if quiet_hours is not None:
            start, end = quiet_hours
            for name, hour in (("start", start), ("end", end)):
                if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
                    raise InvalidInput(f"quiet hours' {name} must be an hour from 0 to 23")
            if start == end:
                raise InvalidInput("quiet hours must start and end at different hours")
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            clinic = self._clinic(clinic_id)
            clinic.set_reminders(
                reminder_hours=reminder_hours,
                quiet_start=None if quiet_hours is None else quiet_hours[0],
                quiet_end=None if quiet_hours is None else quiet_hours[1],
                actor=actor,
                at=at,
            )
            return [clinic]

        self._save_retrying(
            command, identity=("set_reminders", str(clinic_id), reminder_hours, quiet_hours)
        )

    def map_condition(
        self,
        clinic_id: UUID | str,
        *,
        phrase: str,
        specializations: Sequence[str],
        actor: str,
        now: datetime,
    ) -> None:
        """Let plans of `specializations` treat conditions mentioning `phrase` here."""
        words, skills = conditions.mapping(phrase, specializations)
        at = as_utc(now, "now")

        def command() -> list[Aggregate]:
            clinic = self._clinic(clinic_id)
            clinic.map_condition(phrase=words, specializations=list(skills), actor=actor, at=at)
            return [clinic]

        self._save_retrying(command, identity=("map_condition", str(clinic_id), words, skills))
