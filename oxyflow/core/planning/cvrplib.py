"""CVRPLIB instances and solutions: read ``.vrp`` / ``.sol`` files into plain types.

Parsing is done by the ``vrplib`` package; this module validates what it returns and
keeps only what a capacitated VRP with Euclidean distances needs. Node 0 is the depot
(node 1 in the file); customers are 1..n, the numbering of CVRPLIB ``.sol`` files.

Cost convention (TSPLIB ``EUC_2D``): the distance between two nodes is their Euclidean
distance rounded to the nearest integer, summed over every arc of every route,
depot → customers → depot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vrplib


class CvrplibFormatError(ValueError):
    """A file is missing, unreadable, or not a CVRP instance or solution this reader takes."""


@dataclass(frozen=True)
class CvrpInstance:
    """A capacitated VRP with one depot and Euclidean distances.

    ``coordinates[0]`` and ``demands[0]`` are the depot's; customers are 1..n.
    Demands and capacity are in the instance's own unit (CVRPLIB has none).
    """

    name: str
    capacity: int
    coordinates: tuple[tuple[float, float], ...]
    demands: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.capacity <= 0:
            raise CvrplibFormatError(f"capacity must be positive, got {self.capacity}")
        if len(self.coordinates) != len(self.demands):
            raise CvrplibFormatError(
                f"{len(self.coordinates)} coordinates but {len(self.demands)} demands"
            )
        if len(self.demands) < 2:
            raise CvrplibFormatError("an instance needs a depot and at least one customer")
        if self.demands[0] != 0:
            raise CvrplibFormatError(f"the depot's demand must be 0, got {self.demands[0]}")
        for node, demand in enumerate(self.demands):
            if demand < 0:
                raise CvrplibFormatError(f"demand of customer {node} is negative: {demand}")
            if demand > self.capacity:
                raise CvrplibFormatError(
                    f"demand of customer {node} ({demand}) exceeds the capacity {self.capacity}"
                )
        for node, (x, y) in enumerate(self.coordinates):
            if not (math.isfinite(x) and math.isfinite(y)):
                raise CvrplibFormatError(f"coordinates of node {node} are not finite numbers")

    @property
    def num_customers(self) -> int:
        return len(self.demands) - 1

    @property
    def total_demand(self) -> int:
        return sum(self.demands)


@dataclass(frozen=True)
class CvrpSolution:
    """Routes as customer numbers 1..n (depot omitted) and the cost the file states."""

    routes: tuple[tuple[int, ...], ...]
    cost: int | None


def read_instance(path: str | Path) -> CvrpInstance:
    """Read a CVRPLIB ``.vrp`` file (``TYPE : CVRP``, ``EDGE_WEIGHT_TYPE : EUC_2D``).

    Raises
    ------
    CvrplibFormatError
        The file is missing or unreadable, is not a CVRP with ``EUC_2D`` distances and
        one depot, or holds numbers that do not make an instance (negative demand, a
        demand over the capacity, sections of different lengths).
    """
    raw = _read(path, vrplib.read_instance, compute_edge_weights=False)
    kind = str(raw.get("type", "")).strip().upper()
    if kind != "CVRP":
        raise CvrplibFormatError(f"{path}: TYPE is {kind or 'missing'}, expected CVRP")
    weights = str(raw.get("edge_weight_type", "")).strip().upper()
    if weights != "EUC_2D":
        raise CvrplibFormatError(
            f"{path}: EDGE_WEIGHT_TYPE is {weights or 'missing'}, expected EUC_2D"
        )
    for section in ("capacity", "node_coord", "demand", "depot"):
        if section not in raw:
            raise CvrplibFormatError(f"{path}: no {section.upper()} in the file")
    depots = [int(d) for d in raw["depot"]]
    if depots != [0]:
        raise CvrplibFormatError(
            f"{path}: expected one depot, node 1; got {[d + 1 for d in depots]}"
        )
    try:
        capacity = _integer(raw["capacity"], "CAPACITY")
        coordinates = tuple((float(x), float(y)) for x, y in raw["node_coord"])
        demands = tuple(_integer(d, "DEMAND_SECTION") for d in raw["demand"])
    except (TypeError, ValueError) as exc:
        raise CvrplibFormatError(f"{path}: {exc}") from None
    dimension = raw.get("dimension")
    if dimension is not None and int(dimension) != len(coordinates):
        raise CvrplibFormatError(
            f"{path}: DIMENSION is {dimension} but {len(coordinates)} nodes have coordinates"
        )
    try:
        return CvrpInstance(
            name=str(raw.get("name", Path(path).stem)).strip(),
            capacity=capacity,
            coordinates=coordinates,
            demands=demands,
        )
    except CvrplibFormatError as exc:
        raise CvrplibFormatError(f"{path}: {exc}") from None


def read_solution(path: str | Path) -> CvrpSolution:
    """Read a CVRPLIB ``.sol`` file (``Route #k: c1 c2 …`` lines and ``Cost N``).

    Raises
    ------
    CvrplibFormatError
        The file is missing, unreadable or holds no route.
    """
    raw = _read(path, vrplib.read_solution)
    routes = tuple(tuple(int(c) for c in route) for route in raw.get("routes", []))
    if not routes:
        raise CvrplibFormatError(f"{path}: no route in the file")
    cost = raw.get("cost")
    return CvrpSolution(routes=routes, cost=None if cost is None else int(cost))


def _read(path: str | Path, reader: Any, **kwargs: Any) -> dict[str, Any]:
    file = Path(path)
    if not file.is_file():
        raise CvrplibFormatError(f"{path}: no such file")
    try:
        raw = reader(file, **kwargs)
    except (OSError, UnicodeDecodeError) as exc:
        raise CvrplibFormatError(f"{path}: cannot be read ({exc})") from None
    except (RuntimeError, ValueError, IndexError, KeyError, TypeError) as exc:
        # vrplib raises whatever its parsing hits on a malformed file.
        raise CvrplibFormatError(f"{path}: not a CVRPLIB file ({exc})") from None
    if not isinstance(raw, dict):
        raise CvrplibFormatError(f"{path}: not a CVRPLIB file")
    return raw


def _integer(value: Any, field: str) -> int:
    number = float(value)
    if not number.is_integer():
        raise ValueError(f"{field} must hold integers, got {value}")
    return int(number)
