"""The VRPTW router: instance reading, the route validator, the search, the bench CLI.

Every solution is believed only after `check_routes` walked it; the tiny instance's
optimum comes from brute force here, not from the solver.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.cli import main
from scheduler.matching.routing.insertion import Route
from scheduler.matching.routing.instance import arc_tenths, parse_vrplib
from scheduler.matching.routing.sisr import Sisr
from scheduler.matching.vrptw import (
    InstanceError,
    VrptwInstance,
    check_routes,
    read_vrplib,
    solve_vrptw,
)

DATA = Path(__file__).parent / "data" / "vrptw"


@pytest.fixture(scope="module")
def tiny() -> VrptwInstance:
    return read_vrplib(DATA / "tiny.vrp")


@pytest.fixture(scope="module")
def solomon(shared_dir: Path) -> Path:
    return shared_dir / "bench" / "solomon"


def vrplib(
    clients: list[tuple[float, float, int, int, int]],
    *,
    capacity: int = 10,
    vehicles: int = 5,
    depot_due: int = 1000,
    service: int = 0,
) -> str:
    """VRPLIB text: depot at (0, 0), clients as (x, y, demand, ready, due)."""
    nodes = [(0.0, 0.0, 0, 0, depot_due), *clients]
    lines = [
        "NAME : GEN",
        "TYPE : CVRPTW",
        f"DIMENSION : {len(nodes)}",
        f"VEHICLES : {vehicles}",
        f"CAPACITY : {capacity}",
        f"SERVICE_TIME : {service}",
        "NODE_COORD_SECTION",
        *(f"{i} {x} {y}" for i, (x, y, *_) in enumerate(nodes, 1)),
        "DEMAND_SECTION",
        *(f"{i} {n[2]}" for i, n in enumerate(nodes, 1)),
        "TIME_WINDOW_SECTION",
        *(f"{i} {n[3]} {n[4]}" for i, n in enumerate(nodes, 1)),
        "DEPOT_SECTION",
        "1",
        "-1",
        "EOF",
    ]
    return "\n".join(lines)


def brute_force_optimum(instance: VrptwInstance) -> int:
    """Shortest feasible plan in tenths: every order of the clients, split optimally
    into consecutive routes (any plan is the split of some order)."""
    clients = list(instance.clients)
    best = None
    for order in itertools.permutations(clients):
        shortest = [0] + [None] * len(order)  # shortest[k]: first k clients routed
        for end in range(1, len(order) + 1):
            for begin in range(end):
                if shortest[begin] is None:
                    continue
                check = check_routes(instance, [list(order[begin:end])])
                if check.problems or check.unserved != tuple(
                    c for c in clients if c not in order[begin:end]
                ):
                    continue
                total = shortest[begin] + check.distance_tenths
                if shortest[end] is None or total < shortest[end]:
                    shortest[end] = total
        if shortest[-1] is not None and (best is None or shortest[-1] < best):
            best = shortest[-1]
    assert best is not None
    return best


# --- reading instances --------------------------------------------------------------


def test_reads_a_solomon_instance_in_tenths(solomon: Path) -> None:
    instance = read_vrplib(solomon / "R101.vrp")
    assert instance.name == "R101"
    assert (instance.vehicles, instance.capacity, len(instance.x)) == (25, 200, 101)
    assert instance.ready[2] == 500
    assert instance.due[2] == 600
    assert instance.service[0] == 0
    assert instance.service[1] == 100
    # depot (35,35) to client 1 (41,49): sqrt(232) = 15.23..., truncated to 15.2
    assert instance.arc[0][1] == 152 == instance.arc[1][0]


def test_arc_length_is_truncated_not_rounded() -> None:
    assert arc_tenths(0, 0, 3, 4) == 50
    assert arc_tenths(0, 0, 1, 1) == 14  # 1.414...
    assert arc_tenths(0, 0, 2, 3) == 36  # 3.6055...


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NAME : X\nCAPACITY : 5\n", "DIMENSION"),
        (vrplib([(1, 1, 1, 0, 9)]).replace("2 1 1\n", ""), "NODE_COORD_SECTION has 1 lines"),
        (vrplib([(1, 1, 1, 0, 9)]).replace("2 0 9", "2 0 nine"), "not a number"),
        (vrplib([(1, 1, 1, 9, 3)]), "opens at 9.0 after it closes at 3.0"),
        (vrplib([(1, 1, 1, 0, 9)]).replace("DEPOT_SECTION\n1", "DEPOT_SECTION\n1\n2"), "one depot"),
        ("hello world\n" + vrplib([(1, 1, 1, 0, 9)]), "unexpected line"),
        (vrplib([(1, 1, 1, 0, 9)]).replace("CAPACITY : 10", "CAPACITY : 0"), "CAPACITY"),
        ("EDGE_WEIGHT_TYPE : EXPLICIT\n" + vrplib([(1, 1, 1, 0, 9)]), "EXPLICIT is not supported"),
    ],
)
def test_malformed_files_raise_a_named_error(text: str, message: str) -> None:
    with pytest.raises(InstanceError, match=message):
        parse_vrplib(text)


def test_unreadable_file_raises_instance_error(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match="cannot read"):
        read_vrplib(tmp_path / "missing.vrp")


# --- the validator ------------------------------------------------------------------


def test_check_accepts_a_feasible_plan_and_sums_its_length(tiny: VrptwInstance) -> None:
    check = check_routes(tiny, [[1, 2, 3], [4], [5], [6]])
    assert check.feasible, check.problems
    expected = sum(
        tiny.arc[a][b]
        for a, b in [(0, 1), (1, 2), (2, 3), (3, 0), (0, 4), (4, 0), (0, 5), (5, 0), (0, 6), (6, 0)]
    )
    assert check.distance_tenths == expected


@pytest.mark.parametrize(
    ("routes", "problem"),
    [
        ([[1, 2, 3], [6, 4], [5]], "arrives at client 4 at 173.3"),  # 4 closes at 150
        ([[1, 2, 3, 5], [4], [6]], "exceeds capacity"),  # load 3+3+3+4 = 13 > 10
        ([[1, 2, 3], [3, 4], [5], [6]], "served 2 times"),
        ([[1, 2, 3], [4], [5], [6, 9]], "does not exist"),
    ],
)
def test_check_names_every_broken_rule(
    tiny: VrptwInstance, routes: list[list[int]], problem: str
) -> None:
    check = check_routes(tiny, routes)
    assert not check.feasible
    assert any(problem in p for p in check.problems), check.problems


def test_check_lists_unserved_clients_and_too_many_routes(tiny: VrptwInstance) -> None:
    assert check_routes(tiny, [[1], [2], [3]]).unserved == (4, 5, 6)
    few_vehicles = parse_vrplib(vrplib([(1, 0, 1, 0, 99), (0, 1, 1, 0, 99)], vehicles=1))
    assert any("only 1 vehicles" in p for p in check_routes(few_vehicles, [[1], [2]]).problems)


def test_check_requires_return_to_depot_in_time() -> None:
    instance = parse_vrplib(vrplib([(30, 40, 1, 0, 60)], depot_due=90))  # 50 out, 50 back
    check = check_routes(instance, [[1]])
    assert any("back at the depot at 100.0" in p for p in check.problems)


# --- solving ------------------------------------------------------------------------


def test_tiny_instance_is_solved_optimally(tiny: VrptwInstance) -> None:
    solution = solve_vrptw(tiny, time_limit_s=1.0, workers=1)
    assert solution.feasible
    assert solution.status == "feasible"
    assert round(solution.distance * 10) == brute_force_optimum(tiny)
    assert check_routes(tiny, solution.routes).feasible


def test_unreachable_client_is_reported_not_fatal() -> None:
    # Client 3 is 50 away but its window closes at 20: nobody can ever reach it.
    instance = parse_vrplib(vrplib([(5, 0, 1, 0, 100), (0, 5, 1, 0, 100), (30, 40, 1, 0, 20)]))
    solution = solve_vrptw(instance, time_limit_s=1.0, workers=1)
    assert not solution.feasible
    assert solution.status == "incomplete"
    assert solution.unserved == (3,)
    assert sorted(c for r in solution.routes for c in r) == [1, 2]
    assert not check_routes(instance, solution.routes).problems


def test_solver_rejects_a_non_positive_time_limit(tiny: VrptwInstance) -> None:
    with pytest.raises(ValueError, match="time_limit_s"):
        solve_vrptw(tiny, time_limit_s=0)


@pytest.mark.parametrize("name", ["R101", "RC101", "C201"])
def test_solomon_instances_get_complete_feasible_routes(solomon: Path, name: str) -> None:
    # R101 and RC101 are the tight-window traps where OR-Tools' path-cheapest-arc
    # finds nothing at all; two parallel workers exercise the process portfolio.
    instance = read_vrplib(solomon / f"{name}.vrp")
    solution = solve_vrptw(instance, time_limit_s=2.0, workers=2)
    check = check_routes(instance, solution.routes)
    assert check.feasible, check.problems
    assert solution.feasible
    assert solution.vehicles <= instance.vehicles
    assert round(solution.distance * 10) == check.distance_tenths


client = st.tuples(
    st.integers(-30, 30),
    st.integers(-30, 30),
    st.integers(0, 6),
    st.integers(0, 150),
    st.integers(0, 150),
).map(lambda c: (c[0], c[1], c[2], min(c[3], c[4]), max(c[3], c[4])))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clients=st.lists(client, min_size=1, max_size=12), vehicles=st.integers(1, 4))
def test_random_small_clinics_get_valid_routes(clients: list, vehicles: int) -> None:
    instance = parse_vrplib(vrplib(clients, vehicles=vehicles, depot_due=200, service=5))
    solution = solve_vrptw(instance, time_limit_s=0.3, workers=1)
    check = check_routes(instance, solution.routes)
    assert not check.problems
    assert solution.unserved == check.unserved
    assert solution.feasible == (not check.unserved)
    for c in solution.unserved:  # only clients that no vehicle could serve, or no room left
        assert not check_routes(instance, [[c]]).feasible or len(solution.routes) == vehicles


# --- the bench command --------------------------------------------------------------


def test_cli_prints_one_json_line_per_instance(
    solomon: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(solomon / "C101.vrp"), str(DATA / "tiny.vrp")]
    assert main(["bench", "vrptw", *files, "--time-limit", "1", "--seed", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for line, path in zip(lines, files, strict=True):
        result = json.loads(line)
        assert set(result) == {"instance", "routes", "distance", "vehicles", "seconds"}
        instance = read_vrplib(path)
        assert result["instance"] == instance.name
        assert sorted(c for r in result["routes"] for c in r) == list(instance.clients)
        check = check_routes(instance, result["routes"])
        assert check.feasible
        assert result["distance"] == check.distance
        assert result["vehicles"] == len(result["routes"])
        assert result["seconds"] > 0


def test_cli_refuses_a_malformed_file_before_solving(
    solomon: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME : BAD\nDIMENSION : 3\n")
    code = main(["bench", "vrptw", str(solomon / "C101.vrp"), str(bad), "--time-limit", "1"])
    out = capsys.readouterr()
    assert code == 2
    assert out.out == ""
    assert "missing NODE_COORD_SECTION" in out.err or "CAPACITY" in out.err


def test_incremental_insertion_matches_a_full_rebuild(solomon: Path) -> None:
    # The search updates a route's start and latest times only where an insertion
    # changes them; any drift would let infeasible routes through until the validator.
    instance = read_vrplib(solomon / "RC201.vrp")
    search = Sisr(instance, seed=5)
    full_insert = search.inserted
    compared = 0

    def checked(record: Route, i: int, c: int, delta: int) -> Route:
        nonlocal compared
        new = full_insert(record, i, c, delta)
        rebuilt = search.route(new.path[1:-1])
        assert (new.path, new.start, new.latest, new.load, new.length) == (
            rebuilt.path,
            rebuilt.start,
            rebuilt.latest,
            rebuilt.load,
            rebuilt.length,
        )
        compared += 1
        return new

    search.inserted = checked  # type: ignore[method-assign]
    routes, left = search.recreate([], list(instance.clients))
    search.run([r.path[1:-1] for r in routes], left, time.monotonic() + 0.5)
    assert compared > 100
