"""Per-district capacities read from the registry, in Nm³."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oxyflow.core import units
from oxyflow.registry import models as reg
from oxyflow.scenarios.network import district_capacities
from tests.factories import World

pytestmark = pytest.mark.django_db
NM3_PER_KG = units.to_magnitude(units.gas_volume_per_kg(), "Nm3/kg")


def by_code(world: World) -> dict[str, object]:
    return {d.code: d for d in district_capacities(world.batna, on_day=date(2021, 8, 1))}


def test_a_province_is_read_district_by_district(world: World) -> None:
    rows = by_code(world)
    assert set(rows) == {"DZ-05-01", "DZ-05-02"}
    assert rows["DZ-05-01"].beds_oxygen == 40
    assert rows["DZ-05-02"].beds_icu == 8


def test_on_site_generation_counts_psa_and_concentrators_per_day(world: World) -> None:
    world.chu_batna.psa_output_nm3_per_h = Decimal(10)
    world.chu_batna.save()
    reg.FacilityConcentrators.objects.create(
        facility=world.chu_batna, flow_l_per_min=Decimal(5), count=10
    )
    row = by_code(world)["DZ-05-01"]
    assert row.onsite_nm3_per_day == pytest.approx(10 * 24 + 50 * 1.44)


def test_storage_is_the_lox_above_the_safety_level_as_gas(world: World) -> None:
    reg.LoxTank.objects.create(
        facility=world.chu_batna, capacity_liquid_l=Decimal(3000), safety_level_pct=Decimal(20)
    )
    row = by_code(world)["DZ-05-01"]
    assert row.storage_nm3 == pytest.approx(3000 * 1.141 * 0.8 * NM3_PER_KG, rel=0.01)


def test_contracted_lox_is_converted_to_gas_and_names_its_supplier(world: World) -> None:
    row = by_code(world)["DZ-05-01"]
    assert row.contracted_nm3_per_day == pytest.approx(1000 * NM3_PER_KG)
    assert row.suppliers == {"DZ-LINDE-SKIKDA"}
    assert by_code(world)["DZ-05-02"].contracted_nm3_per_day == 0


def test_an_expired_contract_supplies_nothing(world: World) -> None:
    world.contract.valid_to = date(2021, 7, 15)
    world.contract.save()
    assert by_code(world)["DZ-05-01"].contracted_nm3_per_day == 0


def test_the_suppliers_fleet_carries_whole_trips_per_shift(world: World) -> None:
    # The Linde tanker (20 t) is based in Batna, next to the CHU: short trips, many a day.
    row = by_code(world)["DZ-05-01"]
    per_trip = 20000 * NM3_PER_KG
    assert row.transport_nm3_per_day > 0
    trips = row.transport_nm3_per_day / per_trip
    assert trips >= 1
    assert trips == pytest.approx(round(trips))
