"""What every command of the `Scheduling` application shares: loading, saving, retrying.

Loading: every aggregate comes from the library's repository cache, which *fast-forwards*
a cached copy with the events stored since (one indexed read) and hands out a deep copy,
so a command never decides on a copy older than the store, and a command that raises
leaves nothing half-changed behind. (A process-local "last saved copy" used to stand in
for reads: another process's booking made it stale, and a cancel then failed with 500.)

Saving: `_save_retrying` saves all a command changed in one transaction with optimistic
concurrency, and runs the command again on fresh state when another writer won; with a
request key in context (`REQUEST_KEY`), it also saves a `Receipt` in that transaction, so
a retried request answers what the first run saved instead of running twice.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, RecordConflictError, Recording, Transcoding

from scheduler.domain.errors import BookingConflict, NotFound, SchedulingError, UnknownClinic
from scheduler.domain.ids import directory_id
from scheduler.domain.model.clinic import Clinic, ClinicDirectory
from scheduler.domain.model.days import PatientDay, TherapistDay
from scheduler.domain.model.proposal import TRANSCODINGS
from scheduler.domain.model.receipt import Receipt, receipt_id
from scheduler.domain.timekeeping import clinic_zone

A = TypeVar("A", bound=Aggregate)

CACHED_AGGREGATES = 20_000
"""Aggregates a process keeps in memory (each is fast-forwarded before use)."""

SAVE_ATTEMPTS = 8
"""Tries of a command whose days another writer keeps changing, before BookingConflict."""

REQUEST_KEY: ContextVar[str | None] = ContextVar("request_key", default=None)
"""The caller's key for the request being served (None: no receipts are kept)."""


_WATCHED = threading.local()
"""The reads a thread is watching (`Store.watching_reads`)."""


def _saw(record_id: UUID, version: int, aggregate: Any = None) -> None:
    seen: dict[UUID, int] | None = getattr(_WATCHED, "seen", None)
    if seen is not None:
        seen[record_id] = version
        if aggregate is not None:
            _WATCHED.loaded[record_id] = aggregate


def _recalled(record_id: UUID) -> Any:
    """The copy this thread loaded already while its reads are watched, if any."""
    loaded: dict[UUID, Any] | None = getattr(_WATCHED, "loaded", None)
    return None if loaded is None else loaded.get(record_id)


class DateAsISO(Transcoding):
    """Stores calendar dates (a session's local day, a prescription's expiry) as ISO text."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """'2026-11-01'."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Back to a `date`."""
        return date.fromisoformat(data)


def as_uuid(value: UUID | str, error: type[NotFound], what: str) -> UUID:
    """`value` as a UUID; the given NotFound error if it cannot name any record."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise error(f"{what} {value!r} is not a valid id (expected a UUID)") from None


@contextmanager
def request_key(key: str | None) -> Iterator[None]:
    """Run the commands inside under `key` (see the module docstring)."""
    token = REQUEST_KEY.set(key)
    try:
        yield
    finally:
        REQUEST_KEY.reset(token)


class Store(Application[UUID]):
    """Event store plumbing shared by every part of `Scheduling`."""

    name = "Scheduling"
    env = {"AGGREGATE_CACHE_MAXSIZE": str(CACHED_AGGREGATES)}  # noqa: RUF012 - the library's

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        # Per thread: each store thread runs one command at a time.
        self._last_saved = threading.local()

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Save as the library does, remembering this thread's last notification id."""
        recordings = super().save(*objs, **kwargs)
        if recordings:
            self._last_saved.position = max(r.notification.id for r in recordings)
        return recordings

    def forget_position(self) -> None:
        """Start counting this thread's writes afresh (before serving a request)."""
        self._last_saved.position = None

    def last_saved_position(self) -> int | None:
        """The notification id of the last event this thread saved since `forget_position`
        (None: none).

        Read-your-writes: a caller that ran a command in this thread hands the id to
        readers of projections, which wait until they have processed it. Unlike the
        store's maximum id, it is never another writer's event.
        """
        position: int | None = getattr(self._last_saved, "position", None)
        return position

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Add dates and the proposals' items to the library's transcodings."""
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        for transcoding in TRANSCODINGS:
            transcoder.register(transcoding)

    def _load(self, kind: type[A], record_id: UUID | str, error: type[NotFound]) -> A:
        """The current `kind` aggregate with this id, or `error` naming it."""
        what = kind.__name__.lower()
        key = as_uuid(record_id, error, what)
        try:
            found: Any = _recalled(key) or self.repository.get(key)
        except AggregateNotFoundError:
            _saw(key, 0)
            raise error(f"no {what} with id {key}: check the id or create it first") from None
        _saw(key, found.version, found)
        if not isinstance(found, kind):
            raise error(f"{key} is a {type(found).__name__}, not a {what}")
        return found

    def _load_or_none(self, record_id: UUID) -> Any:
        """The aggregate with this id, or None if it was never saved."""
        try:
            found: Any = _recalled(record_id) or self.repository.get(record_id)
        except AggregateNotFoundError:
            _saw(record_id, 0)
            return None
        _saw(record_id, found.version, found)
        return found

    @staticmethod
    @contextmanager
    def watching_reads() -> Iterator[dict[UUID, int]]:
        """Every aggregate this thread loads meanwhile, at the version it was read (0: it
        did not exist): what a cache of the reads' answer is valid for (while no
        aggregate of it has a newer version, the same reads give the same answer).

        For queries only: meanwhile an aggregate loaded twice is read once (the second
        load gets the first one's copy), so nothing may change what it loads."""
        if getattr(_WATCHED, "seen", None) is not None:
            raise RuntimeError("reads are watched already in this thread")
        seen: dict[UUID, int] = {}
        _WATCHED.seen, _WATCHED.loaded = seen, {}
        try:
            yield seen
        finally:
            _WATCHED.seen = _WATCHED.loaded = None

    def _therapist_day(self, therapist_id: UUID, day: date, at: datetime) -> TherapistDay:
        """The therapist's day, opened (not yet saved) if nothing was booked on it."""
        found = self._load_or_none(TherapistDay.create_id(therapist_id, day))
        if found is None:
            return TherapistDay(therapist_id=therapist_id, day=day, at=at)
        assert isinstance(found, TherapistDay)
        return found

    def _patient_day(self, patient_id: UUID, day: date, at: datetime) -> PatientDay:
        """The patient's day, opened (not yet saved) if nothing was booked on it."""
        found = self._load_or_none(PatientDay.create_id(patient_id, day))
        if found is None:
            return PatientDay(patient_id=patient_id, day=day, at=at)
        assert isinstance(found, PatientDay)
        return found

    def _clinic(self, clinic_id: UUID | str) -> Clinic:
        return self._load(Clinic, clinic_id, UnknownClinic)

    def _directory(self, clinic_id: UUID) -> ClinicDirectory:
        """The clinic's directory (UnknownClinic if there is no such clinic)."""
        clinic = self._clinic(clinic_id)
        return self._load(ClinicDirectory, directory_id(clinic.id), UnknownClinic)

    def _zone_of(self, clinic_id: UUID) -> Any:
        return clinic_zone(self._clinic(clinic_id).timezone)

    def _save_retrying(
        self, command: Callable[[], Sequence[Aggregate]], *, identity: tuple[object, ...]
    ) -> Sequence[Aggregate]:
        """Run `command` (load, check rules, trigger events) and save what it returns.

        Everything returned is saved in one transaction. When another writer changed one
        of those aggregates first, the store refuses the whole batch; the command then
        runs again on fresh state, so a rule broken by the winner (the slot is now
        taken) is reported as that rule. After SAVE_ATTEMPTS refusals: BookingConflict.
        `command` must create any new aggregate itself: a refused save has consumed the
        pending events of everything it was given.

        `identity` names the command and its identifying arguments; under a request key
        it names the command's receipt, and a command already receipted is not run again:
        the aggregates it saved are returned as they were saved.
        """
        key = REQUEST_KEY.get()
        receipt = receipt_id(key, identity) if key is not None else None
        for attempt in range(SAVE_ATTEMPTS):
            done = self._receipted(receipt)
            if done is not None:
                return done
            try:
                aggregates = list(command())
            except SchedulingError:
                # The same request may have been saved by another process between the
                # check above and the command's loads: its own booking now fills the slot.
                # Its receipt, saved with those events, is the answer, never the refusal.
                done = self._receipted(receipt)
                if done is not None:
                    return done
                raise
            batch: list[Aggregate] = list(aggregates)
            if receipt is not None:
                saved = [[str(a.id), a.version] for a in aggregates]
                batch.append(
                    Receipt(
                        receipt_id=receipt,
                        command=str(identity[0]),
                        saved=saved,  # type: ignore[arg-type]
                        at=_now_of(aggregates),
                    )
                )
            if not batch:
                return aggregates
            try:
                self.save(*batch)
            except RecordConflictError:
                # Jittered backoff so the writers that lost do not collide again in step.
                time.sleep(random.uniform(0, 0.002 * (2**attempt)))
                continue
            return aggregates
        raise BookingConflict(
            f"other bookings kept changing the same day ({SAVE_ATTEMPTS} tries): "
            "nothing was saved; try again"
        )

    def _receipted(self, receipt: UUID | None) -> list[Aggregate] | None:
        """What the command saved under `receipt`, as it was saved; None if not (yet)."""
        if receipt is None:
            return None
        done = self._load_or_none(receipt)
        if not isinstance(done, Receipt):
            return None
        return [self.repository.get(i, version=v) for i, v in done.saved]


def _now_of(aggregates: Sequence[Aggregate]) -> datetime:
    """The command's clock, read from the last event it triggered (receipts carry no
    clock of their own: event bodies must not read one)."""
    for aggregate in reversed(aggregates):
        for pending in reversed(aggregate.pending_events):
            at = getattr(pending, "at", None)
            if isinstance(at, datetime):
                return at
    return datetime(1970, 1, 1, tzinfo=UTC)
