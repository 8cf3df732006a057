"""Routing core: CVRPLIB reading, the cost convention, the independent checker, the solver."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.planning.cvrplib import (
    CvrpInstance,
    CvrplibFormatError,
    read_instance,
    read_solution,
)
from oxyflow.core.planning.routing import RoutingParams, check_routes, solve_cvrp

DATA = Path(__file__).resolve().parents[1] / "data" / "cvrplib"
A_N32_K5 = DATA / "A-n32-k5.vrp"


@pytest.fixture(scope="module")
def a_n32_k5() -> CvrpInstance:
    return read_instance(A_N32_K5)


@pytest.fixture(scope="module")
def best_known_routes() -> tuple[tuple[int, ...], ...]:
    return read_solution(DATA / "A-n32-k5.sol").routes


def square(demands: tuple[int, ...], capacity: int) -> CvrpInstance:
    """A depot at the origin and customers on a 3-4-5 grid, so distances are exact."""
    points = [(0.0, 0.0), (3.0, 4.0), (6.0, 8.0), (-3.0, 4.0), (-6.0, 8.0)]
    return CvrpInstance(
        name="square",
        capacity=capacity,
        coordinates=tuple(points[: len(demands)]),
        demands=demands,
    )


def test_it_reads_a_n32_k5_as_31_customers_with_capacity_100(a_n32_k5: CvrpInstance) -> None:
    assert a_n32_k5.name == "A-n32-k5"
    assert a_n32_k5.num_customers == 31
    assert a_n32_k5.capacity == 100
    assert a_n32_k5.coordinates[0] == (82.0, 76.0)
    assert a_n32_k5.demands[0] == 0


def test_recomputing_the_shipped_solution_gives_the_best_known_784(
    a_n32_k5: CvrpInstance, best_known_routes: tuple[tuple[int, ...], ...]
) -> None:
    check = check_routes(a_n32_k5, best_known_routes)
    assert check.ok, check.violations
    assert check.cost == 784 == read_solution(DATA / "A-n32-k5.sol").cost


def test_cost_rounds_each_arc_to_the_nearest_integer_before_summing() -> None:
    # Arcs of length sqrt(2) = 1.414 round to 1 each: 3, where rounding the sum gives 4.
    instance = CvrpInstance(
        name="diagonal",
        capacity=10,
        coordinates=((0.0, 0.0), (1.0, 1.0), (2.0, 2.0)),
        demands=(0, 1, 1),
    )
    assert check_routes(instance, [[1, 2]]).cost == 1 + 1 + 3  # 2.83 rounds to 3


def test_the_checker_rejects_a_missing_customer(
    a_n32_k5: CvrpInstance, best_known_routes: tuple[tuple[int, ...], ...]
) -> None:
    routes = [list(r) for r in best_known_routes]
    routes[0].remove(14)
    check = check_routes(a_n32_k5, routes)
    assert check.violations == ("customer(s) 14 not visited: each must be visited once",)


def test_the_checker_rejects_a_duplicate_visit(
    a_n32_k5: CvrpInstance, best_known_routes: tuple[tuple[int, ...], ...]
) -> None:
    routes = [list(r) for r in best_known_routes]
    routes[3].append(14)  # route 4 (demand 46) stays within capacity
    check = check_routes(a_n32_k5, routes)
    assert check.violations == ("customer(s) 14 visited more than once: each must be visited once",)


def test_the_checker_rejects_a_route_over_capacity(a_n32_k5: CvrpInstance) -> None:
    routes = [list(range(1, 32))]
    check = check_routes(a_n32_k5, routes)
    load = sum(a_n32_k5.demands)
    assert check.violations == (f"route 1 carries {load}, over the vehicle capacity 100",)


def test_the_checker_rejects_unknown_customers_and_empty_routes() -> None:
    instance = square((0, 1, 1), capacity=5)
    check = check_routes(instance, [[1, 2], [], [0, 7]])
    assert check.violations == (
        "route 2 is empty",
        "route 3 visits unknown customer(s) [0, 7]: customers are 1..2",
    )


def test_the_solver_finds_the_optimum_784_and_its_routes_pass_the_checker(
    a_n32_k5: CvrpInstance,
) -> None:
    result = solve_cvrp(
        a_n32_k5, RoutingParams(time_limit_s=2, seed=1, max_iterations=2000, max_vehicles=5)
    )
    check = check_routes(a_n32_k5, result.routes)
    assert result.feasible
    assert check.ok, check.violations
    assert result.cost == check.cost == 784
    assert result.vehicles_used == 5
    assert result.solver.startswith("pyvrp ")


def test_the_vehicle_cap_limits_the_number_of_routes() -> None:
    # Each customer fills a vehicle: with 4 vehicles the solver needs 4 routes, with a
    # cap of 2 it cannot serve everyone and says so.
    instance = square((0, 5, 5, 5, 5), capacity=5)
    free = solve_cvrp(instance, RoutingParams(time_limit_s=1, max_iterations=200))
    assert free.feasible
    assert free.vehicles_used == 4
    capped = solve_cvrp(instance, RoutingParams(time_limit_s=1, max_iterations=200, max_vehicles=2))
    assert not capped.feasible
    assert capped.vehicles_used <= 2
    assert not check_routes(instance, capped.routes).ok


def test_a_cap_that_fits_is_kept_on_a_n32_k5(a_n32_k5: CvrpInstance) -> None:
    result = solve_cvrp(
        a_n32_k5, RoutingParams(time_limit_s=2, seed=2, max_iterations=300, max_vehicles=6)
    )
    assert result.feasible
    assert result.vehicles_used <= 6


def test_same_seed_and_iteration_limit_give_the_same_routes(a_n32_k5: CvrpInstance) -> None:
    params = RoutingParams(time_limit_s=30, seed=7, max_iterations=400)
    first, second = solve_cvrp(a_n32_k5, params), solve_cvrp(a_n32_k5, params)
    assert first.iterations == second.iterations == 400
    assert first.routes == second.routes
    assert first.cost == second.cost


@given(
    demands=st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=4),
    capacity=st.integers(min_value=10, max_value=25),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_every_feasible_solution_passes_the_checker_at_the_cost_it_states(
    demands: list[int], capacity: int, seed: int
) -> None:
    instance = square((0, *demands), capacity=capacity)
    result = solve_cvrp(instance, RoutingParams(time_limit_s=1, seed=seed, max_iterations=50))
    assert result.feasible  # every demand fits a vehicle and the fleet is free
    check = check_routes(instance, result.routes)
    assert check.ok, check.violations
    assert check.cost == result.cost


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_limit_s", 0.0, "time limit must be a positive number of seconds, got 0.0"),
        ("time_limit_s", float("nan"), "time limit must be a positive number of seconds"),
        ("seed", -1, "seed must be 0 or more, got -1"),
        ("max_iterations", 0, "iteration limit must be at least 1, got 0"),
        ("max_vehicles", 0, "vehicle cap must be at least 1, got 0"),
    ],
)
def test_params_refuse_values_that_make_no_search(field: str, value: float, message: str) -> None:
    kwargs: dict[str, float] = {"time_limit_s": 1.0, field: value}
    with pytest.raises(ValueError, match=message):
        RoutingParams(**kwargs)  # type: ignore[arg-type]


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CvrplibFormatError, match="no such file"):
        read_instance(tmp_path / "absent.vrp")


def test_it_refuses_a_file_that_is_not_vrplib(tmp_path: Path) -> None:
    path = tmp_path / "notes.vrp"
    path.write_text("just some words\nnothing more\n")
    with pytest.raises(CvrplibFormatError, match="not a CVRPLIB file"):
        read_instance(path)


def test_it_refuses_an_instance_of_another_type(tmp_path: Path) -> None:
    path = tmp_path / "tour.vrp"
    path.write_text(A_N32_K5.read_text().replace("TYPE : CVRP", "TYPE : TSP"))
    with pytest.raises(CvrplibFormatError, match="TYPE is TSP, expected CVRP"):
        read_instance(path)


def test_it_refuses_a_customer_whose_demand_exceeds_the_capacity(tmp_path: Path) -> None:
    path = tmp_path / "heavy.vrp"
    path.write_text(A_N32_K5.read_text().replace("CAPACITY : 100", "CAPACITY : 20"))
    with pytest.raises(CvrplibFormatError, match=r"exceeds the capacity 20"):
        read_instance(path)
