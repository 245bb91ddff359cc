"""The `Scheduling` application: the one entry point to the clinic's event-sourced records.

It is assembled from parts, one per area, each a plain subclass of `Store` (the loading,
saving and retrying they share) or of `Visits` (a visit's frame and the days it takes):
only the waitlist builds further, because taking up an offer books through the booking
command and the offer policy dry-runs it.

    commands/  clinics, staff (therapists), patients (and the intake), clinical
               (evaluations, prescriptions), plans, evaluations (evaluation visits),
               booking (sessions), offers + waitlist, sick calls, pins, proposals, feeds
    queries/   reads (views of records), calendar (days, weeks, history), feeds,
               waitlist
"""

from __future__ import annotations

from scheduler.domain.commands.clinical import Clinical
from scheduler.domain.commands.clinics import Clinics
from scheduler.domain.commands.evaluations import EvaluationVisits
from scheduler.domain.commands.feeds import Feeds
from scheduler.domain.commands.notifications import Notifications
from scheduler.domain.commands.patients import Patients
from scheduler.domain.commands.pins import Pins
from scheduler.domain.commands.plans import Plans
from scheduler.domain.commands.proposals import Proposals
from scheduler.domain.commands.sick_calls import SickCalls
from scheduler.domain.commands.staff import Staff
from scheduler.domain.queries.calendar import Calendar
from scheduler.domain.queries.feeds import FeedReads
from scheduler.domain.queries.reads import Reads
from scheduler.domain.queries.waitlist import WaitlistReads


class Scheduling(
    Clinics,
    Staff,
    Patients,
    Clinical,
    Plans,
    EvaluationVisits,
    SickCalls,  # with Waitlists, Offers and Booking
    Pins,
    Proposals,
    Feeds,
    Notifications,
    Reads,
    Calendar,
    FeedReads,
    WaitlistReads,
):
    """Clinics, therapists, patients, plans and sessions, recorded as events.

    Construct with the environment from `scheduler.store.environment()` (or a dict of
    eventsourcing settings); see `scheduler.domain` for the full public surface.
    """

    # The library derives table names and env prefixes from `name`; a subclass (e.g. in
    # tests) must keep it, or it would read and write other tables.
    name = "Scheduling"
