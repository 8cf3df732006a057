"""The supply network as the core sees it: sites, their equipment, vehicles, supply links.

Plain frozen dataclasses built by the web layer from registry rows
(:mod:`oxyflow.registry.services`) and consumed by demand, autonomy and planning. Every
quantity is stored in one canonical unit named in the field: kg of liquid oxygen,
Nm³/h of gas, L/min of flow, hours, kilometres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

# Mean Earth radius (IUGG), km: the haversine distance is accurate to ~0.5 % for routing.
EARTH_RADIUS_KM = 6371.0088
# Road distance is typically 15-40 % longer than the straight line (demo fact sheet);
# the planner may replace it with an imported distance matrix.
DEFAULT_ROAD_FACTOR = 1.3


class NetworkError(ValueError):
    """A network value is impossible (negative capacity, latitude out of range, ...)."""


@dataclass(frozen=True)
class Location:
    latitude_deg: float
    longitude_deg: float

    def __post_init__(self) -> None:
        if not -90 <= self.latitude_deg <= 90:
            raise NetworkError(f"latitude {self.latitude_deg}° is outside -90..90")
        if not -180 <= self.longitude_deg <= 180:
            raise NetworkError(f"longitude {self.longitude_deg}° is outside -180..180")


def haversine_km(a: Location, b: Location) -> float:
    """Great-circle distance between two points, in km."""
    phi1, phi2 = math.radians(a.latitude_deg), math.radians(b.latitude_deg)
    dphi = phi2 - phi1
    dlambda = math.radians(b.longitude_deg - a.longitude_deg)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def road_km(a: Location, b: Location, road_factor: float = DEFAULT_ROAD_FACTOR) -> float:
    """Estimated road distance in km: the straight line times a road factor (≥ 1)."""
    if road_factor < 1:
        raise NetworkError(f"road factor {road_factor} is below 1")
    return haversine_km(a, b) * road_factor


def _non_negative(name: str, value: float) -> None:
    if value < 0 or math.isnan(value):
        raise NetworkError(f"{name} must be ≥ 0, got {value}")


@dataclass(frozen=True)
class LoxTank:
    """A cryogenic tank; oxygen below the safety level is not usable."""

    capacity_kg: float
    safety_level_kg: float

    def __post_init__(self) -> None:
        _non_negative("capacity_kg", self.capacity_kg)
        _non_negative("safety_level_kg", self.safety_level_kg)
        if self.safety_level_kg > self.capacity_kg:
            raise NetworkError(
                f"safety level {self.safety_level_kg} kg exceeds capacity {self.capacity_kg} kg"
            )

    @property
    def usable_capacity_kg(self) -> float:
        return self.capacity_kg - self.safety_level_kg


@dataclass(frozen=True)
class Facility:
    code: str
    location: Location
    priority: int
    beds_oxygen: int
    beds_icu: int
    lox_tanks: tuple[LoxTank, ...] = ()
    psa_output_nm3_per_h: float = 0.0
    concentrator_flows_l_per_min: tuple[float, ...] = ()
    cylinder_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 1 <= self.priority <= 3:
            raise NetworkError(f"{self.code}: priority {self.priority} is outside 1..3")
        _non_negative(f"{self.code}: beds_oxygen", self.beds_oxygen)
        _non_negative(f"{self.code}: beds_icu", self.beds_icu)
        _non_negative(f"{self.code}: psa_output_nm3_per_h", self.psa_output_nm3_per_h)
        for flow in self.concentrator_flows_l_per_min:
            _non_negative(f"{self.code}: concentrator flow", flow)

    @property
    def lox_capacity_kg(self) -> float:
        return sum(t.capacity_kg for t in self.lox_tanks)

    @property
    def lox_safety_level_kg(self) -> float:
        return sum(t.safety_level_kg for t in self.lox_tanks)

    @property
    def concentrator_output_l_per_min(self) -> float:
        return sum(self.concentrator_flows_l_per_min)


@dataclass(frozen=True)
class Producer:
    code: str
    location: Location
    capacity_per_day: dict[str, float] = field(default_factory=dict)
    """Product code → capacity per day in the product's unit (kg for LOX, cylinders)."""
    lox_storage_kg: float = 0.0

    def __post_init__(self) -> None:
        for product, quantity in self.capacity_per_day.items():
            _non_negative(f"{self.code}: capacity of {product}", quantity)
        _non_negative(f"{self.code}: lox_storage_kg", self.lox_storage_kg)


@dataclass(frozen=True)
class Vehicle:
    registration: str
    home: Location
    lox_capacity_kg: float = 0.0
    cylinder_capacity: dict[str, int] = field(default_factory=dict)
    """Cylinder type code → cylinders per trip."""

    def __post_init__(self) -> None:
        _non_negative(f"{self.registration}: lox_capacity_kg", self.lox_capacity_kg)
        if self.lox_capacity_kg == 0 and not any(self.cylinder_capacity.values()):
            raise NetworkError(f"{self.registration}: a vehicle must carry something")


@dataclass(frozen=True)
class SupplyLink:
    producer: str
    facility: str
    product: str
    agreed_quantity_per_day: float
    lead_time_hours: float
    binding: bool
    valid_from: date
    valid_to: date | None = None

    def __post_init__(self) -> None:
        _non_negative("agreed_quantity_per_day", self.agreed_quantity_per_day)
        _non_negative("lead_time_hours", self.lead_time_hours)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise NetworkError(f"{self.producer}→{self.facility}: ends before it starts")

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
