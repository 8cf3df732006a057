"""The demo region: Batna (Algeria) and Bình Phước (Viet Nam) as they stood in 2021.

Illustrative numbers for demonstrations and training, not an operational dataset. The
tables, with the source of each number, are in :mod:`oxyflow.registry.demo_data`.

:func:`load` is idempotent: every row is found by its natural key (a code, or its parent
and a name), set to the values of those tables and validated with ``full_clean()``
before it is saved. A row that already holds these values is not written again, so a
second load adds no rows and no history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction

from oxyflow.accounts.models import Profile
from oxyflow.core import units
from oxyflow.registry import models as reg
from oxyflow.registry.demo_data import (
    BATNA_COMMUNE_POPULATION,
    BATNA_COMMUNES,
    BINH_PHUOC_DISTRICTS,
    COMMUNE,
    CONTACT_NAMES,
    COUNTRIES,
    CYLINDER_BACKUP_SHARE,
    CYLINDER_SUPPLY,
    CYLINDER_TYPES,
    DAIRA,
    DEPOTS,
    FACILITIES,
    HANDLING_H,
    LOADED_KM_PER_H,
    LOX_FLOOR_SHARE,
    LOX_SUPPLY,
    MEAN_FLOW_L_PER_MIN,
    ORGANISATIONS,
    PHONE_FORMAT,
    PRODUCERS,
    PRODUCTS,
    PROVINCES,
    REQUISITION_FROM,
    ROAD_FACTOR,
    SHIFTS,
    SUPERUSERS,
    USERS,
    VEHICLES,
    FacilitySpec,
    cylinder_product,
    lox_kg,
)

DEMO_PASSWORD = "oxyflow-demo-2021"
CHANGE_REASON = "demo data"

# --------------------------------------------------------------------------- loading

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role_label: str
    scope: str


@dataclass
class DemoSummary:
    countries: int = 0
    regions: int = 0
    facilities: int = 0
    producers: int = 0
    depots: int = 0
    vehicles: int = 0
    contracts: int = 0
    logins: list[DemoLogin] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"Demo region loaded: {self.countries} countries, {self.regions} regions, "
            f"{self.facilities} facilities, {self.producers} producers, {self.depots} depots, "
            f"{self.vehicles} vehicles, {self.contracts} contracts."
        )


@transaction.atomic
def load() -> DemoSummary:
    """Create or update the demo region, its sites, fleet, contracts and demo users.

    Idempotent and all-or-nothing: a second call finds every row by its key and changes
    only what differs from the tables in :mod:`~oxyflow.registry.demo_data`. Raises
    ``ValidationError`` if a row breaks a model rule (nothing is then saved).
    """
    countries, regions = _load_regions()
    products = _load_products()
    organisations = _load_organisations(countries)
    producers = _load_producers(organisations, products)
    facilities = _load_facilities()
    depots = _load_depots(organisations)
    return DemoSummary(
        countries=len(countries),
        regions=regions,
        facilities=len(facilities),
        producers=len(producers),
        depots=len(depots),
        vehicles=_load_fleet(organisations),
        contracts=_load_contracts(facilities, producers, products),
        logins=_load_users(organisations),
    )


def _upsert(model: type[M], key: dict[str, Any], **values: Any) -> M:
    """The row found by ``key``, created or set to ``values``, validated, then saved.

    A row that already holds ``values`` is left alone, so reloading writes no history.
    """
    obj = model._default_manager.filter(**key).first()
    if obj is not None and all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    if obj is None:
        obj = model(**key)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj._change_reason = CHANGE_REASON  # type: ignore[attr-defined]  # read by simple_history
    obj.save()
    return obj


def _decimal(value: str | float | None) -> Decimal | None:
    """A stored number: strings as written, computed floats to one decimal."""
    if value is None or isinstance(value, str):
        return None if value is None else Decimal(value)
    return round(Decimal(str(value)), 1)


def _region(code: str, name: str, level: str, parent: reg.Region | None, **extra: Any) -> None:
    for coordinate in ("latitude", "longitude"):
        extra[coordinate] = _decimal(extra.get(coordinate))
    _upsert(reg.Region, {"code": code}, name=name, level=level, parent=parent, **extra)


def _load_regions() -> tuple[dict[str, reg.Country], int]:
    countries = {}
    for code, name, local, time_zone, weekend, lox_unit in COUNTRIES:
        _region(code, name, reg.RegionLevel.COUNTRY, None, name_local=local)
        countries[code] = _upsert(
            reg.Country,
            {"iso_code": code},
            region=reg.Region.objects.get(code=code),
            time_zone=time_zone,
            weekend_days=weekend,
            default_lox_unit=lox_unit,
            lox_reference=reg.LoxReference.NORMAL,
        )
    for code, country, name, local, lat, lon, population in PROVINCES:
        parent = countries[country].region
        _region(
            code, name, reg.RegionLevel.PROVINCE, parent,
            name_local=local, latitude=lat, longitude=lon, population=population,
        )  # fmt: skip
    batna = reg.Region.objects.get(code="DZ-05")
    for daira, code in DAIRA.items():
        # A daïra takes its seat's point: the commune of the same name.
        _daira, daira_ar, _seat, _seat_ar, lat, lon = next(
            row for row in BATNA_COMMUNES if row[0] == row[2] == daira
        )
        _region(
            code, f"{daira} (daïra)", reg.RegionLevel.DISTRICT, batna,
            name_local=daira_ar, latitude=lat, longitude=lon,
        )  # fmt: skip
    for daira, _daira_ar, commune, commune_ar, lat, lon in BATNA_COMMUNES:
        _region(
            COMMUNE[commune], commune, reg.RegionLevel.COMMUNE,
            reg.Region.objects.get(code=DAIRA[daira]),
            name_local=commune_ar, latitude=lat, longitude=lon,
            population=BATNA_COMMUNE_POPULATION.get(commune),
        )  # fmt: skip
    binh_phuoc = reg.Region.objects.get(code="VN-70")
    for gso, name, type_vi, type_en, population, lat, lon in BINH_PHUOC_DISTRICTS:
        _region(
            f"VN-70-{gso}", f"{name} ({type_en})", reg.RegionLevel.DISTRICT, binh_phuoc,
            name_local=f"{type_vi} {name}", latitude=lat, longitude=lon, population=population,
        )  # fmt: skip
    count = len(COUNTRIES) + len(PROVINCES) + len(DAIRA) + len(COMMUNE) + len(BINH_PHUOC_DISTRICTS)
    return countries, count


def _load_products() -> dict[str, reg.Product]:
    products = {}
    for code, name, water_l, bar in CYLINDER_TYPES:
        cylinder = _upsert(
            reg.CylinderType,
            {"code": code},
            name=name,
            water_capacity_l=Decimal(water_l),
            fill_pressure_bar=Decimal(bar),
        )
        products[cylinder_product(code)] = _upsert(
            reg.Product,
            {"code": cylinder_product(code)},
            name=f"Oxygen cylinder {name}",
            kind=reg.ProductKind.CYLINDER,
            unit_of_issue=reg.UnitOfIssue.CYLINDER,
            cylinder_type=cylinder,
            concentrator_flow_l_per_min=None,
            pack_size=1,
        )
    for code, name, kind, unit, pack, flow in PRODUCTS:
        products[code] = _upsert(
            reg.Product,
            {"code": code},
            name=name,
            kind=kind,
            unit_of_issue=unit,
            cylinder_type=None,
            concentrator_flow_l_per_min=_decimal(flow),
            pack_size=pack,
        )
    return products


def _load_organisations(countries: dict[str, reg.Country]) -> dict[str, reg.Organisation]:
    return {
        code: _upsert(
            reg.Organisation,
            {"code": code},
            name=name,
            kind=kind,
            ownership=ownership,
            country=countries[country],
        )
        for code, name, country, kind, ownership in ORGANISATIONS
    }


def _contact(site: reg.Site, role: str, number: int) -> None:
    """One fictional contact per site and role; ``number`` makes the phone unique."""
    country = site.code[:2]
    names = CONTACT_NAMES[country]
    mailbox = "dispatch" if role == reg.ContactRole.DISPATCHER else "oxygen"
    _upsert(
        reg.Contact,
        {"site": site, "role": role},
        name=names[number % len(names)],
        phone=PHONE_FORMAT[country].format(number // 100, number % 100),
        email=f"{mailbox}@{site.code[3:].lower()}.example",
    )


def _load_producers(
    organisations: dict[str, reg.Organisation], products: dict[str, reg.Product]
) -> dict[str, reg.Producer]:
    producers = {}
    for number, spec in enumerate(PRODUCERS, start=100):
        producer = producers[spec.code] = _upsert(
            reg.Producer,
            {"code": spec.code},
            name=spec.name,
            region=reg.Region.objects.get(code=spec.region),
            organisation=organisations[spec.organisation],
            latitude=_decimal(spec.lat),
            longitude=_decimal(spec.lon),
            producer_type=spec.producer_type,
            ownership=organisations[spec.organisation].ownership,
            lox_storage_kg=_decimal(lox_kg(spec.lox_storage_l)),
            cylinder_storage_count=spec.cylinder_storage,
            notes=spec.notes,
        )
        for product, per_day in spec.capacities.items():
            _upsert(
                reg.ProducerCapacity,
                {"producer": producer, "product": products[product]},
                capacity_per_day=_decimal(per_day),
            )
        _contact(producer, reg.ContactRole.DISPATCHER, number)
    return producers


def _load_facilities() -> dict[str, reg.Facility]:
    """Facilities with their tanks, concentrators and contacts; pins at their region's point."""
    facilities = {}
    for number, spec in enumerate(FACILITIES, start=1):
        region = reg.Region.objects.get(code=spec.region)
        manifold = reg.CylinderType.objects.get(code=CYLINDER_SUPPLY[spec.code[:2]][0])
        facility = facilities[spec.code] = _upsert(
            reg.Facility,
            {"code": spec.code},
            name=spec.name,
            name_local=spec.name_local,
            region=region,
            latitude=region.latitude,
            longitude=region.longitude,
            notes=spec.notes,
            facility_type=spec.facility_type,
            beds_total=spec.beds,
            beds_oxygen=spec.beds_oxygen,
            beds_icu=spec.beds_icu,
            priority=spec.priority,
            has_cylinder_manifold=True,  # ESTIMATE: every demo facility has one
            manifold_cylinder_type=manifold,
            psa_output_nm3_per_h=Decimal(spec.psa_nm3_per_h),
        )
        for n, litres in enumerate(spec.tanks_l, start=1):
            _upsert(
                reg.LoxTank,
                {"facility": facility, "name": f"Tank {n}"},
                capacity_liquid_l=Decimal(litres),
                safety_level_pct=Decimal(20),  # ESTIMATE
            )
        # ESTIMATE: one 5 L/min concentrator per 5 oxygen beds, one 10 L/min per 2 ICU beds.
        for flow, count in ((5, spec.beds_oxygen // 5), (10, spec.beds_icu // 2)):
            if count:
                _upsert(
                    reg.FacilityConcentrators,
                    {"facility": facility, "flow_l_per_min": Decimal(flow)},
                    count=count,
                )
        _contact(facility, reg.ContactRole.DIRECTOR, 2 * number)
        _contact(facility, reg.ContactRole.OXYGEN_MANAGER, 2 * number + 1)
    return facilities


def _load_depots(organisations: dict[str, reg.Organisation]) -> dict[str, reg.Depot]:
    depots = {}
    for number, (code, name, organisation, region, lat, lon) in enumerate(DEPOTS, start=200):
        depots[code] = _upsert(
            reg.Depot,
            {"code": code},
            name=name,
            organisation=organisations[organisation],
            region=reg.Region.objects.get(code=region),
            latitude=_decimal(lat),
            longitude=_decimal(lon),
            notes="Illustrative: location and role are estimates.",
        )
        _contact(depots[code], reg.ContactRole.DISPATCHER, number)
    return depots


def _load_fleet(organisations: dict[str, reg.Organisation]) -> int:
    for registration, organisation, home, capacity, in_maintenance in VEHICLES:
        if isinstance(capacity, dict):
            cylinders, capacity_kg = capacity, None
        else:
            cylinders, capacity_kg = {}, _decimal(lox_kg(capacity))
        shift_start, shift_end = SHIFTS[registration[:2]]
        vehicle = _upsert(
            reg.Vehicle,
            {"registration": registration},
            organisation=organisations[organisation],
            kind=reg.VehicleKind.CYLINDER_TRUCK if cylinders else reg.VehicleKind.CRYOGENIC_TANKER,
            capacity_kg=capacity_kg,
            home_depot=reg.Site.objects.get(code=home),
            status=reg.VehicleStatus.MAINTENANCE if in_maintenance else reg.VehicleStatus.AVAILABLE,
            shift_start=shift_start,
            shift_end=shift_end,
        )
        for cylinder_type, count in cylinders.items():
            _upsert(
                reg.VehicleCylinderCapacity,
                {
                    "vehicle": vehicle,
                    "cylinder_type": reg.CylinderType.objects.get(code=cylinder_type),
                },
                count=count,
            )
    return len(VEHICLES)


def distance_km(a: reg.Site, b: reg.Site) -> float:
    """Great-circle distance between two sites (km), from their coordinates."""
    lat1, lon1, lat2, lon2 = (
        math.radians(float(v)) for v in (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def lead_time_hours(producer: reg.Site, facility: reg.Site) -> int:
    """Hours from order to delivery by the demo's rule of thumb (see ROAD_FACTOR)."""
    road_km = distance_km(producer, facility) * ROAD_FACTOR
    return math.ceil(road_km / LOADED_KM_PER_H + HANDLING_H)


def daily_need_nm3(spec: FacilitySpec) -> float:
    """A facility's oxygen need (Nm³/day) with every oxygen bed at the mean flow."""
    return spec.beds_oxygen * MEAN_FLOW_L_PER_MIN * 24 * 60 / 1000


def _load_contracts(
    facilities: dict[str, reg.Facility],
    producers: dict[str, reg.Producer],
    products: dict[str, reg.Product],
) -> int:
    count = 0

    def contract(
        spec: FacilitySpec, producer: str, product: str, per_day: float, start: date
    ) -> None:
        nonlocal count
        facility = facilities[spec.code]
        requisition_from = REQUISITION_FROM.get(spec.code[:2])
        _upsert(
            reg.SupplyContract,
            {
                "producer": producers[producer],
                "facility": facility,
                "product": products[product],
                "valid_from": start,
            },
            agreed_quantity_per_day=_decimal(per_day),
            lead_time_hours=lead_time_hours(producers[producer], facility),
            binding=True,
            requisition=requisition_from is not None and start >= requisition_from,
            valid_to=None,
        )
        count += 1

    for spec in FACILITIES:
        need_nm3 = daily_need_nm3(spec)
        if spec.supply:
            net_nm3 = max(need_nm3 - float(spec.psa_nm3_per_h) * 24, need_nm3 * LOX_FLOOR_SHARE)
            net_kg = units.to_magnitude(
                units.gas_volume_to_lox_mass(units.Quantity(net_nm3, "Nm3")), "kg"
            )
            for producer, share, start in LOX_SUPPLY[spec.supply]:
                contract(spec, producer, "LOX", round(net_kg * share, -1), start)
        cylinder_type, filler, start = CYLINDER_SUPPLY[spec.code[:2]]
        if spec.supply:  # a facility opened later (K72) starts its cylinders with its LOX
            start = max(start, min(lox_start for _p, _s, lox_start in LOX_SUPPLY[spec.supply]))
        per_cylinder_nm3 = reg.CylinderType.objects.get(code=cylinder_type).content_nm3()
        share = CYLINDER_BACKUP_SHARE if spec.tanks_l else 1.0
        cylinders = max(1, math.ceil(need_nm3 * share / per_cylinder_nm3))
        contract(spec, filler, cylinder_product(cylinder_type), cylinders, start)
    return count


def _load_users(organisations: dict[str, reg.Organisation]) -> list[DemoLogin]:
    user_model = get_user_model()
    logins = []
    for username, role, region, organisation, facility, scope in USERS:
        user = user_model._default_manager.filter(username=username).first()
        if user is None:
            user = user_model(username=username, email=f"{username}@demo.example")
            # Set once: a demo user who changed the password keeps the change on reload.
            validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
        user.email = f"{username}@demo.example"
        user.is_active = True
        user.is_staff = role is not None or username in SUPERUSERS
        user.is_superuser = username in SUPERUSERS
        user.full_clean()
        user.save()
        if role is None:
            Profile.objects.filter(user=user).delete()  # an outsider or the superuser
            label = "Superuser" if username in SUPERUSERS else "Outsider (no role)"
        else:
            profile = _upsert(
                Profile,
                {"user": user},
                role=role,
                region=reg.Region.objects.get(code=region) if region else None,
                organisation=organisations[organisation] if organisation else None,
            )
            profile.facilities.set(reg.Facility.objects.filter(code=facility or ""))
            label = str(role.label)
        logins.append(DemoLogin(username=username, role_label=label, scope=scope))
    return logins
