"""N-1 contingency for a region, built from the registry: who goes short if a producer stops.

The network handed to :mod:`oxyflow.core.contingency` is built here, in one place:

- **nodes**: the region's districts. Need per day comes from a scenario (N patients spread
  over the districts exactly as :func:`oxyflow.scenarios.services.run` does); on-site
  generation and usable storage from :func:`~oxyflow.scenarios.network.district_capacities`.
- **sources**: every active producer of the region's country, plus any producer under a
  live contract with a facility of the region (wherever it is). Capacity is the sum of its
  registered LOX (kg/day) and cylinder (fills/day) capacities as gas; a contracted producer
  with no registered capacity counts its live contracts with the region (it has committed
  to deliver them). A producer with neither ships nothing.
- **links**: every contracted producer → district pair, plus each district's K nearest
  producers (:func:`~oxyflow.core.contingency.nearest_links`, from the district centroid).
  A contracted link carries the district's contracted fleet transport
  (``district_capacities``) shared equally among its contracted suppliers; any other link
  carries what the producer organisation's available vehicles can move over that road
  distance in a day (whole round trips per shift, as in ``network.py``), counted whole on
  every link — an upper bound, since one fleet cannot serve every link at once.

Every volume is Nm³ of gas at one set of reference conditions (the request's, else the
country's): LOX, cylinders (usable content) and on-site generation are all stated at them
(``district_capacities`` and ``trip_capacity_nm3`` are asked for those conditions).

Visibility: every producer counts in the computation, since re-supply depends on the
national picture. The report names only the producers the user may see; the others are
summed into one anonymous source (:data:`OTHER_PRODUCERS`), and outages are listed only
for visible producers. Without a user (the CLI, an operator) everything is visible.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from oxyflow.accounts import scopes
from oxyflow.core import contingency as core
from oxyflow.core import network as core_network
from oxyflow.core import units
from oxyflow.core.scenarios import ScenarioError
from oxyflow.registry import models as reg
from oxyflow.scenarios import services
from oxyflow.scenarios.network import (
    HANDLING_H,
    LOADED_KM_PER_H,
    centroid,
    cylinder_usable_nm3,
    describe_conditions,
    district_capacities,
    districts_of,
    local_today,
    nm3_unit,
    reference_conditions,
    shift_hours,
    site_location,
    trip_capacity_nm3,
)

MAX_HORIZON_DAYS = 60
# The one source that stands for every producer the user may not see.
OTHER_PRODUCERS = "other-national-producers"
OTHER_PRODUCERS_NAME = "Other producers in the country"


@dataclass(frozen=True)
class ContingencyRequest:
    """A scenario (patients and how they are spread) and the N-1 settings."""

    patients: int
    profile: str = "who"
    mix: str = "esft"
    severe_share: float = 0.75
    reserve_days: float = 3.0
    spread: services.SpreadBasis = "population"
    conditions: str | None = None
    horizon_days: int = core.DEFAULT_HORIZON_DAYS
    nearest: int = core.DEFAULT_NEAREST_SOURCES


@dataclass(frozen=True)
class RegionNetwork:
    """The core network of a region, with the names and facts needed to report on it."""

    network: core.SupplyNetwork
    district_names: dict[str, str]
    producer_names: dict[str, str]
    contracted: frozenset[tuple[str, str]]
    conditions: units.ReferenceConditions
    basis: str
    # Producers in the network that the user may not see (reported only in aggregate).
    hidden: frozenset[str] = frozenset()


def _per_kg(conditions: units.ReferenceConditions) -> float:
    return float(units.to_magnitude(units.gas_volume_per_kg(conditions), "Nm3/kg"))


def _product_nm3(
    product: reg.Product, quantity: float, conditions: units.ReferenceConditions
) -> float:
    """Gas in ``quantity`` of a product (kg of LOX, or full cylinders at their usable
    content above the residual pressure); 0 for anything else."""
    if product.kind == reg.ProductKind.LOX:
        return quantity * _per_kg(conditions)
    if product.kind == reg.ProductKind.CYLINDER and product.cylinder_type is not None:
        return quantity * cylinder_usable_nm3(product.cylinder_type, conditions)
    return 0.0


def _live(contract: reg.SupplyContract, day: date) -> bool:
    return contract.valid_from <= day and (contract.valid_to is None or contract.valid_to >= day)


def _fleet_nm3_per_day(vehicles: list[reg.Vehicle], km: float, per_trip: dict[int, float]) -> float:
    """What these vehicles carry over ``km`` of road in a day: whole round trips per shift."""
    round_trip_h = 2 * km / LOADED_KM_PER_H + HANDLING_H
    return sum(max(math.floor(shift_hours(v) / round_trip_h), 0) * per_trip[v.pk] for v in vehicles)


def _producers(
    country_code: str, contracts: list[reg.SupplyContract], conditions: units.ReferenceConditions
) -> tuple[list[reg.Producer], dict[str, float], list[str]]:
    """Active producers of the country plus contracted ones, their capacity (Nm³/day), and
    the contracted producers counted at their contracts for want of a registered capacity.
    """
    contracted_codes = {c.producer.code for c in contracts}
    producers = list(
        reg.Producer.objects.filter(
            Q(retired_on__isnull=True, region__path__startswith=f"{country_code}/")
            | Q(code__in=contracted_codes)
        )
        .distinct()
        .order_by("code")
    )
    capacity_rows = reg.ProducerCapacity.objects.filter(
        producer__in=[p.pk for p in producers]
    ).select_related("product__cylinder_type")
    capacity: dict[str, float] = defaultdict(float)
    registered: set[str] = set()
    code_of = {p.pk: p.code for p in producers}
    for row in capacity_rows:
        code = code_of[row.producer_id]
        capacity[code] += _product_nm3(row.product, float(row.capacity_per_day), conditions)
        registered.add(code)
    committed: dict[str, float] = defaultdict(float)
    for contract in contracts:
        committed[contract.producer.code] += _product_nm3(
            contract.product, float(contract.agreed_quantity_per_day), conditions
        )
    from_contracts = sorted(code for code in contracted_codes if code not in registered)
    for code in from_contracts:
        capacity[code] = committed[code]
    return producers, capacity, from_contracts


def build_network(
    region: reg.Region,
    need_nm3_per_day: dict[str, float],
    *,
    conditions: units.ReferenceConditions | None = None,
    nearest: int = core.DEFAULT_NEAREST_SOURCES,
    on_day: date | None = None,
    user: Any = None,
) -> RegionNetwork:
    """The supply network of ``region``'s districts, given each district's need (Nm³/day).

    ``need_nm3_per_day`` maps district codes to need (a missing district needs nothing);
    volumes are Nm³ at ``conditions`` (default: the country's); contracts are live on
    ``on_day`` (default: today in the country). With a ``user``, the producers they may
    not see are marked ``hidden`` (still in the network). Raises
    :class:`~oxyflow.core.contingency.ContingencyError` if a figure breaks a network rule.
    """
    day = on_day or local_today(region)
    conditions = conditions or reference_conditions(region)
    capacities = district_capacities(region, on_day=day, conditions=conditions)
    districts = districts_of(region)
    centroids = {d.code: centroid(d) for d in districts}
    nodes = tuple(
        core.DemandNode(
            code=c.code,
            need_nm3_per_day=float(need_nm3_per_day.get(c.code, 0.0)),
            storage_nm3=c.storage_nm3,
            onsite_nm3_per_day=c.onsite_nm3_per_day,
        )
        for c in capacities
    )
    district_of_facility: dict[int, str] = {}
    for facility_id, path in (
        reg.Facility.objects.active()
        .filter(region__path__startswith=region.path)
        .values_list("pk", "region__path")
    ):
        home = next((d for d in districts if path.startswith(d.path)), None)
        if home is not None:
            district_of_facility[facility_id] = home.code

    country_code = region.path.split("/", 1)[0]
    contracts = [
        c
        for c in reg.SupplyContract.objects.filter(
            facility_id__in=district_of_facility
        ).select_related("product__cylinder_type", "producer")
        if _live(c, day)
    ]
    producers, capacity, from_contracts = _producers(country_code, contracts, conditions)
    sources = tuple(core.Source(p.code, capacity[p.code]) for p in producers)

    # Contracted links: the district's contracted transport, shared among its suppliers.
    pairs = sorted(
        {(c.producer.code, district_of_facility[c.facility_id]) for c in contracts},
    )
    suppliers_of: dict[str, int] = defaultdict(int)
    for _source, node in pairs:
        suppliers_of[node] += 1
    transport_of = {c.code: c.transport_nm3_per_day for c in capacities}
    location_of = {p.code: site_location(p) for p in producers}
    links: list[core.Link] = []
    for source, node in pairs:
        target = centroids.get(node)
        km = core_network.road_km(location_of[source], target) if target else 0.0
        links.append(core.Link(source, node, transport_of[node] / suppliers_of[node], km))

    # Nearest links: the producer organisation's whole available fleet over that distance.
    organisation_of = {p.code: p.organisation_id for p in producers}
    vehicles = list(
        reg.Vehicle.objects.filter(
            organisation_id__in={o for o in organisation_of.values() if o is not None},
            status=reg.VehicleStatus.AVAILABLE,
        ).prefetch_related("cylinder_capacities__cylinder_type")
    )
    per_trip = {v.pk: trip_capacity_nm3(v, conditions) for v in vehicles}
    fleet: dict[int, list[reg.Vehicle]] = defaultdict(list)
    for vehicle in vehicles:
        fleet[vehicle.organisation_id].append(vehicle)

    def transport(source: str, district: str, km: float) -> float:
        organisation = organisation_of[source]
        return (
            0.0 if organisation is None else _fleet_nm3_per_day(fleet[organisation], km, per_trip)
        )

    located = {code: loc for code, loc in centroids.items() if loc is not None}
    contracted = frozenset(pairs)
    if located and producers:
        for link in core.nearest_links(
            located, location_of, k=nearest, transport_nm3_per_day=transport
        ):
            if (link.source, link.node) not in contracted and link.transport_nm3_per_day > 0:
                links.append(link)

    hidden: frozenset[str] = frozenset()
    if user is not None:
        seen = set(
            scopes.visible(
                reg.Producer.objects.filter(pk__in=[p.pk for p in producers]), user
            ).values_list("code", flat=True)
        )
        hidden = frozenset(p.code for p in producers if p.code not in seen)

    basis = (
        f"Gas in Nm³ at {describe_conditions(conditions)}. Sources: active producers of "
        f"{country_code} and "
        "producers under contract with the region, at their registered LOX and cylinder "
        "capacity per day"
        + (
            " (no registered capacity, counted at their contracts: "
            f"{_named(from_contracts, hidden)})"
            if from_contracts
            else ""
        )
        + f". Links: contracted producer→district pairs, carrying the district's contracted "
        f"fleet transport shared among its suppliers, and each district's {nearest} nearest "
        "producers by road from its centroid, carrying what the producer's available "
        f"vehicles move in a day (whole round trips per shift at {LOADED_KM_PER_H:g} km/h "
        f"loaded plus {HANDLING_H:g} h handling; ESTIMATE, an upper bound: the fleet is "
        "counted whole on every link). Storage is usable LOX above safety levels; on-site "
        "generation is PSA and concentrators (rated at normal conditions, restated); "
        "cylinders count their usable content above the residual pressure. Shortage is "
        "placed by least total shortage, then least road distance."
        + (
            f" {len(hidden)} producer(s) you cannot see are counted in the computation but "
            f"reported together as '{OTHER_PRODUCERS}' (summed capacity; their links summed "
            "per district, without road distance); outages are listed only for producers "
            "you can see."
            if hidden
            else ""
        )
    )
    return RegionNetwork(
        network=core.SupplyNetwork(nodes, sources, tuple(links)),
        district_names={c.code: c.name for c in capacities},
        producer_names={p.code: p.name for p in producers},
        contracted=contracted,
        conditions=conditions,
        basis=basis,
        hidden=hidden,
    )


def _named(codes: list[str], hidden: frozenset[str]) -> str:
    """The visible ``codes``, then how many others there are (their codes stay hidden)."""
    shown = [code for code in codes if code not in hidden]
    others = len(codes) - len(shown)
    if others:
        shown.append(f"{others} other producer(s)")
    return ", ".join(shown)


def _conditions(request: ContingencyRequest, region: reg.Region) -> units.ReferenceConditions:
    if request.conditions is None:
        return reference_conditions(region)
    try:
        return units.reference_conditions(request.conditions)
    except units.UnitError:
        raise ScenarioError(
            "conditions",
            request.conditions,
            "must be one of " + ", ".join(units.REFERENCE_CONDITIONS),
        ) from None


def district_needs(request: ContingencyRequest, region: reg.Region) -> dict[str, float]:
    """Each district's oxygen need (Nm³/day) for the request's scenario, as services.run has it."""
    scenario = services.run(
        services.ScenarioRequest(
            patients=(request.patients,),
            profile=request.profile,
            mix=request.mix,
            severe_share=request.severe_share,
            reserve_days=request.reserve_days,
            spread=request.spread,
            conditions=request.conditions,
        ),
        region,
    )
    return {d["code"]: float(d["oxygen_m3_per_day"]) for d in scenario["scenarios"][0]["districts"]}


def run(request: ContingencyRequest, region: reg.Region, user: Any = None) -> dict[str, Any]:
    """Baseline allocation and the N-1 outages of ``region`` for a scenario, JSON-able.

    Outages list every producer ``user`` may see (all without a user), largest total
    shortfall first; producers hidden from the user are computed with but reported only
    in aggregate. Raises ``ScenarioError`` / ``DemandError`` (field, value, rule) on bad
    input.
    """
    if not 1 <= request.horizon_days <= MAX_HORIZON_DAYS:
        raise ScenarioError(
            "horizon_days", request.horizon_days, f"must be between 1 and {MAX_HORIZON_DAYS}"
        )
    if request.nearest < 1:
        raise ScenarioError("nearest", request.nearest, "must be at least 1")
    conditions = _conditions(request, region)
    needs = district_needs(request, region)
    try:
        built = build_network(
            region, needs, conditions=conditions, nearest=request.nearest, user=user
        )
        allocation = core.allocate(built.network)
        impacts = core.n_minus_1(built.network, horizon_days=request.horizon_days)
    except core.ContingencyError as exc:
        raise ScenarioError(exc.field, exc.value, exc.rule) from None
    return report(request, region, built, allocation, impacts)


def _largest_shortfall_first(outage: dict[str, Any]) -> tuple[float, float, str]:
    return (
        -outage["total_shortfall_m3_per_day"],
        -outage["added_shortfall_m3_per_day"],
        outage["code"],
    )


def report(
    request: ContingencyRequest,
    region: reg.Region,
    built: RegionNetwork,
    allocation: core.Allocation,
    impacts: list[core.OutageImpact],
) -> dict[str, Any]:
    """The result as plain numbers (Nm³ rounded to 0.1), units in the keys and ``units``.

    Producers in ``built.hidden`` appear only as one :data:`OTHER_PRODUCERS` source (summed
    capacity) and one link per district (summed transport, no road distance); no outage
    is listed for them.
    """
    net = built.network
    names = built.district_names
    hidden = built.hidden
    impacts = [impact for impact in impacts if impact.source not in hidden]
    outages = [
        {
            "code": impact.source,
            "name": built.producer_names[impact.source],
            "total_shortfall_m3_per_day": round(impact.total_shortfall_nm3_per_day, 1),
            "added_shortfall_m3_per_day": round(impact.added_shortfall_nm3_per_day, 1),
            "districts_short": [
                {
                    "code": row.node,
                    "name": names[row.node],
                    "shortfall_m3_per_day": round(row.shortfall_nm3_per_day, 1),
                    "baseline_shortfall_m3_per_day": round(row.baseline_shortfall_nm3_per_day, 1),
                    "storage_m3": round(row.storage_nm3, 1),
                    "short_from_day": row.short_from_day,
                }
                for row in impact.districts_short
            ],
        }
        for impact in impacts
    ]
    outages.sort(key=_largest_shortfall_first)
    per_day = nm3_unit(built.conditions, "/day")
    return {
        "region": region.code,
        "patients": request.patients,
        "reference_conditions": built.conditions.name,
        "horizon_days": request.horizon_days,
        "units": {
            "need_m3_per_day": per_day,
            "shortage_m3_per_day": per_day,
            "storage_m3": nm3_unit(built.conditions),
            "capacity_m3_per_day": per_day,
            "transport_m3_per_day": per_day,
            "road_km": "km",
        },
        "districts": [
            {
                "code": node.code,
                "name": names[node.code],
                "need_m3_per_day": round(node.need_nm3_per_day, 1),
                "onsite_m3_per_day": round(node.onsite_nm3_per_day, 1),
                "storage_m3": round(node.storage_nm3, 1),
                "supplied_m3_per_day": round(float(allocation.supplied_nm3_per_day(node.code)), 1),
            }
            for node in net.nodes
        ],
        "sources": _sources(built),
        "links": _links(built),
        "baseline": {
            "total_shortage_m3_per_day": round(allocation.total_shortage_nm3_per_day, 1),
            "districts": [
                {
                    "code": code,
                    "name": names[code],
                    "shortage_m3_per_day": round(shortage, 1),
                }
                for code, shortage in allocation.shortage_nm3_per_day.items()
            ],
        },
        "outages": outages,
        "basis": built.basis,
    }


def _transport(nm3_per_day: float) -> float | None:
    return None if math.isinf(nm3_per_day) else round(nm3_per_day, 1)


def _sources(built: RegionNetwork) -> list[dict[str, Any]]:
    """Visible sources by name; hidden ones summed into one anonymous row."""
    rows: list[dict[str, Any]] = [
        {
            "code": s.code,
            "name": built.producer_names[s.code],
            "capacity_m3_per_day": round(s.capacity_nm3_per_day, 1),
        }
        for s in built.network.sources
        if s.code not in built.hidden
    ]
    if built.hidden:
        total = sum(s.capacity_nm3_per_day for s in built.network.sources if s.code in built.hidden)
        rows.append(
            {
                "code": OTHER_PRODUCERS,
                "name": OTHER_PRODUCERS_NAME,
                "capacity_m3_per_day": round(total, 1),
            }
        )
    return rows


def _links(built: RegionNetwork) -> list[dict[str, Any]]:
    """Visible links one by one; hidden producers' links summed per district."""
    rows: list[dict[str, Any]] = []
    other: dict[str, tuple[bool, float]] = {}
    for link in built.network.links:
        contracted = (link.source, link.node) in built.contracted
        if link.source in built.hidden:
            was_contracted, transport = other.get(link.node, (False, 0.0))
            other[link.node] = (
                was_contracted or contracted,
                transport + link.transport_nm3_per_day,
            )
            continue
        rows.append(
            {
                "producer": link.source,
                "district": link.node,
                "contracted": contracted,
                "transport_m3_per_day": _transport(link.transport_nm3_per_day),
                "road_km": round(link.cost_per_nm3, 1),
            }
        )
    for node, (contracted, transport) in sorted(other.items()):
        rows.append(
            {
                "producer": OTHER_PRODUCERS,
                "district": node,
                "contracted": contracted,
                "transport_m3_per_day": _transport(transport),
                "road_km": None,
            }
        )
    return rows
