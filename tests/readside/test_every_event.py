"""Every event of the domain is either projected or explicitly ignored by the read side.

The classes are found by walking the `scheduler.domain` package and its subpackages,
not listed by hand, so an event added later fails here until the projection decides
what to do with it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

from eventsourcing.domain import Aggregate, _created_event_classes

import scheduler.domain
from scheduler.domain.model.session import Session
from scheduler.readside.changes import SESSION_CHANGES
from scheduler.readside.handlers import HANDLERS, IGNORED


def _subclasses(cls: type[Any]) -> set[type[Any]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def domain_aggregates() -> set[type[Aggregate]]:
    """Every aggregate class declared in a module of `scheduler.domain`."""
    aggregates = set()
    for module_info in pkgutil.walk_packages(scheduler.domain.__path__, "scheduler.domain."):
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Aggregate) and value.__module__ == module.__name__:
                aggregates.add(value)
    return aggregates


def recorded_events(aggregate: type[Aggregate]) -> set[type[Any]]:
    """The event classes an aggregate can record: its `Event`'s subclasses, wherever
    they are declared, without the library's default `Created` when `__init__` names
    its own creation event (that default is never recorded)."""
    events = {e for e in _subclasses(aggregate.Event) if e.__module__.startswith("scheduler.")}
    # An event class declared in the aggregate's body is subclassed by the library with
    # the method it decorates; only that subclass is ever recorded.
    events = {e for e in events if not any(o is not e and issubclass(o, e) for o in events)}
    used_created = set(_created_event_classes[aggregate])
    return {e for e in events if not issubclass(e, Aggregate.Created) or e in used_created}


def test_the_walk_finds_the_events_it_must() -> None:
    events = set().union(*(recorded_events(a) for a in domain_aggregates()))
    names = {e.__qualname__ for e in events}
    assert {"Session.Pinned", "Session.Unpinned", "Session.Booked", "Waitlist.OfferMade"} <= names
    assert "Session.Created" not in names  # the library's unused default
    assert len(events) > 40


def test_every_domain_event_is_projected_or_ignored_but_not_both() -> None:
    unclassified = []
    for aggregate in domain_aggregates():
        for event in recorded_events(aggregate):
            if event not in HANDLERS and event not in IGNORED:
                unclassified.append(f"{event.__module__}.{event.__qualname__}")
    assert not unclassified, (
        "add these events to readside.handlers.HANDLERS (with the SQL they become) "
        f"or to IGNORED: {sorted(unclassified)}"
    )
    assert not set(HANDLERS) & IGNORED


def test_every_session_event_has_a_board_change() -> None:
    """The projector announces every session event the board shows; the live board
    follows the same list of topics on the embedded default."""
    missing = {e for e in recorded_events(Session) if e not in SESSION_CHANGES}
    assert not missing, sorted(e.__qualname__ for e in missing)
