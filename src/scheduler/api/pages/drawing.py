"""Geometry of the day board: timeline rows and the route map, as numbers for SVG.

The map is an equirectangular projection of the day's coordinates (longitude scaled by
the cosine of the mean latitude, so a city's shape is kept); no tiles, no network.
Every route has its own colour from a palette dark enough for white text and for lines
on a light background (contrast at least 4.5:1 against white).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from scheduler.api.schemas.records import Board, Route

PALETTE = ("#1b5e9c", "#a3390f", "#5b3a8e", "#1e6b34", "#a0185a", "#6b4f12", "#00666b", "#444f5a")
MAP_WIDTH = 600.0  # small enough that stop numbers stay legible at 375 px
MAP_MARGIN = 40.0
DASHES = ("", "12 6", "3 5", "14 5 3 5")
"""Stroke patterns, so routes differ by more than their colour."""
MARKERS = ("circle", "diamond", "square", "triangle")
"""Visit marker shapes per route, for the same reason."""
DEFAULT_DAY = (8 * 60, 18 * 60)


def colour(index: int) -> str:
    """The colour of the `index`-th route."""
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class Block:
    """A stretch of a timeline row: a visit or a drive, in minutes after local midnight."""

    kind: str  # "visit" or "travel"
    start: int
    minutes: int
    label: str


@dataclass(frozen=True)
class Row:
    """One therapist's timeline: shift window and blocks."""

    route: Route
    colour: str
    shift: tuple[int, int] | None
    blocks: list[Block]


def _minute(moment: datetime) -> int:
    """Minutes after local midnight of a local wall-clock time."""
    return moment.hour * 60 + moment.minute


def timeline(board: Board) -> tuple[tuple[int, int], list[Row]]:
    """The board's time window (whole hours around every shift and visit) and its rows."""
    rows = []
    edges: list[int] = []
    for index, route in enumerate(board.routes):
        shift = None
        if route.shift_start_local and route.shift_end_local:
            start, end = route.shift_start_local, route.shift_end_local
            shift = (_minute(start), _minute(end) or 24 * 60)
            edges.extend(shift)
        blocks = []
        last_end = None
        for visit in route.visits:
            begin = _minute(visit.start_local)
            finish = _minute(visit.end_local) or 24 * 60
            if visit.travel_minutes:
                blocks.append(
                    Block(
                        "travel",
                        begin - visit.travel_minutes,
                        visit.travel_minutes,
                        f"{visit.travel_minutes} min drive, {visit.travel_km:.1f} km",
                    )
                )
            who = visit.patient_name or "patient"
            blocks.append(Block("visit", begin, finish - begin, f"{visit.start_local:%H:%M} {who}"))
            edges.extend((begin - visit.travel_minutes, finish))
            last_end = finish
        if last_end is not None and route.return_minutes:
            blocks.append(
                Block(
                    "travel",
                    last_end,
                    route.return_minutes,
                    f"{route.return_minutes} min drive back, {route.return_km:.1f} km",
                )
            )
            edges.append(last_end + route.return_minutes)
        rows.append(Row(route, colour(index), shift, blocks))
    if not edges:
        return DEFAULT_DAY, rows
    first = max(0, min(edges) // 60 * 60)
    last = min(24 * 60, -(-max(edges) // 60) * 60)
    return (first, max(last, first + 60)), rows


@dataclass(frozen=True)
class Stop:
    """A point on the map: a base or a visit."""

    x: float
    y: float
    kind: str  # "base" or "visit"
    label: str
    number: int = 0  # a visit's place in the route
    pinned: bool = False


@dataclass(frozen=True)
class Line:
    """One therapist's route on the map."""

    name: str
    colour: str
    points: str
    stops: list[Stop]
    km: float
    dash: str = ""
    marker: str = "circle"
    initials: str = ""


@dataclass(frozen=True)
class RouteMap:
    """The map's size and its routes."""

    width: float
    height: float
    lines: list[Line]


def route_map(board: Board) -> RouteMap:
    """Every route of the board (base, visits, back to base) projected onto one SVG."""
    coordinates = [(r.base.latitude, r.base.longitude) for r in board.routes]
    coordinates += [
        (v.location.latitude, v.location.longitude) for r in board.routes for v in r.visits
    ]
    if not coordinates:
        return RouteMap(MAP_WIDTH, MAP_WIDTH / 2, [])
    scale_x = math.cos(math.radians(sum(lat for lat, _ in coordinates) / len(coordinates)))
    xs = [lon * scale_x for _, lon in coordinates]
    ys = [-lat for lat, _ in coordinates]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    unit = (MAP_WIDTH - 2 * MAP_MARGIN) / span
    height = max(200.0, (max(ys) - min(ys)) * unit + 2 * MAP_MARGIN)

    def place(lat: float, lon: float) -> tuple[float, float]:
        x = MAP_MARGIN + (lon * scale_x - min(xs)) * unit
        y = MAP_MARGIN + (-lat - min(ys)) * unit
        return round(x, 1), round(y, 1)

    lines = []
    for index, route in enumerate(board.routes):
        base = place(route.base.latitude, route.base.longitude)
        stops = [Stop(*base, "base", f"{route.therapist_name}: start and end of the day")]
        for number, visit in enumerate(route.visits, 1):
            x, y = place(visit.location.latitude, visit.location.longitude)
            who = visit.patient_name or "patient"
            pinned = bool(visit.pinned)
            label = f"{number}. {visit.start_local:%H:%M} {who}{' (pinned)' if pinned else ''}"
            stops.append(Stop(x, y, "visit", label, number, pinned))
        path = [base, *((s.x, s.y) for s in stops[1:]), base]
        km = sum(v.travel_km for v in route.visits) + (route.return_km if route.visits else 0.0)
        lines.append(
            Line(
                name=route.therapist_name,
                colour=colour(index),
                points=" ".join(f"{x},{y}" for x, y in path),
                stops=stops,
                km=round(km, 1),
                dash=DASHES[index % len(DASHES)],
                marker=MARKERS[index % len(MARKERS)],
                initials="".join(part[:1] for part in route.therapist_name.split()[:2]),
            )
        )
    return RouteMap(MAP_WIDTH, round(height, 1), lines)
