"""Bodies of the front door: clinics, therapists, patients, the intake, sign-up.

Times of day are minutes after local midnight (540 is 09:00), as in `Therapist.shifts`:
a weekly shift is `{"mon": [540, 1020]}`, a weekly availability is a list of windows per
day, `{"mon": [[540, 720]], "thu": [[900, 1440]]}` ("Mon 9-12, Thu after 15:00").
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

from scheduler.accounts import AccountView
from scheduler.api.schemas.auth import Account, Email
from scheduler.api.schemas.records import Coordinates
from scheduler.api.schemas.types import Day
from scheduler.domain import ClinicView, PatientView, PrescriptionView, TherapistView
from scheduler.domain.commands.clinics import Policies
from scheduler.usecases.admin import ClinicListing
from scheduler.usecases.patients import Details

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Address = Annotated[str, msgspec.Meta(max_length=300)]
Phone = Annotated[str, msgspec.Meta(max_length=40, examples=["+1 206 555 0100"])]
Reason = Annotated[str, msgspec.Meta(max_length=500)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Minute = Annotated[int, msgspec.Meta(ge=0, le=1440, description="minutes after local midnight")]
Window = Annotated[list[Minute], msgspec.Meta(min_length=2, max_length=2, examples=[[540, 720]])]
Shifts = dict[Weekday, Window]
"""Weekday → [start, end] of the working day, in local minutes."""
Availability = dict[Weekday, Annotated[list[Window], msgspec.Meta(max_length=6)]]
"""Weekday → the windows the patient can be seen in; a day left out: not that day. An
empty object: any time a therapist works."""
Specialization = Annotated[str, msgspec.Meta(min_length=1, max_length=40, examples=["ms"])]


class Point(msgspec.Struct, forbid_unknown_fields=True):
    """A place on the map, as a request gives it."""

    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)]

    @property
    def pair(self) -> tuple[float, float]:
        """(latitude, longitude)."""
        return (self.latitude, self.longitude)


class ClinicPolicies(msgspec.Struct, forbid_unknown_fields=True):
    """How the clinic books (each has a default)."""

    late_cancel_hours: Annotated[int, msgspec.Meta(ge=0, le=336)] = 24
    slot_minutes: Annotated[
        int, msgspec.Meta(description="the booking grid: 5, 10, 15, 20, 30 or 60")
    ] = 15
    offer_hours: Annotated[int, msgspec.Meta(ge=1, le=72)] = 2
    reassessment_every: Annotated[
        int, msgspec.Meta(ge=0, le=52, description="every Nth session reassesses; 0: never")
    ] = 6
    evaluation_minutes: Annotated[int, msgspec.Meta(ge=15, le=180)] = 60
    travel_speed_kmh: Annotated[float, msgspec.Meta(ge=1, le=200)] = 30.0

    def policies(self) -> Policies:
        """As the domain takes them."""
        return Policies(
            travel_speed_kmh=self.travel_speed_kmh,
            late_cancel_hours=self.late_cancel_hours,
            slot_minutes=self.slot_minutes,
            offer_hours=self.offer_hours,
            reassessment_every=self.reassessment_every,
            evaluation_minutes=self.evaluation_minutes,
        )


class NewClinic(msgspec.Struct, forbid_unknown_fields=True):
    """A clinic to open: where it is, its time zone (fixed for good), how it books."""

    name: Name
    address: Address
    location: Point
    timezone: Annotated[str, msgspec.Meta(max_length=64, examples=["America/Chicago"])]
    policies: ClinicPolicies = msgspec.field(default_factory=ClinicPolicies)


class ClinicChange(msgspec.Struct, forbid_unknown_fields=True):
    """New details and policies of a clinic (every field; the time zone stays)."""

    name: Name
    address: Address
    location: Point
    policies: ClinicPolicies
    reason: Reason = ""


class ConditionMapping(msgspec.Struct, forbid_unknown_fields=True):
    """Let plans of these specializations treat conditions naming `phrase`."""

    phrase: Annotated[str, msgspec.Meta(min_length=2, max_length=100, examples=["frozen shoulder"])]
    specializations: Annotated[list[Specialization], msgspec.Meta(min_length=1, max_length=10)]


class Clinic(msgspec.Struct):
    """A clinic, its policies and the conditions it maps to specializations."""

    id: UUID
    name: str
    address: str
    location: Coordinates
    timezone: str
    policies: ClinicPolicies
    condition_map: dict[str, list[str]]

    @classmethod
    def of(cls, view: ClinicView) -> Clinic:
        """From the domain's clinic view."""
        return cls(
            id=view.id,
            name=view.name,
            address=view.address,
            location=Coordinates.of(view.location),
            timezone=view.timezone,
            policies=ClinicPolicies(
                late_cancel_hours=view.late_cancel_hours,
                slot_minutes=view.slot_minutes,
                offer_hours=view.offer_hours,
                reassessment_every=view.reassessment_every,
                evaluation_minutes=view.evaluation_minutes,
                travel_speed_kmh=view.travel_speed_kmh,
            ),
            condition_map=view.condition_map,
        )


class ClinicEntry(msgspec.Struct):
    """A clinic as anyone may see it (to choose one when signing up)."""

    id: UUID
    name: str
    address: str
    timezone: str

    @classmethod
    def of(cls, listing: ClinicListing) -> ClinicEntry:
        """From the use case's listing."""
        return cls(listing.id, listing.name, listing.address, listing.timezone)


class TherapistProfile(msgspec.Struct, forbid_unknown_fields=True):
    """A therapist's skills, base, visits per day and phone."""

    name: Name
    specializations: Annotated[list[Specialization], msgspec.Meta(min_length=1, max_length=10)]
    mobile: bool
    home: Point | None = None
    max_visits_per_day: Annotated[int, msgspec.Meta(ge=1, le=20)] = 8
    phone: Phone = ""


class NewTherapist(TherapistProfile, forbid_unknown_fields=True):
    """A therapist to register, with weekly shifts."""

    shifts: Shifts = msgspec.field(default_factory=dict)


class ProfileChange(TherapistProfile, forbid_unknown_fields=True):
    """New profile of a therapist."""

    reason: Reason = ""


class ShiftsChange(msgspec.Struct, forbid_unknown_fields=True):
    """The weekly shifts from now on (a day left out: not working)."""

    shifts: Shifts
    reason: Reason = ""


class TimeOff(msgspec.Struct, forbid_unknown_fields=True):
    """Whole local days `first`..`last` off."""

    first: Day
    last: Day
    reason: Reason = ""


class Activity(msgspec.Struct, forbid_unknown_fields=True):
    """Deactivate (no new bookings; booked sessions stay) or reactivate a therapist."""

    active: bool
    reason: Reason = ""


class ShiftDecision(msgspec.Struct, forbid_unknown_fields=True):
    """A dispatcher's answer to a therapist's shift change request."""

    approve: bool
    reason: Reason = ""


class ShiftRequest(msgspec.Struct):
    """A therapist's request for new weekly shifts, and its answer."""

    id: UUID
    status: str
    shifts: dict[str, list[int]]
    reason: str


class TherapistRecord(msgspec.Struct):
    """A therapist as the front desk manages them."""

    id: UUID
    clinic_id: UUID
    name: str
    specializations: list[str]
    mobile: bool
    home: Coordinates | None
    shifts: dict[str, list[int]]
    max_visits_per_day: int
    phone: str
    active: bool
    time_off: list[dict[str, object]]
    shift_requests: list[ShiftRequest]

    @classmethod
    def of(cls, view: TherapistView) -> TherapistRecord:
        """From the domain's therapist view."""
        return cls(
            id=view.id,
            clinic_id=view.clinic_id,
            name=view.name,
            specializations=list(view.specializations),
            mobile=view.mobile,
            home=Coordinates.of(view.home) if view.home else None,
            shifts={day: list(window) for day, window in view.shifts.items()},
            max_visits_per_day=view.max_visits_per_day,
            phone=view.phone,
            active=view.active,
            time_off=[dict(entry) for entry in view.time_off],
            shift_requests=[
                ShiftRequest(
                    id=UUID(str(r["id"])),
                    status=str(r["status"]),
                    shifts={d: list(w) for d, w in r["shifts"].items()},
                    reason=str(r.get("reason", "")),
                )
                for r in view.shift_requests
            ],
        )


class PatientDetails(msgspec.Struct, forbid_unknown_fields=True):
    """Who a patient is and where they live. Without `home` the street address is
    looked up by the clinic's geocoder, when it has one; a home not found on the map
    allows clinic visits only until it is."""

    name: Name
    email: Email | Literal[""] = ""
    phone: Phone = ""
    address: Address = ""
    home: Point | None = None
    availability: Availability = msgspec.field(default_factory=dict)

    def details(self) -> Details:
        """As the use-case layer takes them."""
        return Details(
            name=self.name,
            address=self.address,
            phone=self.phone,
            email=self.email,
            home=self.home.pair if self.home else None,
            availability={d: [list(w) for w in ws] for d, ws in self.availability.items()},
        )


class SignUp(msgspec.Struct, forbid_unknown_fields=True):
    """A new patient's account and record at a clinic."""

    clinic_id: UUID
    name: Name
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
    phone: Phone = ""
    address: Address = ""
    home: Point | None = None
    availability: Availability = msgspec.field(default_factory=dict)

    def details(self) -> Details:
        """The record's part, as the use-case layer takes it."""
        return PatientDetails(
            name=self.name,
            email=self.email,
            phone=self.phone,
            address=self.address,
            home=self.home,
            availability=self.availability,
        ).details()


class AvailabilityChange(msgspec.Struct, forbid_unknown_fields=True):
    """When the patient can be seen each week."""

    availability: Availability


class IntakeAnswers(msgspec.Struct, forbid_unknown_fields=True):
    """The health questionnaire: yes/no answers to the clinic's contraindication
    questions (`GET /intake/questions`), and what the patient tells in their words."""

    answers: dict[Annotated[str, msgspec.Meta(max_length=40)], bool]
    conditions: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    medications: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    pregnant: bool = False
    recent_surgery: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class IntakeQuestion(msgspec.Struct):
    """One question of the intake, and the contraindication a yes suggests."""

    key: str
    question: str
    suggests: str


class Prescription(msgspec.Struct):
    """A prescription or referral: condition, authorized sessions, expiry."""

    id: UUID
    patient_id: UUID
    condition: str
    icd10: str | None
    authorized_sessions: int
    sessions_held: int
    sessions_left: int
    expires_on: Day
    prescriber: str
    npi: str | None
    authorization_number: str | None
    reauthorization_due: bool

    @classmethod
    def of(cls, view: PrescriptionView) -> Prescription:
        """From the domain's prescription view."""
        return cls(
            id=view.id,
            patient_id=view.patient_id,
            condition=view.condition,
            icd10=view.icd10,
            authorized_sessions=view.authorized_sessions,
            sessions_held=view.held,
            sessions_left=view.left,
            expires_on=view.expires_on,
            prescriber=view.prescriber,
            npi=view.npi,
            authorization_number=view.authorization_number,
            reauthorization_due=view.reauthorization_due,
        )


class Patient(msgspec.Struct):
    """A patient's record: contact, home, availability, intake, evaluations,
    prescriptions and plans."""

    id: UUID
    clinic_id: UUID
    name: str
    email: str
    phone: str
    address: str
    home: Coordinates | None
    availability: dict[str, list[list[int]]]
    intake: dict[str, object] | None
    evaluations: list[dict[str, object]]
    contraindications: list[str]
    prescriptions: list[Prescription]
    plan_ids: list[UUID]
    evaluation_visit: UUID | None

    @classmethod
    def of(cls, view: PatientView) -> Patient:
        """From the domain's patient view (no home until the address is on the map)."""
        return cls(
            id=view.id,
            clinic_id=view.clinic_id,
            name=view.name,
            email=view.email,
            phone=view.phone,
            address=view.address,
            home=Coordinates.of(view.home) if view.home_located else None,
            availability=view.availability,
            intake=msgspec.to_builtins(view.intake) if view.intake else None,
            evaluations=[msgspec.to_builtins(e) for e in view.evaluations],
            contraindications=list(view.contraindications),
            prescriptions=[Prescription.of(p) for p in view.prescriptions],
            plan_ids=list(view.plans),
            evaluation_visit=view.evaluation_visit,
        )


class PatientEntry(msgspec.Struct):
    """A patient in a search result."""

    id: UUID
    name: str
    email: str
    phone: str
    address: str

    @classmethod
    def of(cls, view: PatientView) -> PatientEntry:
        """From the domain's patient view."""
        return cls(view.id, view.name, view.email, view.phone, view.address)


class SignedUp(msgspec.Struct):
    """The new patient's record and account (sign in with its e-mail and password)."""

    patient: Patient
    account: Account

    @classmethod
    def of(cls, patient: PatientView, account: AccountView) -> SignedUp:
        """From the use case's result."""
        return cls(Patient.of(patient), Account.of(account))
