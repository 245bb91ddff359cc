"""The model: random sequences of every role's commands, checked against the raw store.

Hypothesis drives bookings (evaluation visits included), moves, cancellations,
completions, no-shows, pins, the waitlist and its offers, and sick calls, as patients
(their own and others' plans), therapists and the front desk (with and without
overrides), while the clock moves on.
Commands that break a rule are refused; whatever was acknowledged is recorded. After
each run `invariants.check_store` replays the event store's raw records and must find
no broken rule and every acknowledged command.

The machine is abstract over how commands are sent (`drivers.py`): `Machine.driver`
and `Machine.recorder` are provided by a subclass, one per variant.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from .drivers import Answer, Driver
from .invariants import Acknowledged, check_store
from .world import ZONE

SLOTS = (480, 540, 600, 600, 690, 780, 780, 870, 960)
"""Local start minutes the machine tries (some too early or late for a shift)."""
DAYS = 12
WEEKDAYS_FIRST = (0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 0, 2, 4, 5, 6)
"""Day offsets from the first Monday: mostly working days, a weekend now and then."""
WHO_BOOKS = ("owner", "desk", "desk-cadence", "desk-backfill", "stranger")
PLANS = ("pat-ms", "quinn-arm", "quinn-leg", "rae-ankle")
THERAPISTS = ("ana", "ben", "cleo")
QUALIFIED = {
    "pat-ms": ("ana",),  # a home visit: only a mobile therapist with the skill
    "quinn-arm": ("ana", "cleo"),
    "quinn-leg": ("ana", "cleo"),
    "rae-ankle": ("ben",),
}
"""Who may take each plan; the machine picks them mostly, and anyone now and then."""


class Machine(RuleBasedStateMachine):
    """The rules of the model; subclasses set `driver`, `recorder`, `first_day` and
    `clock_moves`."""

    sessions = Bundle("sessions")
    driver: Driver
    recorder: Any
    first_day: date
    clock_moves: bool = True

    totals: dict[str, int] = {}  # noqa: RUF012 - shared by every run of one test on purpose
    """Runs, steps, acknowledged commands and refusals by code, over a test's runs."""

    def __init__(self) -> None:
        super().__init__()
        type(self).totals["runs"] = type(self).totals.get("runs", 0) + 1
        self.acknowledged: list[Acknowledged] = []
        self.zone = ZoneInfo(ZONE)
        self.owner_of: dict[UUID, str] = {}  # session -> the patient's name
        self.therapist_of: dict[UUID, str] = {}
        self.sick_calls: list[UUID] = []

    # --- helpers --------------------------------------------------------------------------
    def start(self, day: int, minute: int) -> datetime:
        moment = self.first_day + timedelta(days=day)
        local = datetime(moment.year, moment.month, moment.day, tzinfo=self.zone)
        return local + timedelta(minutes=minute)

    def stranger(self, patient: str) -> str:
        others = [p for p in self.driver.world.patients if p != patient]
        return others[0]

    def note(self, kind: str, answer: Answer, session: UUID, start: datetime | None = None) -> None:
        self.count(answer)
        if answer.ok:
            self.count(answer, f":{kind}")
            self.acknowledged.append(Acknowledged(kind, session, start))

    def count(self, answer: Answer, kind: str = "") -> None:
        key = f"acknowledged{kind}" if answer.ok else f"refused:{answer.code}"
        type(self).totals[key] = type(self).totals.get(key, 0) + 1

    @invariant()
    def one_more_step(self) -> None:
        type(self).totals["steps"] = type(self).totals.get("steps", 0) + 1

    # --- rules ------------------------------------------------------------------------------
    @initialize(target=sessions)
    def a_first_booking(self) -> Any:
        """Every run starts with two bookings that keep every rule, so the rules that act on
        sessions have something to act on (days 9 and 11 are ahead in both variants)."""
        first = self.book("pat-ms", 1, 0, 9, 600, "owner")
        second = self.book("rae-ankle", 1, 0, 11, 600, "desk")
        return multiple(*(s for s in (first, second) if isinstance(s, UUID)))

    @rule(
        target=sessions,
        plan=st.sampled_from(PLANS),
        anyone=st.integers(0, 9),
        pick=st.integers(0, 2),
        day=st.sampled_from(WEEKDAYS_FIRST),
        minute=st.sampled_from(SLOTS),
        who=st.sampled_from(WHO_BOOKS),
    )
    def book(self, plan: str, anyone: int, pick: int, day: int, minute: int, who: str) -> Any:
        world = self.driver.world
        choices = THERAPISTS if anyone == 0 else QUALIFIED[plan]
        therapist = choices[pick % len(choices)]
        patient = world.plan_patient[plan]
        actor, overrides = {
            "owner": (patient, {}),
            "desk": ("desk", {}),
            "desk-cadence": ("desk", {"cadence": "model: the desk set the cadence aside"}),
            "desk-backfill": ("desk", {"in_the_past": "model: a visit that took place"}),
            "stranger": (self.stranger(patient), {}),
        }[who]
        start = self.start(day, minute)
        answer = self.driver.book(
            actor, world.plans[plan], world.therapists[therapist], start, overrides
        )
        if who == "stranger":
            assert not answer.ok, "a patient booked on another patient's plan"
        if not answer.ok:
            self.count(answer)
            return multiple()
        self.note("booked", answer, answer.value)
        self.owner_of[answer.value] = patient
        self.therapist_of[answer.value] = therapist
        return answer.value

    @rule(
        target=sessions,
        plan=st.sampled_from(PLANS),
        pick=st.integers(0, 2),
        day=st.sampled_from(WEEKDAYS_FIRST),
        minute=st.sampled_from(SLOTS),
        who=st.sampled_from(WHO_BOOKS),
    )
    def book_with_a_qualified_therapist(
        self, plan: str, pick: int, day: int, minute: int, who: str
    ) -> Any:
        """The same as `book`, with the plan's own therapists only: bookings are most of
        what a clinic does, so the model makes them most often too."""
        return self.book(plan, 1, pick, day, minute, who)

    @rule(
        target=sessions,
        therapist=st.sampled_from(THERAPISTS),
        day=st.sampled_from(WEEKDAYS_FIRST),
        minute=st.sampled_from(SLOTS),
        who=st.sampled_from(("owner", "desk", "stranger")),
    )
    def book_an_evaluation(self, therapist: str, day: int, minute: int, who: str) -> Any:
        """The new patient's evaluation visit: no plan, one at a time, with a therapist
        who treats the reason; it takes the therapist's and the patient's time like any
        session."""
        world = self.driver.world
        actor = {"owner": "sol", "stranger": self.stranger("sol")}.get(who, "desk")
        start = self.start(day, minute)
        answer = self.driver.evaluation(
            actor, world.patients["sol"], world.therapists[therapist], start
        )
        if who == "stranger":
            assert not answer.ok, "a patient booked another patient's evaluation"
        if not answer.ok:
            self.count(answer)
            return multiple()
        self.note("booked", answer, answer.value)
        self.owner_of[answer.value] = "sol"
        self.therapist_of[answer.value] = therapist
        return answer.value

    @rule(
        session=sessions,
        day=st.sampled_from(WEEKDAYS_FIRST),
        minute=st.sampled_from(SLOTS),
        who=st.sampled_from(("owner", "desk", "desk-cadence", "stranger")),
    )
    def move(self, session: UUID, day: int, minute: int, who: str) -> None:
        patient = self.owner_of[session]
        actor = {"owner": patient, "stranger": self.stranger(patient)}.get(who, "desk")
        overrides = {"cadence": "model: moved off the cadence"} if who == "desk-cadence" else {}
        start = self.start(day, minute)
        answer = self.driver.move(actor, session, start, overrides)
        if who == "stranger":
            assert not answer.ok, "a patient moved another patient's session"
        self.note("moved", answer, session, start)

    @rule(session=consumes(sessions), who=st.sampled_from(("owner", "desk", "stranger")))
    def cancel(self, session: UUID, who: str) -> None:
        patient = self.owner_of[session]
        actor = {"owner": patient, "stranger": self.stranger(patient)}.get(who, "desk")
        answer = self.driver.cancel(actor, session)
        if who == "stranger":
            assert not answer.ok, "a patient cancelled another patient's session"
        self.note("cancelled", answer, session)

    @rule(session=sessions, own=st.booleans())
    def complete(self, session: UUID, own: bool) -> None:
        therapist = self.therapist_of[session]
        actor = therapist if own else next(t for t in THERAPISTS if t != therapist)
        answer = self.driver.complete(actor, session)
        self.note("completed", answer, session)

    @rule(session=sessions)
    def no_show(self, session: UUID) -> None:
        self.note("no_show", self.driver.no_show("desk", session), session)

    @rule(session=sessions)
    def pin(self, session: UUID) -> None:
        self.driver.pin("desk", session)

    @rule(plan=st.sampled_from(PLANS), day=st.integers(0, DAYS - 1), span=st.integers(0, 4))
    def join_waitlist(self, plan: str, day: int, span: int) -> None:
        world = self.driver.world
        first = self.first_day + timedelta(days=day)
        self.driver.join(
            world.plan_patient[plan], world.plans[plan], first, first + timedelta(span)
        )

    @rule(plan=st.sampled_from(PLANS))
    def leave_waitlist(self, plan: str) -> None:
        world = self.driver.world
        self.driver.leave("desk", world.plans[plan])

    @rule(patient=st.sampled_from(("pat", "quinn", "rae")), take=st.booleans())
    def answer_an_offer(self, patient: str, take: bool) -> None:
        for offer in self.driver.offers(patient)[:1]:
            if take:
                answer = self.driver.accept(patient, offer)
                if answer.ok:
                    self.note("booked", answer, UUID(str(_id_of(answer.value))))
            else:
                self.driver.decline(patient, offer)

    @rule(therapist=st.sampled_from(THERAPISTS), day=st.integers(0, DAYS - 1))
    def sick_call(self, therapist: str, day: int) -> None:
        world = self.driver.world
        answer = self.driver.sick(
            "desk", world.therapists[therapist], self.first_day + timedelta(day)
        )
        self.count(answer, ":sick_call")
        if answer.ok:
            self.sick_calls.append(answer.value)

    @precondition(lambda self: self.sick_calls)
    @rule(which=st.integers(0, 3))
    def undo_a_sick_call(self, which: int) -> None:
        answer = self.driver.undo_sick("desk", self.sick_calls[which % len(self.sick_calls)])
        self.count(answer, ":undo_sick_call")

    @precondition(lambda self: self.clock_moves)
    @rule(minutes=st.sampled_from((60, 180, 600, 24 * 60)))
    def time_passes(self, minutes: int) -> None:
        self.advance(minutes)

    def advance(self, minutes: int) -> None:
        """Move the service's clock on (variants whose clock the test holds)."""
        raise NotImplementedError

    def teardown(self) -> None:
        problems = check_store(self.recorder, self.acknowledged)
        self.close()
        assert problems == [], problems

    def close(self) -> None:
        """Release what the variant opened."""


def _id_of(value: Any) -> Any:
    return value["id"] if isinstance(value, dict) else value.id
