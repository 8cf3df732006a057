"""Capacitated vehicle routing: solve with PyVRP, check with an independent checker.

Routes are lists of customer numbers 1..n as in CVRPLIB ``.sol`` files (the depot,
node 0, omitted); a route starts and ends at the depot. Costs follow the CVRPLIB
convention (see :mod:`oxyflow.core.planning.cvrplib`).

:func:`solve_cvrp` and :func:`check_routes` share nothing but :class:`CvrpInstance`:
the checker recomputes every distance itself, so a solver bug cannot hide in a shared
helper.
"""

from __future__ import annotations

import importlib.metadata
import math
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from pyvrp import Model
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from oxyflow.core.planning.cvrplib import CvrpInstance

SOLVER = f"pyvrp {importlib.metadata.version('pyvrp')}"


@dataclass(frozen=True)
class RoutingParams:
    """Search budget and fleet of one solve.

    ``time_limit_s`` bounds the search (model building comes on top); with
    ``max_iterations`` the search also stops after that many iterations, whichever comes
    first: an iteration limit with a fixed seed gives the same routes on every run, a
    wall-clock limit does not. ``max_vehicles`` caps the number of routes (``None``:
    as many as needed).
    """

    time_limit_s: float
    seed: int = 0
    max_iterations: int | None = None
    max_vehicles: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise ValueError(
                f"time limit must be a positive number of seconds, got {self.time_limit_s}"
            )
        if self.seed < 0:
            raise ValueError(f"seed must be 0 or more, got {self.seed}")
        if self.max_iterations is not None and self.max_iterations < 1:
            raise ValueError(f"iteration limit must be at least 1, got {self.max_iterations}")
        if self.max_vehicles is not None and self.max_vehicles < 1:
            raise ValueError(f"vehicle cap must be at least 1, got {self.max_vehicles}")


@dataclass(frozen=True)
class RoutingResult:
    """The best solution found: routes, cost under the CVRPLIB convention, feasibility.

    When ``feasible`` is false (for example the demand exceeds what the capped fleet
    carries) ``routes`` and ``cost`` describe the least-bad solution the search ended on
    and must not be dispatched.
    """

    routes: tuple[tuple[int, ...], ...]
    cost: int
    feasible: bool
    runtime_s: float
    iterations: int
    solver: str = SOLVER

    @property
    def vehicles_used(self) -> int:
        return len(self.routes)


@dataclass(frozen=True)
class RouteCheck:
    """What :func:`check_routes` found: recomputed cost and every broken rule, in words."""

    cost: int
    violations: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def solve_cvrp(instance: CvrpInstance, params: RoutingParams) -> RoutingResult:
    """Solve a CVRP with PyVRP's hybrid genetic search within ``params``' budget.

    Deterministic for a given seed when ``params.max_iterations`` stops the search
    before the time limit does. Raises nothing for an instance the fleet cannot serve:
    the result then says ``feasible=False``.
    """
    started = time.perf_counter()
    n = instance.num_customers
    model = Model()
    locations = [model.add_location(x, y) for x, y in instance.coordinates]
    model.add_depot(locations[0])
    for customer in range(1, n + 1):
        model.add_client(locations[customer], delivery=instance.demands[customer])
    model.add_vehicle_type(
        num_available=params.max_vehicles if params.max_vehicles is not None else n,
        capacity=instance.capacity,
    )
    distances = _rounded_distances(instance)
    for i, frm in enumerate(locations):
        row = distances[i]
        for j, to in enumerate(locations):
            if i != j:
                model.add_edge(frm, to, distance=int(row[j]))

    stop: StoppingCriterion = MaxRuntime(params.time_limit_s)
    if params.max_iterations is not None:
        stop = MultipleCriteria([MaxIterations(params.max_iterations), stop])
    result = model.solve(stop, seed=params.seed, display=False, collect_stats=False)

    routes = tuple(
        # Client activities carry the client's index among clients (0-based); clients
        # were added in customer order, so customer = index + 1.
        tuple(activity.idx + 1 for activity in route if activity.is_client())
        for route in result.best.routes()
    )
    cost = sum(_route_cost(distances, route) for route in routes)
    return RoutingResult(
        routes=routes,
        cost=cost,
        feasible=bool(result.is_feasible()),
        runtime_s=time.perf_counter() - started,
        iterations=int(result.num_iterations),
    )


def check_routes(instance: CvrpInstance, routes: Sequence[Sequence[int]]) -> RouteCheck:
    """Check routes against an instance and recompute their cost.

    Rules: every customer 1..n is visited exactly once, no route holds an unknown
    customer or is empty, and no route carries more than the vehicle capacity. The cost
    is recomputed from coordinates under the CVRPLIB convention (TSPLIB ``nint`` of the
    Euclidean distance per arc, depot → … → depot), independently of the solver.
    """
    n = instance.num_customers
    violations: list[str] = []
    visits: Counter[int] = Counter()
    cost = 0
    for number, route in enumerate(routes, start=1):
        if not route:
            violations.append(f"route {number} is empty")
            continue
        unknown = [c for c in route if not 1 <= c <= n]
        if unknown:
            violations.append(
                f"route {number} visits unknown customer(s) {unknown}: customers are 1..{n}"
            )
            continue
        visits.update(route)
        load = sum(instance.demands[c] for c in route)
        if load > instance.capacity:
            violations.append(
                f"route {number} carries {load}, over the vehicle capacity {instance.capacity}"
            )
        stops = [0, *route, 0]
        cost += sum(_nint_distance(instance, a, b) for a, b in pairwise(stops))
    missing = [c for c in range(1, n + 1) if visits[c] == 0]
    if missing:
        violations.append(
            f"customer(s) {_abbreviate(missing)} not visited: each must be visited once"
        )
    repeated = sorted(c for c, times in visits.items() if times > 1)
    if repeated:
        violations.append(
            f"customer(s) {_abbreviate(repeated)} visited more than once: each must be visited once"
        )
    return RouteCheck(cost=cost, violations=tuple(violations))


def _rounded_distances(instance: CvrpInstance) -> npt.NDArray[np.int64]:
    xy = np.asarray(instance.coordinates, dtype=np.float64)
    euclidean = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    rounded: npt.NDArray[np.int64] = np.floor(euclidean + 0.5).astype(np.int64)
    return rounded


def _route_cost(distances: npt.NDArray[np.int64], route: tuple[int, ...]) -> int:
    stops = [0, *route, 0]
    return int(sum(distances[a, b] for a, b in pairwise(stops)))


def _nint_distance(instance: CvrpInstance, a: int, b: int) -> int:
    (xa, ya), (xb, yb) = instance.coordinates[a], instance.coordinates[b]
    return math.floor(math.hypot(xa - xb, ya - yb) + 0.5)


def _abbreviate(customers: list[int], shown: int = 10) -> str:
    head = ", ".join(str(c) for c in customers[:shown])
    return head if len(customers) <= shown else f"{head} … ({len(customers)} in all)"
