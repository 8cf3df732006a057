"""What a region's districts hold and receive, read from the registry, in Nm³.

The scenario gap table and the N-1 contingency both need, per district: on-site
generation, usable storage, contracted supply and what the fleet can carry there. These
are derived here, in one place, from registry rows; the arithmetic on them is in the core.

Estimates, all stated in the result's basis:
- a vehicle makes as many round trips per shift as fit (road distance at
  ``LOADED_KM_PER_H`` plus ``HANDLING_H`` per trip), and its capacity is shared equally
  among the districts its organisation has contracts with;
- every gas figure is Nm³ at one set of reference conditions: those asked for, else the
  country's. LOX is converted at them; PSA (Nm³/h) and concentrator (L/min) ratings are
  taken as stated at normal conditions (0 °C) and restated; cylinders count their usable
  content (above the residual pressure), as demand does;
- a contract is live on the country's local date.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from oxyflow.core import network, units
from oxyflow.registry import models as reg
from oxyflow.registry.services import core_facility

# India 2021: loaded tankers limited to 40-45 km/h (demo fact sheet C.3).
LOADED_KM_PER_H = 45.0
# Loading at the plant plus filling the hospital tank, per trip (ESTIMATE).
HANDLING_H = 3.0
DEFAULT_SHIFT_H = 12.0


@dataclass
class DistrictCapacity:
    code: str
    name: str
    population: int | None = None
    beds_oxygen: int = 0
    beds_icu: int = 0
    onsite_nm3_per_day: float = 0.0
    storage_nm3: float = 0.0
    contracted_nm3_per_day: float = 0.0
    transport_nm3_per_day: float = 0.0
    suppliers: set[str] = field(default_factory=set)


def _country(region: reg.Region) -> reg.Country | None:
    return reg.Country.objects.filter(region__code=region.path.split("/", 1)[0]).first()


def reference_conditions(region: reg.Region) -> units.ReferenceConditions:
    country = _country(region)
    return units.reference_conditions(country.lox_reference if country else "normal")


def local_today(region: reg.Region) -> date:
    """Today in the region's country (its time zone), e.g. for contract validity."""
    country = _country(region)
    now = timezone.now()
    return country.calendar().local_date(now) if country else timezone.localdate(now)


def describe_conditions(conditions: units.ReferenceConditions) -> str:
    """``normal conditions (0 °C, 1.01325 bar)``: how units name their conditions."""
    return (
        f"{conditions.name} conditions ({conditions.temperature_c:g} °C, "
        f"{conditions.pressure_bar:g} bar)"
    )


def nm3_unit(conditions: units.ReferenceConditions, per: str = "") -> str:
    """The unit text of a gas figure, e.g. ``Nm³/day at 21c conditions (21.1 °C, …)``."""
    return f"Nm³{per} at {describe_conditions(conditions)}"


def cylinder_usable_nm3(
    cylinder_type: reg.CylinderType, conditions: units.ReferenceConditions
) -> float:
    """Gas a full cylinder delivers above its residual pressure, Nm³ at ``conditions``."""
    return float(units.to_magnitude(cylinder_type.spec().usable_content(conditions), "Nm3"))


def onsite_nm3_per_day(
    psa_nm3_per_h: float, concentrators_l_per_min: float, conditions: units.ReferenceConditions
) -> float:
    """PSA and concentrator output per day, rated at normal conditions, at ``conditions``."""
    at_normal = units.Quantity(psa_nm3_per_h * 24 + concentrators_l_per_min * 1.44, "Nm3")
    return units.to_magnitude(units.convert_gas_volume(at_normal, units.NORMAL, conditions), "Nm3")


def districts_of(region: reg.Region) -> list[reg.Region]:
    """The level below a province (daïra, huyện); a district stands for itself."""
    if region.level == reg.RegionLevel.PROVINCE:
        return list(region.children.filter(retired_on__isnull=True).order_by("code"))
    return [region]


def _district_of(site_region_path: str, districts: list[reg.Region]) -> reg.Region | None:
    for district in districts:
        if site_region_path.startswith(district.path):
            return district
    return None


def shift_hours(vehicle: reg.Vehicle) -> float:
    if vehicle.shift_start and vehicle.shift_end:
        start = datetime.combine(date.min, vehicle.shift_start)
        end = datetime.combine(date.min, vehicle.shift_end)
        hours = (end - start).total_seconds() / 3600
        return hours if hours > 0 else hours + 24
    return DEFAULT_SHIFT_H


def trip_capacity_nm3(vehicle: reg.Vehicle, conditions: units.ReferenceConditions) -> float:
    per_kg = float(units.to_magnitude(units.gas_volume_per_kg(conditions), "Nm3/kg"))
    nm3 = float(vehicle.capacity_kg or 0) * per_kg
    for load in vehicle.cylinder_capacities.all():
        nm3 += load.count * cylinder_usable_nm3(load.cylinder_type, conditions)
    return nm3


def district_capacities(
    region: reg.Region,
    on_day: date | None = None,
    conditions: units.ReferenceConditions | None = None,
) -> list[DistrictCapacity]:
    """Per district of ``region``: beds, on-site generation, storage, contracts, transport.

    Gas is Nm³ at ``conditions`` (default: the country's); contracts are live on
    ``on_day`` (default: today in the country).
    """
    conditions = conditions or reference_conditions(region)
    per_kg = float(units.to_magnitude(units.gas_volume_per_kg(conditions), "Nm3/kg"))
    districts = districts_of(region)
    result = {
        d.code: DistrictCapacity(code=d.code, name=d.name, population=d.population)
        for d in districts
    }
    facilities = (
        reg.Facility.objects.active()
        .filter(region__path__startswith=region.path)
        .select_related("region")
        .prefetch_related("lox_tanks", "concentrators")
    )
    facility_district: dict[int, str] = {}
    for facility in facilities:
        district = _district_of(facility.region.path, districts)
        if district is None:
            continue
        facility_district[facility.pk] = district.code
        row = result[district.code]
        row.beds_oxygen += facility.beds_oxygen
        row.beds_icu += facility.beds_icu
        core = core_facility(facility)
        row.onsite_nm3_per_day += onsite_nm3_per_day(
            core.psa_output_nm3_per_h, core.concentrator_output_l_per_min, conditions
        )
        row.storage_nm3 += sum(t.usable_capacity_kg for t in core.lox_tanks) * per_kg
    contracts = reg.SupplyContract.objects.filter(facility_id__in=facility_district).select_related(
        "product__cylinder_type", "producer__organisation", "producer"
    )
    day = on_day or local_today(region)
    org_districts: dict[int, set[str]] = defaultdict(set)
    for contract in contracts:
        if contract.valid_from > day or (contract.valid_to and contract.valid_to < day):
            continue
        code = facility_district[contract.facility_id]
        quantity = float(contract.agreed_quantity_per_day)
        if contract.product.kind == reg.ProductKind.LOX:
            nm3 = quantity * per_kg
        elif contract.product.kind == reg.ProductKind.CYLINDER and contract.product.cylinder_type:
            nm3 = quantity * cylinder_usable_nm3(contract.product.cylinder_type, conditions)
        else:
            continue
        result[code].contracted_nm3_per_day += nm3
        result[code].suppliers.add(contract.producer.code)
        if contract.producer.organisation_id:
            org_districts[contract.producer.organisation_id].add(code)
    centroids = {d.code: centroid(d) for d in districts}
    vehicles = (
        reg.Vehicle.objects.filter(
            organisation_id__in=org_districts, status=reg.VehicleStatus.AVAILABLE
        )
        .select_related("home_depot")
        .prefetch_related("cylinder_capacities__cylinder_type")
    )
    for vehicle in vehicles:
        served = sorted(org_districts[vehicle.organisation_id])
        capacity = trip_capacity_nm3(vehicle, conditions)
        home = site_location(vehicle.home_depot)
        for code in served:
            target = centroids.get(code)
            if target is None:
                continue
            round_trip_h = 2 * network.road_km(home, target) / LOADED_KM_PER_H + HANDLING_H
            trips = max(math.floor(shift_hours(vehicle) / round_trip_h), 0)
            result[code].transport_nm3_per_day += trips * capacity / len(served)
    return list(result.values())


def site_location(site: reg.Site) -> network.Location:
    return network.Location(float(site.latitude), float(site.longitude))


def centroid(region: reg.Region) -> network.Location | None:
    if region.latitude is not None and region.longitude is not None:
        return network.Location(float(region.latitude), float(region.longitude))
    sites = reg.Site.objects.filter(region__path__startswith=region.path)
    points = [(float(s.latitude), float(s.longitude)) for s in sites]
    if not points:
        return None
    return network.Location(
        sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
    )
