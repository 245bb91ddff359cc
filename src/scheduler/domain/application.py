"""The `Scheduling` application: the one entry point to the clinic's event-sourced records."""

from __future__ import annotations

from scheduler.domain.booking import Booking
from scheduler.domain.feeds import Feeds
from scheduler.domain.pins import Pins
from scheduler.domain.plans import Plans
from scheduler.domain.proposals import Proposals
from scheduler.domain.reads import Reads
from scheduler.domain.records import Records
from scheduler.domain.waitlist import Waitlists


class Scheduling(Waitlists, Feeds, Records, Plans, Booking, Pins, Proposals, Reads):
    """Clinics, therapists, patients, plans and sessions, recorded as events.

    Construct with the environment from `scheduler.store.environment()` (or a dict of
    eventsourcing settings); see `scheduler.domain` for the full public surface.
    """

    # The library derives table names and env prefixes from `name`; a subclass (e.g. in
    # tests) must keep it, or it would read and write other tables.
    name = "Scheduling"
