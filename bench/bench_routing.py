"""Benchmark: PyVRP against OR-Tools on the shared CVRPLIB instances, same budget, same run.

For every instance in ``../shared/bench/cvrplib/instances`` (best known values in its
``bks.csv``) both solvers get ``--scale`` × (number of customers) seconds of search
(default 0.25). The Augerat sets (A, B, P) cap the fleet at k, the ``kN`` of the name, as
their best known values use exactly k vehicles; the X set has a free fleet. Every solution
goes through :func:`oxyflow.core.planning.routing.check_routes`, which recomputes its
cost; the gap is (cost − BKS) / BKS.

PyVRP runs through :func:`oxyflow.core.planning.routing.solve_cvrp`, the product's path;
OR-Tools runs with its routing library: cheapest-arc first solution, then guided local
search, on the same rounded distance matrix. OR-Tools needs the ``bench`` extra:
``.venv/bin/pip install -e '.[bench]'``.

    .venv/bin/python -m bench.bench_routing [--scale 0.25] [--instances A-n32-k5,X-n101-k25]

Exits 1 if the mean gap of PyVRP (the chosen solver) is over 0.5 % or a solution fails
the checker; 2 if OR-Tools or the instances are missing.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from oxyflow.core.planning.cvrplib import CvrpInstance, read_instance
from oxyflow.core.planning.routing import RoutingParams, check_routes, solve_cvrp

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "bench" / "cvrplib"
TARGET_MEAN_GAP = 0.005
AUGERAT = re.compile(r"^[ABP]-n\d+-k(\d+)$")


@dataclass(frozen=True)
class Run:
    solver: str
    cost: int | None
    routes: int
    feasible: bool
    checker: str
    runtime_s: float


Routes = list[list[int]]
Solver = Callable[[CvrpInstance, float, int | None, int], tuple[Routes, bool]]


def pyvrp_solve(
    instance: CvrpInstance, seconds: float, vehicles: int | None, seed: int
) -> tuple[Routes, bool]:
    result = solve_cvrp(
        instance, RoutingParams(time_limit_s=seconds, seed=seed, max_vehicles=vehicles)
    )
    return [list(route) for route in result.routes], result.feasible


def ortools_solve(
    instance: CvrpInstance, seconds: float, vehicles: int | None, seed: int
) -> tuple[Routes, bool]:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    # OR-Tools' search is deterministic; the seed has no knob to go to.
    n = instance.num_customers
    # OR-Tools instantiates every vehicle: a free fleet gets twice the fewest vehicles
    # the demand needs, which never binds here (the table prints the routes used).
    fleet = vehicles or 2 * math.ceil(instance.total_demand / instance.capacity)
    matrix = _matrix(instance)
    manager = pywrapcp.RoutingIndexManager(n + 1, fleet, 0)
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    demand = routing.RegisterUnaryTransitVector(list(instance.demands))
    routing.AddDimensionWithVehicleCapacity(demand, 0, [instance.capacity] * fleet, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, round(seconds * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return [], False
    routes: Routes = []
    for vehicle in range(fleet):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes, True


def _matrix(instance: CvrpInstance) -> list[list[int]]:
    xy = instance.coordinates
    return [[math.floor(math.dist(a, b) + 0.5) for b in xy] for a in xy]


def run_one(
    solver: str,
    solve: Solver,
    instance: CvrpInstance,
    seconds: float,
    vehicles: int | None,
    seed: int,
) -> Run:
    started = time.perf_counter()
    routes, feasible = solve(instance, seconds, vehicles, seed)
    runtime = time.perf_counter() - started
    check = check_routes(instance, routes)
    within_fleet = vehicles is None or len(routes) <= vehicles
    passed = feasible and check.ok and within_fleet
    return Run(
        solver=solver,
        cost=check.cost if passed else None,
        routes=len(routes),
        feasible=feasible,
        checker="pass" if passed else "fail: " + "; ".join(check.violations or ("fleet",)),
        runtime_s=runtime,
    )


def load_bks(data: Path) -> dict[str, int]:
    with (data / "bks.csv").open(newline="") as handle:
        return {row["instance"]: int(row["bks"]) for row in csv.DictReader(handle)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.25, help="seconds per customer")
    parser.add_argument("--instances", default="", help="comma-separated names (default all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--solvers", default="pyvrp,ortools")
    args = parser.parse_args(argv)

    try:
        bks = load_bks(args.data)
    except OSError as exc:
        print(f"bench_routing: no instances: {exc}", file=sys.stderr)
        return 2
    names = [n for n in args.instances.split(",") if n] or sorted(
        bks, key=lambda name: (name[0] == "X", int(name.split("-n")[1].split("-")[0]))
    )
    solvers: dict[str, Solver] = {}
    for solver in args.solvers.split(","):
        if solver == "pyvrp":
            solvers[solver] = pyvrp_solve
        elif solver == "ortools":
            try:
                import ortools  # noqa: F401
            except ImportError:
                print("bench_routing: OR-Tools missing: pip install -e '.[bench]'", file=sys.stderr)
                return 2
            solvers[solver] = ortools_solve
        else:
            print(f"bench_routing: unknown solver {solver!r}", file=sys.stderr)
            return 2

    print(f"scale {args.scale} s per customer, seed {args.seed}, solvers {', '.join(solvers)}")
    header = "| instance | n | fleet | budget s | BKS |" + "".join(
        f" {s} cost | {s} gap % | {s} routes | {s} s |" for s in solvers
    )
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    gaps: dict[str, list[float]] = {s: [] for s in solvers}
    failures: list[str] = []
    for name in names:
        instance = read_instance(args.data / "instances" / f"{name}.vrp")
        augerat = AUGERAT.match(name)
        vehicles = int(augerat.group(1)) if augerat else None
        seconds = args.scale * instance.num_customers
        cells = [name, str(instance.num_customers), f"≤ {vehicles}" if vehicles else "free"]
        cells += [f"{seconds:g}", str(bks[name])]
        for solver, solve in solvers.items():
            run = run_one(solver, solve, instance, seconds, vehicles, args.seed)
            if run.cost is None:
                failures.append(f"{name} {solver}: {run.checker}")
                cells += ["—", "—", str(run.routes), f"{run.runtime_s:.1f}"]
                continue
            gap = (run.cost - bks[name]) / bks[name]
            gaps[solver].append(gap)
            cells += [str(run.cost), f"{100 * gap:.2f}", str(run.routes), f"{run.runtime_s:.1f}"]
        print("| " + " | ".join(cells) + " |", flush=True)

    means: dict[str, Any] = {}
    for solver, values in gaps.items():
        means[solver] = sum(values) / len(values) if values else math.nan
        print(f"mean gap {solver}: {100 * means[solver]:.2f} % over {len(values)} instances")
    for failure in failures:
        print(f"FAILED {failure}")
    if failures:
        return 1
    if "pyvrp" in means and not means["pyvrp"] <= TARGET_MEAN_GAP:
        print(f"target missed: PyVRP mean gap over {100 * TARGET_MEAN_GAP:.1f} %")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
