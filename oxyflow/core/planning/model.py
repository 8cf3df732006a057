"""The planning model: products, facilities, producers, fleet, links, the problem (issue 5).

Frozen, validated dataclasses: a bad value raises :class:`PlanningError` naming the field.
Quantities are in each product's unit of issue: kg for liquid oxygen (LOX), cylinders for
a cylinder type; ``gas_nm3_per_unit`` converts either to Nm³ of gas for reports. Days are
indexed 0 .. ``days - 1`` over the planning horizon; stocks are end-of-day levels.

Candidate links (:func:`candidate_links`): each facility's contracted producers plus its
``k`` nearest producers by road distance (haversine × road factor), so a plan is optimal
for that set of links, not over every producer in the country.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np

from oxyflow.core.network import DEFAULT_ROAD_FACTOR, EARTH_RADIUS_KM, Location

# Normal conditions (0 °C, 1.01325 bar): 1 kg of oxygen is about 0.6996 Nm³ (DESIGN.md).
LOX_NM3_PER_KG = 0.6996
DEFAULT_CANDIDATES = 10


class PlanningError(ValueError):
    """A planning input is impossible; ``field`` names the offending field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


class ProductKind(StrEnum):
    LOX = "lox"
    CYLINDER = "cylinder"


def _finite_non_negative(field_name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise PlanningError(field_name, f"must be a finite number ≥ 0, got {value}")


def _non_empty(field_name: str, value: str) -> None:
    if not value or not value.strip():
        raise PlanningError(field_name, "must not be empty")


@dataclass(frozen=True)
class Product:
    """A product moved by the plan: LOX (counted in kg) or a cylinder type (in cylinders).

    ``gas_nm3_per_unit``: Nm³ of oxygen in one unit (one kg of LOX, one full cylinder).
    ``cost_per_unit_km``: transport cost of one unit over one km of road.
    """

    code: str
    kind: ProductKind
    gas_nm3_per_unit: float
    cost_per_unit_km: float = 1.0

    def __post_init__(self) -> None:
        _non_empty("product.code", self.code)
        if not isinstance(self.kind, ProductKind):
            raise PlanningError("product.kind", f"must be lox or cylinder, got {self.kind!r}")
        if not math.isfinite(self.gas_nm3_per_unit) or self.gas_nm3_per_unit <= 0:
            raise PlanningError(
                "product.gas_nm3_per_unit", f"must be > 0, got {self.gas_nm3_per_unit}"
            )
        _finite_non_negative("product.cost_per_unit_km", self.cost_per_unit_km)

    @property
    def unit(self) -> str:
        """The unit of issue the plan counts this product in."""
        return "kg" if self.kind is ProductKind.LOX else "cylinders"

    @classmethod
    def lox(cls, code: str = "LOX", cost_per_unit_km: float = 1.0) -> Product:
        return cls(code, ProductKind.LOX, LOX_NM3_PER_KG, cost_per_unit_km)


@dataclass(frozen=True)
class FacilityStock:
    """One product at one facility: stock now, tank or rack size, safety level, demand.

    All in the product's unit; ``demand_per_day`` has one value per day of the horizon.
    """

    product: str
    stock: float
    storage_capacity: float
    safety_level: float
    demand_per_day: tuple[float, ...]

    def __post_init__(self) -> None:
        _non_empty("stock.product", self.product)
        _finite_non_negative("stock.stock", self.stock)
        _finite_non_negative("stock.storage_capacity", self.storage_capacity)
        _finite_non_negative("stock.safety_level", self.safety_level)
        object.__setattr__(self, "demand_per_day", tuple(self.demand_per_day))
        for value in self.demand_per_day:
            _finite_non_negative("stock.demand_per_day", value)
        if self.safety_level > self.storage_capacity:
            raise PlanningError(
                "stock.safety_level",
                f"{self.safety_level} is above the storage capacity {self.storage_capacity}",
            )
        if self.stock > self.storage_capacity:
            raise PlanningError(
                "stock.stock", f"{self.stock} is above the storage capacity {self.storage_capacity}"
            )


@dataclass(frozen=True)
class Facility:
    """A facility that consumes oxygen; a higher ``priority`` is served first when short."""

    id: str
    location: Location
    priority: float
    stocks: tuple[FacilityStock, ...]

    def __post_init__(self) -> None:
        _non_empty("facility.id", self.id)
        if not math.isfinite(self.priority) or self.priority <= 0:
            raise PlanningError("facility.priority", f"must be > 0, got {self.priority}")
        object.__setattr__(self, "stocks", tuple(self.stocks))
        products = [s.product for s in self.stocks]
        if len(set(products)) != len(products):
            raise PlanningError("facility.stocks", f"{self.id} lists a product twice")

    def stock_of(self, product: str) -> FacilityStock | None:
        for s in self.stocks:
            if s.product == product:
                return s
        return None


@dataclass(frozen=True)
class Producer:
    """A plant or filling station: capacity per product per day, in the product's unit."""

    id: str
    location: Location
    capacity_per_day: Mapping[str, float]

    def __post_init__(self) -> None:
        _non_empty("producer.id", self.id)
        for product, value in self.capacity_per_day.items():
            _non_empty("producer.capacity_per_day", product)
            _finite_non_negative("producer.capacity_per_day", value)
        object.__setattr__(self, "capacity_per_day", MappingProxyType(dict(self.capacity_per_day)))


@dataclass(frozen=True)
class TransportCapacity:
    """What a producer's fleet moves per day of one product: vehicles × trips × capacity."""

    producer: str
    product: str
    vehicles: int
    trips_per_day: int
    vehicle_capacity: float

    def __post_init__(self) -> None:
        _non_empty("transport.producer", self.producer)
        _non_empty("transport.product", self.product)
        if self.vehicles < 0:
            raise PlanningError("transport.vehicles", f"must be ≥ 0, got {self.vehicles}")
        if self.trips_per_day < 0:
            raise PlanningError("transport.trips_per_day", f"must be ≥ 0, got {self.trips_per_day}")
        _finite_non_negative("transport.vehicle_capacity", self.vehicle_capacity)

    @property
    def per_day(self) -> float:
        return self.vehicles * self.trips_per_day * self.vehicle_capacity


@dataclass(frozen=True)
class Fleet:
    """Transport capacity per producer and product; a pair not listed has no fleet limit."""

    capacities: tuple[TransportCapacity, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "capacities", tuple(self.capacities))
        keys = [(c.producer, c.product) for c in self.capacities]
        if len(set(keys)) != len(keys):
            raise PlanningError("fleet.capacities", "a producer and product are listed twice")

    def per_day(self, producer: str, product: str) -> float:
        """Units per day the fleet can move; ``math.inf`` where no limit is given."""
        for c in self.capacities:
            if c.producer == producer and c.product == product:
                return c.per_day
        return math.inf


@dataclass(frozen=True)
class Link:
    """A road from a producer to a facility; ``contracted`` if a supply contract exists."""

    producer: str
    facility: str
    distance_km: float
    contracted: bool = False

    def __post_init__(self) -> None:
        _non_empty("link.producer", self.producer)
        _non_empty("link.facility", self.facility)
        _finite_non_negative("link.distance_km", self.distance_km)

    def cost_per_unit(self, product: Product) -> float:
        """Transport cost of one unit of ``product`` over this link."""
        return self.distance_km * product.cost_per_unit_km


@dataclass(frozen=True)
class PlanningProblem:
    """Everything one allocation run needs; cross-references are checked here."""

    days: int
    products: tuple[Product, ...]
    facilities: tuple[Facility, ...]
    producers: tuple[Producer, ...]
    links: tuple[Link, ...]
    fleet: Fleet = field(default_factory=Fleet)

    def __post_init__(self) -> None:
        if self.days < 1:
            raise PlanningError("problem.days", f"must be ≥ 1, got {self.days}")
        for name in ("products", "facilities", "producers", "links"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        product_codes = _unique("problem.products", (p.code for p in self.products))
        facility_ids = _unique("problem.facilities", (f.id for f in self.facilities))
        producer_ids = _unique("problem.producers", (p.id for p in self.producers))
        for f in self.facilities:
            for s in f.stocks:
                if s.product not in product_codes:
                    raise PlanningError("facility.stocks", f"{f.id}: unknown product {s.product}")
                if len(s.demand_per_day) != self.days:
                    raise PlanningError(
                        "stock.demand_per_day",
                        f"{f.id} {s.product}: {len(s.demand_per_day)} days given, "
                        f"the horizon has {self.days}",
                    )
        for p in self.producers:
            for code in p.capacity_per_day:
                if code not in product_codes:
                    raise PlanningError("producer.capacity_per_day", f"{p.id}: unknown {code}")
        for c in self.fleet.capacities:
            if c.producer not in producer_ids:
                raise PlanningError("transport.producer", f"unknown producer {c.producer}")
            if c.product not in product_codes:
                raise PlanningError("transport.product", f"unknown product {c.product}")
        seen: set[tuple[str, str]] = set()
        for link in self.links:
            if link.producer not in producer_ids:
                raise PlanningError("link.producer", f"unknown producer {link.producer}")
            if link.facility not in facility_ids:
                raise PlanningError("link.facility", f"unknown facility {link.facility}")
            key = (link.producer, link.facility)
            if key in seen:
                raise PlanningError("problem.links", f"{key[0]} → {key[1]} is listed twice")
            seen.add(key)

    def product(self, code: str) -> Product:
        for p in self.products:
            if p.code == code:
                return p
        raise PlanningError("product", f"unknown product {code}")


def _unique(field_name: str, values: Iterable[str]) -> frozenset[str]:
    items = list(values)
    if len(set(items)) != len(items):
        raise PlanningError(field_name, "an id is listed twice")
    return frozenset(items)


def candidate_links(
    facilities: Sequence[Facility],
    producers: Sequence[Producer],
    contracts: Iterable[tuple[str, str]] = (),
    *,
    k: int = DEFAULT_CANDIDATES,
    road_factor: float = DEFAULT_ROAD_FACTOR,
) -> tuple[Link, ...]:
    """Each facility's contracted producers plus its ``k`` nearest producers.

    ``contracts`` are ``(producer id, facility id)`` pairs. Distances are haversine × the
    road factor, in km. Links are ordered by facility (as given), then by distance, then by
    producer id, so the same inputs give the same links. Raises :class:`PlanningError` on
    ``k < 0``, a road factor below 1 or a contract naming an unknown site.
    """
    if k < 0:
        raise PlanningError("k", f"must be ≥ 0, got {k}")
    if not math.isfinite(road_factor) or road_factor < 1:
        raise PlanningError("road_factor", f"must be ≥ 1, got {road_factor}")
    if not facilities or not producers:
        return ()
    producer_index = {p.id: j for j, p in enumerate(producers)}
    facility_index = {f.id: i for i, f in enumerate(facilities)}
    contracted: dict[int, set[int]] = {}
    for producer_id, facility_id in contracts:
        if producer_id not in producer_index:
            raise PlanningError("contracts", f"unknown producer {producer_id}")
        if facility_id not in facility_index:
            raise PlanningError("contracts", f"unknown facility {facility_id}")
        contracted.setdefault(facility_index[facility_id], set()).add(producer_index[producer_id])

    distance = road_factor * _haversine_matrix_km(facilities, producers)
    take = min(k, len(producers))
    links: list[Link] = []
    for i, f in enumerate(facilities):
        row = distance[i]
        # Stable sort by (distance, producer order): ties resolve the same way every run.
        nearest = set(np.argsort(row, kind="stable")[:take].tolist())
        chosen = nearest | contracted.get(i, set())
        for j in sorted(chosen, key=lambda j: (row[j], producers[j].id)):
            links.append(
                Link(
                    producer=producers[j].id,
                    facility=f.id,
                    distance_km=float(row[j]),
                    contracted=j in contracted.get(i, set()),
                )
            )
    return tuple(links)


def _haversine_matrix_km(
    facilities: Sequence[Facility], producers: Sequence[Producer]
) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
    lat_f = np.radians([f.location.latitude_deg for f in facilities])[:, None]
    lon_f = np.radians([f.location.longitude_deg for f in facilities])[:, None]
    lat_p = np.radians([p.location.latitude_deg for p in producers])[None, :]
    lon_p = np.radians([p.location.longitude_deg for p in producers])[None, :]
    h = (
        np.sin((lat_p - lat_f) / 2) ** 2
        + np.cos(lat_f) * np.cos(lat_p) * np.sin((lon_p - lon_f) / 2) ** 2
    )
    result: np.ndarray[tuple[int, int], np.dtype[np.float64]] = (
        2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    )
    return result


# The plan: written by the allocation and the greedy baseline, read by the checker.


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    GREEDY = "greedy"  # a plan from the greedy baseline, not the solver


@dataclass(frozen=True)
class Delivery:
    """``quantity`` units of ``product`` from ``producer`` to ``facility`` on ``day``."""

    producer: str
    facility: str
    product: str
    day: int
    quantity: float


@dataclass(frozen=True)
class Shortage:
    """Need below the safety level left unmet at a facility on a day, in units and Nm³."""

    facility: str
    product: str
    day: int
    quantity: float
    nm3: float


@dataclass(frozen=True)
class AllocationPlan:
    """An allocation over the horizon.

    ``stocks`` maps (facility, product) to the end-of-day stock per day, in units of
    issue. ``shortage_nm3`` and ``weighted_shortage_nm3`` (× priority) sum the
    shortages; ``transport_cost`` is Σ link cost per unit × quantity.
    """

    deliveries: tuple[Delivery, ...]
    stocks: dict[tuple[str, str], tuple[float, ...]]
    shortages: tuple[Shortage, ...]
    shortage_nm3: float
    weighted_shortage_nm3: float
    transport_cost: float
    status: SolveStatus
    scope: str
    iterations: int = 0
