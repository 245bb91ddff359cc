"""Pinning a visit: an event in the session's history, only on booked sessions, idempotent."""

from __future__ import annotations

import pytest

from domain.world import MONDAY, NOW, World
from scheduler.domain.errors import SessionNotBooked, UnknownSession


def test_a_pin_and_its_release_are_events_in_the_sessions_history(world: World) -> None:
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    assert world.app.session_pinned(session) is False

    assert world.app.pin_session(session, actor="desk", reason="patient asked", now=NOW)
    assert world.app.session_pinned(session) is True
    assert world.app.unpin_session(session, actor="desk", reason="free again", now=NOW)
    assert world.app.session_pinned(session) is False

    history = world.app.history(session)
    assert [entry.event for entry in history] == ["Booked", "Pinned", "Unpinned"]
    assert (history[1].actor, history[1].reason, history[1].at) == ("desk", "patient asked", NOW)


def test_pinning_twice_records_nothing_the_second_time(world: World) -> None:
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    assert world.app.pin_session(session, actor="desk", reason="", now=NOW)
    events = world.events()

    assert world.app.pin_session(session, actor="desk", reason="", now=NOW) is False
    assert world.events() == events
    other = world.book(world.quinn_home_plan, world.ana, MONDAY, "13:00")
    events = world.events()
    assert world.app.unpin_session(other, actor="desk", reason="", now=NOW) is False
    assert world.events() == events
    assert world.app.session_pinned(session) is True


def test_a_cancelled_session_cannot_be_pinned_and_nothing_is_written(world: World) -> None:
    session = world.book(world.pat_home_plan, world.ana, MONDAY, "10:00")
    world.app.cancel_session(session, actor="desk", reason="flu", now=NOW)
    events = world.events()

    with pytest.raises(SessionNotBooked, match="only a booked session can be pinned"):
        world.app.pin_session(session, actor="desk", reason="", now=NOW)
    assert world.events() == events
    assert world.app.session_pinned(session) is False


def test_an_unknown_session_is_named(world: World) -> None:
    with pytest.raises(UnknownSession, match="not a valid id"):
        world.app.pin_session("no-such-session", actor="desk", reason="", now=NOW)
