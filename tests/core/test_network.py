from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.network import (
    Facility,
    Location,
    LoxTank,
    NetworkError,
    SupplyLink,
    Vehicle,
    haversine_km,
    road_km,
)

BATNA = Location(35.556, 6.174)
BARIKA = Location(35.385, 5.289)
DONG_XOAI = Location(11.533, 106.895)
BIEN_HOA = Location(10.945, 106.824)


def test_batna_to_barika_is_about_82_km_as_the_crow_flies() -> None:
    assert haversine_km(BATNA, BARIKA) == pytest.approx(82, abs=2)


def test_dong_xoai_to_bien_hoa_is_about_64_km() -> None:
    assert haversine_km(DONG_XOAI, BIEN_HOA) == pytest.approx(66, abs=3)


def test_road_distance_applies_the_road_factor() -> None:
    assert road_km(BATNA, BARIKA, 1.3) == pytest.approx(haversine_km(BATNA, BARIKA) * 1.3)
    with pytest.raises(NetworkError, match="below 1"):
        road_km(BATNA, BARIKA, 0.8)


locations = st.builds(
    Location, st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)
)


@given(locations, locations, locations)
def test_distance_is_symmetric_and_obeys_the_triangle_inequality(a, b, c) -> None:  # type: ignore[no-untyped-def]
    assert haversine_km(a, b) == pytest.approx(haversine_km(b, a), abs=1e-6)
    assert haversine_km(a, c) <= haversine_km(a, b) + haversine_km(b, c) + 1e-6


def test_a_location_outside_the_globe_is_refused() -> None:
    with pytest.raises(NetworkError, match="latitude 91"):
        Location(91, 0)


def test_usable_tank_capacity_is_what_sits_above_the_safety_level() -> None:
    tank = LoxTank(capacity_kg=3423, safety_level_kg=684.6)
    assert tank.usable_capacity_kg == pytest.approx(2738.4)
    with pytest.raises(NetworkError, match="exceeds capacity"):
        LoxTank(capacity_kg=100, safety_level_kg=200)


def test_a_facility_sums_its_tanks_and_concentrators() -> None:
    facility = Facility(
        code="F",
        location=BATNA,
        priority=1,
        beds_oxygen=120,
        beds_icu=10,
        lox_tanks=(LoxTank(3423, 685), LoxTank(1141, 228)),
        concentrator_flows_l_per_min=(5, 5, 10),
    )
    assert facility.lox_capacity_kg == pytest.approx(4564)
    assert facility.lox_safety_level_kg == pytest.approx(913)
    assert facility.concentrator_output_l_per_min == 20


def test_a_facility_priority_must_be_1_to_3() -> None:
    with pytest.raises(NetworkError, match="priority 4"):
        Facility(code="F", location=BATNA, priority=4, beds_oxygen=0, beds_icu=0)


def test_a_vehicle_must_carry_something() -> None:
    with pytest.raises(NetworkError, match="must carry something"):
        Vehicle(registration="T1", home=BATNA)


def test_a_supply_link_is_active_within_its_dates() -> None:
    link = SupplyLink("P", "F", "LOX", 1000, 8, True, date(2021, 7, 1), date(2021, 12, 31))
    assert link.active_on(date(2021, 7, 1))
    assert not link.active_on(date(2022, 1, 1))
    assert not link.active_on(date(2021, 6, 30))
