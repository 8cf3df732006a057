"""Per-district capacities read from the registry, in Nm³."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from oxyflow.core import units
from oxyflow.registry import models as reg
from oxyflow.scenarios import network, services
from oxyflow.scenarios.network import district_capacities, trip_capacity_nm3
from tests.factories import World, create_contract

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


def per_kg(conditions: units.ReferenceConditions) -> float:
    return units.to_magnitude(units.gas_volume_per_kg(conditions), "Nm3/kg")


def test_contracted_lox_is_stated_at_the_conditions_asked_for(world: World) -> None:
    at_21c = district_capacities(world.batna, on_day=date(2021, 8, 1), conditions=units.ROOM_21C)
    row = {d.code: d for d in at_21c}["DZ-05-01"]
    assert row.contracted_nm3_per_day == pytest.approx(1000 * per_kg(units.ROOM_21C))
    assert row.contracted_nm3_per_day == pytest.approx(754.0, abs=0.1)


def test_the_gap_table_counts_supply_at_the_requested_conditions(world: World) -> None:
    # 1000 kg/day of LOX under contract is 699.8 Nm³ at 0 °C but 754 at 21.1 °C; the
    # need is computed at the request's conditions, so the supply must be too.
    def available(conditions: str) -> float:
        result = services.run(
            services.ScenarioRequest(patients=(100,), spread="beds", conditions=conditions),
            world.batna,
        )
        [row] = [d for d in result["scenarios"][0]["districts"] if d["code"] == "DZ-05-01"]
        return float(row["available_m3_per_day"])

    assert available("normal") == pytest.approx(699.8, abs=0.1)
    assert available("21c") == pytest.approx(754.0, abs=0.1)


def test_the_scenario_units_name_their_reference_conditions(world: World) -> None:
    result = services.run(
        services.ScenarioRequest(patients=(100,), spread="beds", conditions="15c"), world.batna
    )
    assert result["reference_conditions"] == "15c"
    assert result["units"]["oxygen_m3_per_day"] == "Nm³/day at 15c conditions (15 °C, 1.01325 bar)"
    assert result["units"]["available_m3_per_day"] == result["units"]["oxygen_m3_per_day"]


def test_on_site_generation_rated_at_normal_conditions_is_restated(world: World) -> None:
    world.chu_batna.psa_output_nm3_per_h = Decimal(10)
    world.chu_batna.save()
    [row] = [
        d
        for d in district_capacities(
            world.batna, on_day=date(2021, 8, 1), conditions=units.STANDARD_15C
        )
        if d.code == "DZ-05-01"
    ]
    expected = units.to_magnitude(
        units.convert_gas_volume(units.Quantity(240, "Nm3"), units.NORMAL, units.STANDARD_15C),
        "Nm3",
    )
    assert row.onsite_nm3_per_day == pytest.approx(expected)
    # The same oxygen fills more volume when warmer: ≈ 240 x 288.15 / 273.15.
    assert row.onsite_nm3_per_day == pytest.approx(10 * 24 * 288.15 / 273.15, rel=2e-3)
    assert row.onsite_nm3_per_day > 240


def cylinder_type(residual_bar: int = 10) -> reg.CylinderType:
    return reg.CylinderType.objects.create(
        code="J50",
        name="J (50 L)",
        water_capacity_l=50,
        fill_pressure_bar=200,
        residual_pressure_bar=residual_bar,
    )


def test_a_cylinder_contract_counts_the_usable_content_above_the_residual(world: World) -> None:
    cylinders = cylinder_type(residual_bar=10)
    product = reg.Product.objects.create(
        code="CYL-J50",
        name="Oxygen cylinder J",
        kind=reg.ProductKind.CYLINDER,
        unit_of_issue=reg.UnitOfIssue.CYLINDER,
        cylinder_type=cylinders,
    )
    create_contract(
        world.linde_plant, world.eph_barika, product=product, agreed_quantity_per_day=Decimal(10)
    )
    row = by_code(world)["DZ-05-02"]
    usable = 50 * (200 - 10) / 1.01325 / 1000  # Nm³ per cylinder above 10 bar
    assert row.contracted_nm3_per_day == pytest.approx(10 * usable)
    full = units.to_magnitude(cylinders.spec().content(), "Nm3")
    assert row.contracted_nm3_per_day < 10 * full


def test_a_vehicle_carries_cylinders_at_their_usable_content(world: World) -> None:
    cylinders = cylinder_type(residual_bar=10)
    world.tanker.capacity_kg = None
    world.tanker.save()
    reg.VehicleCylinderCapacity.objects.create(
        vehicle=world.tanker, cylinder_type=cylinders, count=100
    )
    assert trip_capacity_nm3(world.tanker, units.NORMAL) == pytest.approx(
        100 * 50 * 190 / 1.01325 / 1000
    )


def test_contracts_are_live_on_the_countrys_local_date(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 UTC on 31 July is already 1 August in Algiers (UTC+1).
    monkeypatch.setattr(network.timezone, "now", lambda: datetime(2021, 7, 31, 23, 30, tzinfo=UTC))
    assert network.local_today(world.batna) == date(2021, 8, 1)
    world.contract.valid_from = date(2021, 8, 1)
    world.contract.save()
    [row] = [d for d in district_capacities(world.batna) if d.code == "DZ-05-01"]
    assert row.contracted_nm3_per_day == pytest.approx(1000 * NM3_PER_KG)
