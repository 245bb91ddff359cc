"""A VRPTW instance (one depot, identical vehicles) read from a VRPLIB `.vrp` file.

Everything the router computes with is an integer in tenths: the DIMACS convention
truncates every arc to one decimal, so scaling by 10 makes distances and times exact
and the solver's objective equals the reported distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

SCALE = 10
"""Tenths per unit of distance and time."""


class InstanceError(ValueError):
    """Raised when a `.vrp` file is malformed or describes something the router does not
    support (several depots, a depot other than node 1, missing sections)."""


@dataclass(frozen=True)
class VrptwInstance:
    """Clients 1..n and the depot 0, in the order of the file's NODE_COORD_SECTION.

    Times (`ready`, `due`, `service`) and `arc` lengths are integers in tenths.
    """

    name: str
    vehicles: int
    capacity: int
    x: tuple[float, ...]
    y: tuple[float, ...]
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]
    arc: tuple[tuple[int, ...], ...] = field(repr=False)

    @property
    def clients(self) -> range:
        """Indices of the clients (the depot is 0)."""
        return range(1, len(self.x))


def arc_tenths(ax: float, ay: float, bx: float, by: float) -> int:
    """Euclidean distance truncated to one decimal, in tenths (`floor(10·d)`).

    The tiny epsilon keeps a distance that is exact in decimal (3.0, 12.5) from being
    truncated one tenth down by binary rounding.
    """
    return math.floor(SCALE * math.hypot(ax - bx, ay - by) + 1e-9)


def read_vrplib(path: str | Path) -> VrptwInstance:
    """Read a VRPLIB file; the instance is named after its NAME field or the file stem.

    Raises `InstanceError` when the file is unreadable or malformed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InstanceError(f"cannot read {path}: {error}") from error
    return parse_vrplib(text, default_name=path.stem)


def parse_vrplib(text: str, *, default_name: str = "instance") -> VrptwInstance:
    """Parse the text of a VRPLIB CVRPTW file.

    Raises `InstanceError` naming the first problem found.
    """
    header, sections = _split(text)
    dimension = _int_field(header, "DIMENSION")
    if dimension < 2:
        raise InstanceError(f"DIMENSION must be at least 2 (a depot and a client), got {dimension}")
    capacity = _int_field(header, "CAPACITY")
    vehicles = _int_field(header, "VEHICLES") if "VEHICLES" in header else dimension - 1
    coords = _rows(sections, "NODE_COORD_SECTION", dimension, 2)
    demand = [round(row[0]) for row in _rows(sections, "DEMAND_SECTION", dimension, 1)]
    windows = _rows(sections, "TIME_WINDOW_SECTION", dimension, 2)
    if "SERVICE_TIME_SECTION" in sections:
        service = [row[0] for row in _rows(sections, "SERVICE_TIME_SECTION", dimension, 1)]
    else:
        service = [0.0] + [_float(_need(header, "SERVICE_TIME"), "SERVICE_TIME")] * (dimension - 1)
    weights = header.get("EDGE_WEIGHT_TYPE", "EUC_2D")
    if weights != "EUC_2D":
        raise InstanceError(f"EDGE_WEIGHT_TYPE {weights} is not supported; the router needs EUC_2D")
    depots = [int(v) for v in sections.get("DEPOT_SECTION", ["1", "-1"]) if v.strip() != "-1"]
    if depots != [1]:
        raise InstanceError(
            f"the router needs exactly one depot, node 1; DEPOT_SECTION has {depots}"
        )
    for node, (ready, due) in enumerate(windows, start=1):
        if ready > due:
            raise InstanceError(
                f"node {node}: time window opens at {ready} after it closes at {due}"
            )
    if any(d < 0 for d in demand) or capacity <= 0 or vehicles <= 0:
        raise InstanceError("demands must be non-negative, CAPACITY and VEHICLES positive")
    xs = tuple(c[0] for c in coords)
    ys = tuple(c[1] for c in coords)
    return VrptwInstance(
        name=header.get("NAME", default_name),
        vehicles=vehicles,
        capacity=capacity,
        x=xs,
        y=ys,
        demand=tuple(demand),
        ready=tuple(_tenths(w[0]) for w in windows),
        due=tuple(_tenths(w[1]) for w in windows),
        service=(0, *(_tenths(s) for s in service[1:])),
        arc=tuple(
            tuple(arc_tenths(xs[i], ys[i], xs[j], ys[j]) for j in range(dimension))
            for i in range(dimension)
        ),
    )


def _split(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Header fields (`KEY : value`) and the raw lines of each `*_SECTION`."""
    header: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        word = line.split()[0]
        if word.endswith("_SECTION"):
            current = sections.setdefault(word, [])
        elif ":" in line and not word[0].isdigit() and word[0] != "-":
            key, _, value = line.partition(":")
            header[key.strip().upper()] = value.strip()
            current = None
        elif current is not None:
            current.append(line)
        else:
            raise InstanceError(f"unexpected line outside any section: {line!r}")
    return header, sections


def _rows(
    sections: dict[str, list[str]], name: str, dimension: int, width: int
) -> list[list[float]]:
    """The `width` values after the node id on each of the section's lines, nodes 1..n in order."""
    if name not in sections:
        raise InstanceError(f"missing {name}")
    lines = sections[name]
    if len(lines) != dimension:
        raise InstanceError(f"{name} has {len(lines)} lines, DIMENSION says {dimension}")
    rows = []
    for expected, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != width + 1 or _float(parts[0], name) != expected:
            raise InstanceError(
                f"{name}: expected node {expected} and {width} values, got {line!r}"
            )
        rows.append([_float(p, name) for p in parts[1:]])
    return rows


def _need(header: dict[str, str], key: str) -> str:
    if key not in header:
        raise InstanceError(f"missing header field {key}")
    return header[key]


def _int_field(header: dict[str, str], key: str) -> int:
    value = _float(_need(header, key), key)
    if value != int(value):
        raise InstanceError(f"{key} must be a whole number, got {value}")
    return int(value)


def _float(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InstanceError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InstanceError(f"{where}: {text!r} is not a finite number")
    return value


def _tenths(value: float) -> int:
    return round(value * SCALE)
