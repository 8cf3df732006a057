"""Factory helpers and the five personas every scope test uses.

A tiny two-country world: Algeria → Batna → Batna daïra / Barika daïra; Viet Nam →
Bình Phước → Đồng Xoài. Personas: a ministry officer (Algeria), a coordinator of
Batna, staff of one Batna facility, staff of one producer organisation, a viewer of
Barika, and an outsider with no role.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from oxyflow.accounts.models import Profile, Role
from oxyflow.registry import models as reg

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def create_region(
    code: str, name: str, level: str, parent: reg.Region | None = None, **extra: Any
) -> reg.Region:
    return reg.Region.objects.create(code=code, name=name, level=level, parent=parent, **extra)


def create_country(
    code: str, name: str, iso: str, time_zone: str, weekend: list[int]
) -> reg.Country:
    region = create_region(code, name, reg.RegionLevel.COUNTRY)
    return reg.Country.objects.create(
        region=region, iso_code=iso, time_zone=time_zone, weekend_days=weekend
    )


def create_organisation(
    code: str, country: reg.Country, kind: str = reg.OrganisationKind.PRODUCER, **extra: Any
) -> reg.Organisation:
    extra.setdefault("ownership", reg.Ownership.PRIVATE)
    return reg.Organisation.objects.create(
        code=code, name=extra.pop("name", code), kind=kind, country=country, **extra
    )


def create_facility(code: str, region: reg.Region, **extra: Any) -> reg.Facility:
    extra.setdefault("name", f"Facility {code}")
    extra.setdefault("facility_type", reg.FacilityType.HOSPITAL)
    extra.setdefault("latitude", Decimal("35.5"))
    extra.setdefault("longitude", Decimal("6.1"))
    extra.setdefault("beds_total", 100)
    extra.setdefault("beds_oxygen", 40)
    extra.setdefault("beds_icu", 8)
    return reg.Facility.objects.create(code=code, region=region, **extra)


def create_producer(
    code: str, region: reg.Region, organisation: reg.Organisation | None = None, **extra: Any
) -> reg.Producer:
    extra.setdefault("name", f"Producer {code}")
    extra.setdefault("producer_type", reg.ProducerType.ASU)
    extra.setdefault("ownership", reg.Ownership.PRIVATE)
    extra.setdefault("latitude", Decimal("36.0"))
    extra.setdefault("longitude", Decimal("6.5"))
    return reg.Producer.objects.create(code=code, region=region, organisation=organisation, **extra)


def create_depot(
    code: str, region: reg.Region, organisation: reg.Organisation | None = None
) -> reg.Depot:
    return reg.Depot.objects.create(
        code=code,
        name=f"Depot {code}",
        region=region,
        organisation=organisation,
        latitude=Decimal("35.6"),
        longitude=Decimal("6.2"),
    )


def create_lox_product() -> reg.Product:
    return reg.Product.objects.get_or_create(
        code="LOX",
        defaults={
            "name": "Liquid oxygen",
            "kind": reg.ProductKind.LOX,
            "unit_of_issue": reg.UnitOfIssue.KG,
        },
    )[0]


def create_contract(
    producer: reg.Producer, facility: reg.Facility, **extra: Any
) -> reg.SupplyContract:
    extra.setdefault("product", create_lox_product())
    extra.setdefault("agreed_quantity_per_day", Decimal(1000))
    extra.setdefault("valid_from", date(2021, 7, 1))
    return reg.SupplyContract.objects.create(producer=producer, facility=facility, **extra)


def create_user(username: str, role: str | None = None, **scope: Any) -> AbstractBaseUser:
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        is_staff=role is not None,
    )
    if role is not None:
        facilities = scope.pop("facilities", [])
        profile = Profile.objects.create(user=user, role=role, **scope)
        profile.facilities.set(facilities)
    return user


@dataclass
class World:
    algeria: reg.Country
    viet_nam: reg.Country
    batna: reg.Region
    batna_daira: reg.Region
    barika_daira: reg.Region
    binh_phuoc: reg.Region
    dong_xoai: reg.Region
    chu_batna: reg.Facility
    eph_barika: reg.Facility
    bv_binh_phuoc: reg.Facility
    linde: reg.Organisation
    hauler: reg.Organisation
    linde_plant: reg.Producer
    vn_plant: reg.Producer
    linde_depot: reg.Depot
    tanker: reg.Vehicle
    contract: reg.SupplyContract
    ministry: AbstractBaseUser
    coordinator: AbstractBaseUser
    facility_staff: AbstractBaseUser
    producer_staff: AbstractBaseUser
    viewer: AbstractBaseUser
    outsider: AbstractBaseUser


def build_world() -> World:
    algeria = create_country("DZ", "Algeria", "DZ", "Africa/Algiers", [4, 5])
    viet_nam = create_country("VN", "Viet Nam", "VN", "Asia/Ho_Chi_Minh", [5, 6])
    batna = create_region("DZ-05", "Batna", reg.RegionLevel.PROVINCE, algeria.region)
    batna_daira = create_region("DZ-05-01", "Batna (daïra)", reg.RegionLevel.DISTRICT, batna)
    barika_daira = create_region("DZ-05-02", "Barika", reg.RegionLevel.DISTRICT, batna)
    skikda = create_region("DZ-21", "Skikda", reg.RegionLevel.PROVINCE, algeria.region)
    binh_phuoc = create_region("VN-70", "Bình Phước", reg.RegionLevel.PROVINCE, viet_nam.region)
    dong_xoai = create_region("VN-70-689", "Đồng Xoài", reg.RegionLevel.DISTRICT, binh_phuoc)
    linde = create_organisation("LINDE-DZ", algeria, name="Linde Gas Algérie")
    hauler = create_organisation("HAULER-DZ", algeria, kind=reg.OrganisationKind.TRANSPORTER)
    vn_org = create_organisation("VN-GAS", viet_nam)
    chu = create_facility("DZ-CHU-BATNA", batna_daira, name="CHU Batna")
    barika = create_facility("DZ-EPH-BARIKA", barika_daira, name="EPH Barika")
    bv = create_facility(
        "VN-BVDK-BP",
        dong_xoai,
        name="Bình Phước General Hospital",
        latitude=Decimal("11.53"),
        longitude=Decimal("106.9"),
    )
    plant = create_producer("DZ-LINDE-SKIKDA", skikda, linde)
    vn_plant = create_producer(
        "VN-PLANT", dong_xoai, vn_org, latitude=Decimal("11.5"), longitude=Decimal("106.9")
    )
    depot = create_depot("DZ-LINDE-DEPOT", batna_daira, linde)
    tanker = reg.Vehicle.objects.create(
        registration="05-TANK-01",
        organisation=linde,
        kind=reg.VehicleKind.CRYOGENIC_TANKER,
        capacity_kg=Decimal(20000),
        home_depot=depot,
    )
    contract = create_contract(plant, chu)
    return World(
        algeria=algeria,
        viet_nam=viet_nam,
        batna=batna,
        batna_daira=batna_daira,
        barika_daira=barika_daira,
        binh_phuoc=binh_phuoc,
        dong_xoai=dong_xoai,
        chu_batna=chu,
        eph_barika=barika,
        bv_binh_phuoc=bv,
        linde=linde,
        hauler=hauler,
        linde_plant=plant,
        vn_plant=vn_plant,
        linde_depot=depot,
        tanker=tanker,
        contract=contract,
        ministry=create_user("mina", Role.MINISTRY, region=algeria.region),
        coordinator=create_user("carim", Role.COORDINATOR, region=batna),
        facility_staff=create_user("fatima", Role.FACILITY_STAFF, facilities=[chu]),
        producer_staff=create_user("paul", Role.PRODUCER_STAFF, organisation=linde),
        viewer=create_user("victor", Role.VIEWER, region=barika_daira),
        outsider=create_user("oscar", None),
    )


def unique_code(prefix: str = "X") -> str:
    return f"{prefix}-{next(_seq)}"
