"""The waitlist on every store: join, offers made from freed time, accept, lapse, decline."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.world import MONDAY, NOW, World, later
from scheduler.domain.errors import (
    AlreadyWaiting,
    InvalidDuration,
    OfferClosed,
    OfferExpired,
    OfferLapsed,
    UnknownOffer,
    UnknownSession,
    UnknownWaitlistEntry,
)

TUESDAY = MONDAY + timedelta(days=1)


def _wait(world: World, plan: UUID, therapist: UUID | None = None) -> UUID:
    """Put `plan` on the waitlist for Monday and Tuesday."""
    return world.app.join_waitlist(
        plan,
        earliest=world.local(MONDAY, "09:00"),
        latest=world.local(TUESDAY, "17:00"),
        therapist_id=therapist,
        actor="patient",
        now=NOW,
    )


def _offers(world: World, patient: UUID, minutes: int = 5) -> list:  # type: ignore[type-arg]
    return world.app.waitlist_offers(world.clinic, patient_id=patient, now=later(minutes))


def test_a_cancellation_becomes_an_offer_that_books_when_accepted(world: World) -> None:
    app = world.app
    taken = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    entry = _wait(world, world.quinn_home_plan, world.ana)
    assert app.offer_freed_time(now=later(1)) == 0  # nothing freed yet
    app.cancel_session(taken, actor="pat", reason="flu", now=later(2))
    assert _offers(world, world.quinn) == []  # the policy has not run yet
    assert app.offer_freed_time(now=later(3)) == 1
    assert app.offer_freed_time(now=later(4)) == 0  # each freed slot is offered once
    (offer,) = _offers(world, world.quinn)
    assert (offer.therapist_id, offer.start, offer.status) == (
        world.ana,
        world.local(MONDAY, "10:00"),
        "open",
    )
    assert offer.entry_id == entry
    assert offer.expires_at == later(3) + timedelta(hours=2)
    session_id = app.accept_offer(world.clinic, offer.id, actor="quinn", now=later(5))
    session = app.get_session(session_id)
    assert (session.patient_id, session.therapist_id, session.start) == (
        world.quinn,
        world.ana,
        world.local(MONDAY, "10:00"),
    )
    (accepted,) = _offers(world, world.quinn, 6)
    assert (accepted.status, accepted.session_id) == ("accepted", session_id)
    (served,) = app.waitlist_entries(world.clinic)
    assert served.status == "booked"
    # Taking it up again (a retry) answers the same session and books nothing more.
    assert app.accept_offer(world.clinic, offer.id, actor="quinn", now=later(7)) == session_id
    assert app.get_plan(world.quinn_home_plan).sessions_held == 1


def test_an_offer_whose_slot_was_taken_lapses_and_books_nothing(world: World) -> None:
    app = world.app
    taken = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    _wait(world, world.quinn_home_plan, world.ana)
    app.cancel_session(taken, actor="pat", reason="flu", now=later(1))
    app.offer_freed_time(now=later(2))
    (offer,) = _offers(world, world.quinn)
    again = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")  # Pat changed her mind
    with pytest.raises(OfferLapsed, match="can no longer be booked"):
        app.accept_offer(world.clinic, offer.id, actor="quinn", now=later(3))
    (lapsed,) = _offers(world, world.quinn)
    assert lapsed.status == "lapsed"
    assert [v.session_id for v in app.therapist_day(world.ana, MONDAY).visits] == [again]
    assert app.get_plan(world.quinn_home_plan).sessions_held == 0
    (entry,) = app.waitlist_entries(world.clinic)
    assert entry.status == "waiting"


def test_a_moved_session_frees_its_old_time_and_unsuitable_waiters_get_nothing(
    world: World,
) -> None:
    app = world.app
    moved = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    _wait(world, world.quinn_home_plan, world.ben)  # Ben only: Ana's time does not suit
    app.reschedule_session(
        moved, start=world.local(TUESDAY, "10:00"), actor="desk", reason="r", now=later(1)
    )
    assert app.offer_freed_time(now=later(2)) == 0
    app.leave_waitlist(world.quinn_home_plan, actor="quinn", reason="changed", now=later(3))
    _wait(world, world.quinn_home_plan)
    app.reschedule_session(
        moved, start=world.local(TUESDAY, "13:00"), actor="desk", reason="r", now=later(4)
    )
    assert app.offer_freed_time(now=later(5)) == 1
    (offer,) = _offers(world, world.quinn, 6)
    assert offer.start == world.local(TUESDAY, "10:00")


def test_declined_and_expired_offers_pass_to_the_next_in_line(world: World) -> None:
    app = world.app
    taken = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    _wait(world, world.quinn_home_plan)
    _wait(world, world.pat_clinic_plan)  # Pat's knee plan: Ben, at the clinic; Ana cannot
    app.cancel_session(taken, actor="pat", reason="flu", now=later(1))
    app.offer_freed_time(now=later(2))
    (offer,) = _offers(world, world.quinn)
    app.decline_offer(world.clinic, offer.id, actor="quinn", reason="busy", now=later(3))
    assert [o.status for o in _offers(world, world.quinn)] == ["declined"]
    with pytest.raises(OfferClosed):
        app.accept_offer(world.clinic, offer.id, actor="quinn", now=later(3))
    assert _offers(world, world.pat) == []  # Ana does not treat sports injuries
    # Quinn's entry waits again; a second freed slot is offered and left to expire.
    taken = world.book(world.pat_home_plan, world.ana, TUESDAY, "10:00")
    app.cancel_session(taken, actor="pat", reason="flu", now=later(4))
    app.offer_freed_time(now=later(5))
    newest = _offers(world, world.quinn, 6)[0]
    assert newest.status == "open"
    with pytest.raises(OfferExpired):
        app.accept_offer(world.clinic, newest.id, actor="quinn", now=later(5 + 121))


def test_bad_waitlist_requests_are_named_and_change_nothing(world: World) -> None:
    app = world.app
    _wait(world, world.quinn_home_plan)
    before = world.events()
    with pytest.raises(AlreadyWaiting):
        _wait(world, world.quinn_home_plan)
    with pytest.raises(InvalidDuration):
        app.join_waitlist(
            world.pat_home_plan,
            earliest=world.local(TUESDAY, "09:00"),
            latest=world.local(MONDAY, "09:00"),
            actor="pat",
            now=NOW,
        )
    with pytest.raises(UnknownWaitlistEntry):
        app.leave_waitlist(world.pat_home_plan, actor="pat", reason="", now=NOW)
    with pytest.raises(UnknownOffer):
        app.accept_offer(world.clinic, UUID(int=7), actor="pat", now=NOW)
    assert world.events() == before


def _third_patient_plan(world: World) -> tuple[UUID, UUID]:
    """Rae, another MS patient at home: (patient, plan)."""
    app = world.app
    rae = app.register_patient(
        clinic_id=world.clinic, name="Rae", home=(41.93, -87.66), actor="desk", now=NOW
    )
    app.record_evaluation(
        rae, condition="ms", pain_level=4, contraindications=[], actor="dr-lee", now=NOW
    )
    prescription = app.record_prescription(
        rae,
        condition="ms",
        authorized_sessions=4,
        expires_on=MONDAY + timedelta(days=60),
        actor="desk",
        now=NOW,
    )
    plan = app.create_plan(
        patient_id=rae,
        prescription_id=prescription,
        specialization="ms",
        sessions=4,
        session_minutes=60,
        min_days=2,
        max_days=9,
        setting="home",
        actor="desk",
        now=NOW,
    )
    return rae, plan


def test_an_offer_left_unanswered_expires_and_goes_to_the_next_in_line(world: World) -> None:
    app = world.app
    rae, rae_plan = _third_patient_plan(world)
    taken = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    _wait(world, world.quinn_home_plan)  # first in line
    _wait(world, rae_plan)
    app.cancel_session(taken, actor="pat", reason="flu", now=later(1))
    app.offer_freed_time(now=later(2))
    (first,) = _offers(world, world.quinn)
    assert _offers(world, rae) == []
    assert app.expire_offers(now=later(60)) == 0  # still time to answer
    assert app.expire_offers(now=later(2 + 120)) == 1
    assert [o.status for o in _offers(world, world.quinn, 130)] == ["expired"]
    (second,) = _offers(world, rae, 130)
    assert (second.start, second.therapist_id) == (first.start, first.therapist_id)
    session_id = app.accept_offer(world.clinic, second.id, actor="rae", now=later(131))
    assert app.get_session(session_id).patient_id == rae
    assert app.expire_offers(now=later(300)) == 0


def test_a_booked_session_waits_to_move_earlier_and_its_old_time_is_offered_on(
    world: World,
) -> None:
    app = world.app
    rae, rae_plan = _third_patient_plan(world)
    pats = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    quinns = world.book(world.quinn_home_plan, world.ana, TUESDAY, "10:00")
    # Quinn would rather come on Monday; Rae waits for anything on Tuesday.
    app.join_waitlist(
        world.quinn_home_plan,
        earliest=world.local(MONDAY, "09:00"),
        latest=world.local(MONDAY, "17:00"),
        session_id=quinns,
        actor="quinn",
        now=NOW,
    )
    app.join_waitlist(
        rae_plan,
        earliest=world.local(TUESDAY, "09:00"),
        latest=world.local(TUESDAY, "17:00"),
        actor="rae",
        now=NOW,
    )
    app.cancel_session(pats, actor="pat", reason="flu", now=later(1))
    app.offer_freed_time(now=later(2))
    (offer,) = _offers(world, world.quinn)
    assert offer.moves == quinns
    moved = app.accept_offer(world.clinic, offer.id, actor="quinn", now=later(3))
    assert moved == quinns  # the same session, moved: not a second one
    session = app.get_session(quinns)
    assert session.start == world.local(MONDAY, "10:00")
    assert app.get_plan(world.quinn_home_plan).sessions_held == 1
    # The move freed Tuesday 10:00, which goes to Rae.
    app.offer_freed_time(now=later(4))
    (rae_offer,) = _offers(world, rae)
    assert rae_offer.start == world.local(TUESDAY, "10:00")
    assert rae_offer.moves is None


def test_only_a_booked_session_of_the_plan_can_wait_to_move(world: World) -> None:
    pats = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    with pytest.raises(UnknownSession):
        world.app.join_waitlist(
            world.quinn_home_plan,
            earliest=world.local(MONDAY, "09:00"),
            latest=world.local(MONDAY, "17:00"),
            session_id=pats,
            actor="quinn",
            now=NOW,
        )
