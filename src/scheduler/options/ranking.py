"""The options a patient (or the front desk) sees: every bookable start, ranked, paged,
each with reasons in the patient's words.

`sources.ask` reads the plan's side, the therapists' days come from the read model or the
domain, `search.Ranking` finds, counts and ranks every start; `present` pages them and explains
them. The JSON API and the pages show the same `SessionOptions`.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from scheduler.options.search import DayFrame, Filters, Found, Indexed, Ranking, part_of_day
from scheduler.options.sources import Ask

PAGE_SIZE = 20
"""Options per page unless asked otherwise."""


class SessionOption(msgspec.Struct):
    """One bookable (therapist, start) for the session, and why it ranks here."""

    rank: int
    therapist_id: UUID
    therapist_name: str
    day: date
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    part_of_day: str
    reasons: list[str]
    reason: str
    added_km: float | None = None  # for the front desk: what it adds to the route


class DayCount(msgspec.Struct):
    """A day with options, and how many (within every filter but the dates)."""

    day: date
    count: int


class TherapistChoice(msgspec.Struct):
    """A therapist who may take the session (for the therapist filter)."""

    id: UUID
    name: str


class SessionOptions(msgspec.Struct):
    """Every bookable start for the session within the filters, best first, one page."""

    plan_id: UUID
    timezone: str
    searched_from: date | None
    searched_to: date | None
    window: str  # the cadence window, explained
    total: int
    page: int
    size: int
    pages: int
    options: list[SessionOption]
    days: list[DayCount]
    therapists: list[TherapistChoice]
    session_id: UUID | None = None  # the session being moved, if any
    note: str = ""


def _ago(days: int) -> str:
    return "the same day as" if days == 0 else f"{days} day{'s' * (days != 1)} after"


def _cadence(ask: Ask) -> str:
    low, high = ask.plan.min_days, ask.plan.max_days
    return f"every {low} days" if low == high else f"{low}-{high} days apart"


def explain_window(ask: Ask) -> str:
    """The days the session may take, and why, in a sentence."""
    if not ask.days:
        return ask.note or "no day in the coming weeks keeps your plan's cadence"
    first, last = ask.days[0], ask.days[-1]
    span = f"{first:%a %-d %b}" if first == last else f"{first:%a %-d %b} to {last:%a %-d %b}"
    rule = f"your plan's sessions are {_cadence(ask)}"
    if not ask.taken:
        return f"Any day from {span}: this is the first session of your plan."
    if ask.moving is not None:
        return f"This session can move to a day from {span}: {rule}, counted from the others."
    booked = ", ".join(f"{d:%a %-d %b}" for d in ask.taken[-2:])
    are = "sessions are" if len(ask.taken) > 1 else "session is"
    return f"Your {are} on {booked} and {rule}, so this one can be from {span}."


def _spacing(day: date, ask: Ask) -> list[str]:
    """How the day keeps the plan's cadence with its neighbouring sessions."""
    before = [d for d in ask.taken if d <= day]
    after = [d for d in ask.taken if d > day]
    if before:
        gap = (day - before[-1]).days
        if gap > ask.plan.max_days and any(before[-1] < p <= day for p in ask.postponed):
            return [
                f"{_ago(gap)} your last session: the session postponed by a sick call "
                "lets the gap stretch"
            ]
        if gap > ask.plan.max_days:
            return ["as soon as you can: the prescribed gap has passed"]
        return [f"{_ago(gap)} your last session, as prescribed ({_cadence(ask)})"]
    if after:
        gap = (after[0] - day).days
        return [f"{gap} day{'s' * (gap != 1)} before your session on {after[0]:%a %-d %b}"]
    return ["the first session of your plan"]


def reasons(found: Found, ask: Ask, *, staff: bool) -> list[str]:
    """Why an option ranks where it does, in the patient's words."""
    said = []
    if found.continuity:
        said.append(f"your therapist {found.therapist_name}")
    said += _spacing(found.day, ask)
    if ask.moving is not None and ask.need.ideal is not None:
        shift = (found.day - ask.need.ideal).days
        if shift == 0:
            said.append("the same day as now booked")
        else:
            later = "later" if shift > 0 else "earlier"
            said.append(f"{abs(shift)} day{'s' * (abs(shift) != 1)} {later} than now booked")
    if found.fits_week:
        said.append(f"fits your {found.day:%A} {part_of_day(found.minute)}s")
    if staff and found.added_km >= 0.05:
        said.append(f"adds {found.added_km:.1f} km to {found.therapist_name}'s route")
    return said


def present(
    ask: Ask,
    frames: list[DayFrame] | Indexed,
    filters: Filters,
    *,
    page: int = 1,
    size: int = PAGE_SIZE,
    staff: bool = False,
) -> SessionOptions:
    """Search, then one page of the ranked starts with their reasons, and the day list."""
    within = Filters(filters.therapist, filters.part_of_day)
    if isinstance(frames, Indexed):
        ranking = Ranking(
            frames.frames,
            ask.need,
            within,
            index=frames.index,
            keep=frames.keep,
            changed=frames.changed,
        )
    else:
        ranking = Ranking(frames, ask.need, within)
    counts = ranking.day_counts()
    size = max(1, size)
    total = sum(n for day, n in counts.items() if filters.keeps_day(day))
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    _, chosen = ranking.page(filters.keeps_day, (page - 1) * size, size)
    zone = ask.need.zone
    shown = []
    for rank, found in enumerate(chosen, (page - 1) * size + 1):
        said = reasons(found, ask, staff=staff)
        shown.append(
            SessionOption(
                rank=rank,
                therapist_id=found.therapist_id,
                therapist_name=found.therapist_name,
                day=found.day,
                start=found.start,
                end=found.end,
                start_local=found.start.astimezone(zone),
                end_local=found.end.astimezone(zone),
                part_of_day=part_of_day(found.minute),
                reasons=said,
                reason=", ".join(said) or "a free time",
                added_km=round(found.added_km, 1) if staff else None,
            )
        )
    note = ask.note
    if not note and not total:
        note = (
            "no free time fits these choices: try other days, times or therapists, or the waitlist"
        )
    return SessionOptions(
        plan_id=ask.plan.id,
        timezone=zone.key,
        searched_from=ask.days[0] if ask.days else None,
        searched_to=ask.days[-1] if ask.days else None,
        window=explain_window(ask),
        total=total,
        page=page,
        size=size,
        pages=pages,
        options=shown,
        days=[DayCount(day, n) for day, n in sorted(counts.items())],
        therapists=[TherapistChoice(t.id, t.name) for t in ask.therapists],
        session_id=ask.moving,
        note=note,
    )
