"""The options' array arithmetic (`options.tally`) equals the reference walk, exactly.

`search._Search.stretches` walks one therapist-day with datetimes; `search.Ranking`
counts plain days on arrays and walks only the others. On random days (bases, visits,
time off, the patient's other sessions, a day whose clocks change, random places, visit
lengths, slot grids, parts of day and moments) both give the same stretches, and the
array travel times equal `geo.travel_minutes`, including at whole-minute boundaries.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.domain.timekeeping import wall_clock
from scheduler.geo import travel_minutes
from scheduler.options import tally
from scheduler.options.search import PARTS_OF_DAY, DayFrame, Filters, Need, Ranking, _Search

ZONE = ZoneInfo("America/Chicago")
AUTUMN = date(2026, 11, 1)  # clocks go back at 02:00
CENTRE = (41.88, -87.63)

spot = st.tuples(st.floats(-0.08, 0.08), st.floats(-0.08, 0.08)).map(
    lambda d: (round(CENTRE[0] + d[0], 5), round(CENTRE[1] + d[1], 5))
)
day_plan = st.fixed_dictionaries(
    {
        "offset": st.integers(-1, 2),  # days from the clock change
        "start": st.integers(0, 10 * 4),  # quarter hours after midnight
        "hours": st.integers(2, 12),
        "base": spot,
        "visits": st.lists(
            st.tuples(st.integers(0, 22 * 12), st.integers(3, 12), spot), max_size=5
        ),
        "off": st.none() | st.tuples(st.integers(0, 22 * 4), st.integers(1, 12)),
        "max_visits": st.integers(1, 6),
    }
)
cases = st.fixed_dictionaries(
    {
        "days": st.lists(day_plan, min_size=1, max_size=8),
        "therapists": st.integers(1, 3),
        "place": spot,
        "minutes": st.sampled_from([30, 45, 60, 75, 90]),
        "grid": st.sampled_from([5, 10, 15, 30]),
        "speed": st.sampled_from([20.0, 30.0, 35.5]),
        "now_minutes": st.integers(-24 * 60, 3 * 24 * 60),
        "busy": st.none() | st.tuples(st.integers(-1, 2), st.integers(0, 22 * 4)),
        "part": st.none() | st.sampled_from(sorted(PARTS_OF_DAY)),
        "continuity": st.booleans(),
        "ideal": st.none() | st.integers(-1, 3),
    }
)


def _frames(case: dict[str, Any], therapists: list[UUID]) -> list[DayFrame]:
    frames = []
    for n, plan in enumerate(case["days"]):
        day = AUTUMN + timedelta(days=plan["offset"])
        begin = plan["start"] * 15
        shift = (wall_clock(day, begin, ZONE), wall_clock(day, begin + plan["hours"] * 60, ZONE))
        visits, taken = [], shift[0]
        for after, length, place in sorted(plan["visits"]):
            start = max(taken, shift[0] + timedelta(minutes=after * 5))
            end = start + timedelta(minutes=length * 5)
            if end > shift[1]:
                break
            visits.append((start, end, place))
            taken = end + timedelta(minutes=5)
        off = ()
        if plan["off"] is not None:
            start = wall_clock(day, plan["off"][0] * 15, ZONE)
            off = ((start, start + timedelta(hours=plan["off"][1] / 4)),)
        frames.append(
            DayFrame(
                therapist_id=therapists[n % len(therapists)],
                name=f"T{n % len(therapists)}",
                day=day,
                shift=shift,
                base=plan["base"],
                max_visits=plan["max_visits"],
                visits=tuple(visits),
                unavailable=off,
            )
        )
    return frames


def _need(case: dict[str, Any], therapists: list[UUID]) -> Need:
    now = wall_clock(AUTUMN, 0, ZONE) + timedelta(minutes=case["now_minutes"], seconds=17)
    busy: tuple[tuple[datetime, datetime], ...] = ()
    if case["busy"] is not None:
        start = wall_clock(AUTUMN + timedelta(days=case["busy"][0]), case["busy"][1] * 15, ZONE)
        busy = ((start, start + timedelta(hours=1)),)
    return Need(
        place=case["place"],
        minutes=case["minutes"],
        speed_kmh=case["speed"],
        grid=case["grid"],
        zone=ZONE,
        now=now,
        busy=busy,
        continuity=therapists[0] if case["continuity"] else None,
        ideal=None if case["ideal"] is None else AUTUMN + timedelta(days=case["ideal"]),
    )


@settings(max_examples=300, deadline=None)
@given(cases)
def test_the_arrays_find_the_stretches_the_reference_walk_finds(case: dict[str, Any]) -> None:
    therapists = [uuid4() for _ in range(case["therapists"])]
    frames = _frames(case, therapists)
    need = _need(case, therapists)
    filters = Filters(part_of_day=case["part"])
    reference = _Search(need)
    expected = sorted(
        (s.index, s.group, s.first, s.last, s.count, s.stops)
        for index, frame in enumerate(frames)
        for s in reference.stretches(index, frame, filters)
    )
    ranking = Ranking(frames, need, filters)
    plain = ranking.plain
    found = [
        (s.index, s.group, s.first, s.last, s.count, s.stops)
        for key in set(ranking.plain_key.tolist())
        for s in ranking._plain_stretches(np.arange(len(plain.gap)), key)
    ]
    found += [(s.index, s.group, s.first, s.last, s.count, s.stops) for s in ranking.extra]
    assert sorted(found) == expected
    assert ranking.total == sum(row[4] for row in expected)
    counts: dict[date, int] = {}
    for index, *_, count, _ in expected:
        counts[frames[index].day] = counts.get(frames[index].day, 0) + count
    assert ranking.day_counts() == dict(sorted(counts.items()))
    # The ranked list is the reference's hits sorted by the ranking's key.
    everything = ranking.page(lambda _: True, 0, ranking.total + 1)[1]
    assert len(everything) == ranking.total
    assert [f.key() for f in everything] == sorted(f.key() for f in everything)


@settings(max_examples=200, deadline=None)
@given(st.lists(spot, min_size=1, max_size=30), spot, st.sampled_from([20.0, 30.0, 35.5, 60.0]))
def test_array_travel_equals_travel_minutes(
    points: list[tuple[float, float]], place: tuple[float, float], speed: float
) -> None:
    rows = np.array([*points, place], dtype=np.float64)
    going = tally.travel(rows, place, speed, forward=True).tolist()
    coming = tally.travel(rows, place, speed, forward=False).tolist()
    assert going == [travel_minutes(p, place, speed) for p in [*points, place]]
    assert coming == [travel_minutes(place, p, speed) for p in [*points, place]]


def test_travel_at_a_whole_minute_is_the_reference_s() -> None:
    """Places exactly a whole number of minutes apart (within float error): the arrays
    hand those to `travel_minutes`, whose rounding decides."""
    speed = 30.0
    start = CENTRE
    # 1 km north is 2 minutes at 30 km/h: find latitudes whose distance is a hair
    # either side of whole minutes.
    ends = [(start[0] + k / 111.19492664455873, start[1]) for k in (0.5, 1.0, 2.5, 5.0)]
    rows = np.array(ends, dtype=np.float64)
    got = tally.travel(rows, start, speed, forward=False).tolist()
    assert got == [travel_minutes(start, end, speed) for end in ends]
    assert all(math.isfinite(m) for m in got)


def test_micros_is_exact() -> None:
    instant = datetime(2026, 11, 1, 7, 30, 15, 123456, tzinfo=UTC)
    whole = int(instant.replace(microsecond=0).timestamp())
    assert tally.micros(instant) == whole * 1_000_000 + 123456
