"""Units: LOX conversions, flows, cylinders, parsing and plausibility, with numbers."""

from __future__ import annotations

import pickle

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.units import (
    NORMAL,
    REFERENCE_CONDITIONS,
    ROOM_21C,
    STANDARD_15C,
    CylinderSpec,
    IncompatibleUnitsError,
    Quantity,
    ReferenceConditions,
    UnitError,
    UnitMixup,
    UnknownUnitError,
    allowed_units,
    convert_gas_volume,
    cylinder_duration,
    flow_to_l_per_min,
    flow_to_m3_per_day,
    flow_to_m3_per_hour,
    gas_volume_per_kg,
    gas_volume_to_lox_mass,
    looks_like_unit_mixup,
    lox_liquid_volume_to_mass,
    lox_mass_to_gas_volume,
    lox_mass_to_liquid_volume,
    lox_to_kg,
    o2_molar_volume,
    parse_quantity,
    reference_conditions,
    to_magnitude,
)

CYLINDER_40L = CylinderSpec("40 L", water_capacity_l=40, fill_pressure_bar=150)
masses_kg = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False, allow_infinity=False)


# ------------------------------------------------------------------------- LOX


def test_one_kilogram_of_lox_is_0_6996_normal_cubic_metres() -> None:
    gas = lox_mass_to_gas_volume(Quantity(1, "kg"))
    assert to_magnitude(gas, "Nm3") == pytest.approx(0.6996, rel=1e-3)


def test_one_litre_of_liquid_weighs_1_141_kg_and_gives_0_80_normal_cubic_metres() -> None:
    mass = lox_liquid_volume_to_mass(Quantity(1, "L"))
    assert to_magnitude(mass, "kg") == pytest.approx(1.141, rel=1e-9)
    assert to_magnitude(lox_mass_to_gas_volume(mass), "Nm3") == pytest.approx(0.80, rel=5e-3)


def test_one_tonne_of_lox_is_about_700_normal_cubic_metres() -> None:
    gas = lox_mass_to_gas_volume(Quantity(1, "t"))
    assert to_magnitude(gas, "Nm3") == pytest.approx(700, rel=1e-3)


def test_at_15_degrees_a_kilogram_fills_0_739_cubic_metres() -> None:
    per_kg = gas_volume_per_kg(STANDARD_15C)
    assert to_magnitude(per_kg, "Nm3/kg") == pytest.approx(0.739, rel=5e-3)


def test_a_litre_of_liquid_gives_860_litres_of_gas_at_21_degrees() -> None:
    gas = lox_mass_to_gas_volume(lox_liquid_volume_to_mass(Quantity(1, "L")), ROOM_21C)
    assert to_magnitude(gas, "NL") == pytest.approx(860, rel=1e-2)


def test_molar_volume_at_normal_conditions_is_just_below_the_ideal_22_414_litres() -> None:
    litres_per_mol = to_magnitude(o2_molar_volume(NORMAL), "L/mol")
    assert litres_per_mol == pytest.approx(22.414 * 0.999, rel=2e-4)
    assert litres_per_mol < 22.414


def test_lox_to_kg_reads_mass_liquid_and_gas_by_their_units() -> None:
    assert to_magnitude(lox_to_kg(Quantity(2, "t")), "kg") == pytest.approx(2000)
    assert to_magnitude(lox_to_kg(Quantity(1, "kL")), "kg") == pytest.approx(1141)
    assert to_magnitude(lox_to_kg(Quantity(699.77, "Nm3")), "kg") == pytest.approx(1000, rel=1e-4)


def test_lox_to_kg_uses_the_stated_conditions_for_gas() -> None:
    kg = to_magnitude(lox_to_kg(Quantity(0.739, "Nm3"), STANDARD_15C), "kg")
    assert kg == pytest.approx(1.0, rel=5e-3)


def test_lox_to_kg_rejects_a_flow() -> None:
    with pytest.raises(IncompatibleUnitsError, match="normal_liter / minute"):
        lox_to_kg(Quantity(10, "NL/min"))


def test_liquid_litres_cannot_be_taken_for_gas() -> None:
    with pytest.raises(IncompatibleUnitsError, match="'liter' to 'normal_cubic_meter'"):
        gas_volume_to_lox_mass(Quantity(1000, "L"))


def test_adding_liquid_litres_to_gas_cubic_metres_fails_in_pint_itself() -> None:
    with pytest.raises(pint.DimensionalityError):
        Quantity(1, "L") + Quantity(1, "Nm3")


def test_a_gas_volume_restated_at_15_degrees_is_5_5_percent_larger() -> None:
    restated = convert_gas_volume(Quantity(1, "Nm3"), NORMAL, STANDARD_15C)
    assert to_magnitude(restated, "Nm3") == pytest.approx(288.15 / 273.15, rel=1e-3)


@given(masses_kg)
def test_kilograms_to_gas_and_back_round_trip(kg: float) -> None:
    for conditions in REFERENCE_CONDITIONS.values():
        gas = lox_mass_to_gas_volume(Quantity(kg, "kg"), conditions)
        assert to_magnitude(gas, "Nm3") > 0
        back = to_magnitude(gas_volume_to_lox_mass(gas, conditions), "kg")
        assert back == pytest.approx(kg, rel=1e-9)


@given(masses_kg)
def test_kilograms_to_liquid_and_back_round_trip(kg: float) -> None:
    liquid = lox_mass_to_liquid_volume(Quantity(kg, "kg"))
    assert to_magnitude(liquid, "L") > 0
    assert to_magnitude(lox_liquid_volume_to_mass(liquid), "kg") == pytest.approx(kg, rel=1e-9)


# ----------------------------------------------------------------------- flows


def test_10_litres_per_minute_is_14_4_cubic_metres_a_day() -> None:
    flow = parse_quantity(10, "L/min", "gas_flow")
    assert to_magnitude(flow_to_m3_per_day(flow), "Nm3/day") == pytest.approx(14.4)


def test_30_litres_per_minute_is_43_2_cubic_metres_a_day() -> None:
    flow = parse_quantity("30", "L/min", "gas_flow")
    assert to_magnitude(flow_to_m3_per_day(flow), "Nm3/day") == pytest.approx(43.2)


def test_flows_convert_between_litres_per_minute_and_cubic_metres_per_hour() -> None:
    assert to_magnitude(flow_to_m3_per_hour(Quantity(10, "NL/min")), "Nm3/hour") == (
        pytest.approx(0.6)
    )
    assert to_magnitude(flow_to_l_per_min(Quantity(60, "Nm3/hour")), "NL/min") == (
        pytest.approx(1000)
    )


def test_mixing_kilograms_and_litres_per_minute_names_both_units() -> None:
    with pytest.raises(IncompatibleUnitsError) as caught:
        to_magnitude(Quantity(5, "kg"), "L/min")
    assert str(caught.value) == "cannot convert 'kilogram' to 'liter / minute': incompatible units"
    assert (caught.value.unit, caught.value.expected) == ("kilogram", "liter / minute")


def test_a_mass_is_not_a_flow() -> None:
    with pytest.raises(IncompatibleUnitsError, match="'kilogram' to 'normal_cubic_meter / day'"):
        flow_to_m3_per_day(Quantity(5, "kg"))


def test_a_plain_number_is_not_a_quantity() -> None:
    with pytest.raises(TypeError, match="got float"):
        flow_to_m3_per_day(14.4)  # type: ignore[arg-type]


def test_to_magnitude_rejects_an_unknown_target_unit() -> None:
    with pytest.raises(UnknownUnitError, match="'bogus_unit'"):
        to_magnitude(Quantity(1, "kg"), "bogus_unit")


# --------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("value", "unit", "expected", "magnitude", "canonical"),
    [
        ("12.5", "t", "mass", 12500, "kg"),
        (3, "KG", "mass", 3, "kg"),
        (" 2 ", "kL", "liquid_volume", 2000, "L"),
        (10, "m³", "liquid_volume", 10000, "L"),
        (500, "m3", "gas_volume", 500, "Nm3"),
        (500, "nm3", "gas_volume", 500, "Nm3"),
        (1000, "L", "gas_volume", 1, "Nm3"),
        (15, "Nm3 / h", "gas_flow", 250, "NL/min"),
        (14.4, "m3/day", "gas_flow", 10, "NL/min"),
        (12, "pairs", "count", 24, "unit"),
        (7, "cyl", "cylinders", 7, "cylinder"),
    ],
)
def test_parse_quantity_reads_the_spellings_people_type(
    value: float | str, unit: str, expected: str, magnitude: float, canonical: str
) -> None:
    quantity = parse_quantity(value, unit, expected)  # type: ignore[arg-type]
    assert to_magnitude(quantity, canonical) == pytest.approx(magnitude)


def test_parse_quantity_rejects_furlongs_listing_the_allowed_units() -> None:
    with pytest.raises(UnknownUnitError) as caught:
        parse_quantity(3, "furlong", "gas_flow")
    assert str(caught.value) == (
        "unknown unit 'furlong' for a gas flow field; allowed: L/min, m3/h, m3/day"
    )
    assert caught.value.allowed == allowed_units("gas_flow")


def test_parse_quantity_rejects_kilograms_in_a_gas_flow_field() -> None:
    with pytest.raises(IncompatibleUnitsError) as caught:
        parse_quantity(3, "kg", "gas_flow")
    assert str(caught.value) == (
        "cannot use 'kg' (mass) for a gas flow field: incompatible units; "
        "allowed: L/min, m3/h, m3/day"
    )


def test_parse_quantity_rejects_liquid_litres_in_a_mass_field() -> None:
    with pytest.raises(IncompatibleUnitsError, match=r"'kL' \(liquid volume\) for a mass field"):
        parse_quantity(3, "kL", "mass")


def test_a_unit_of_issue_is_a_count_not_pints_micro_nit() -> None:
    quantity = parse_quantity(4, "unit", "count")
    assert quantity.dimensionless
    assert to_magnitude(quantity, "pair") == pytest.approx(2)


@pytest.mark.parametrize("value", ["abc", "", "nan", "inf", True])
def test_parse_quantity_rejects_values_that_are_not_finite_numbers(value: str | bool) -> None:
    with pytest.raises(UnitError, match="not a"):
        parse_quantity(value, "kg", "mass")


def test_parse_quantity_rejects_an_unknown_kind() -> None:
    with pytest.raises(UnitError, match="unknown quantity kind 'energy'"):
        parse_quantity(1, "kg", "energy")  # type: ignore[arg-type]


# ---------------------------------------------------------- reference conditions


def test_named_reference_conditions_are_registered() -> None:
    assert reference_conditions("normal") is NORMAL
    assert (STANDARD_15C.temperature_c, ROOM_21C.temperature_c) == (15.0, 21.1)
    assert NORMAL.pressure_bar == pytest.approx(1.01325)


def test_unknown_reference_conditions_list_the_allowed_names() -> None:
    with pytest.raises(UnitError, match="'stp'; allowed: normal, 15c, 21c"):
        reference_conditions("stp")


@pytest.mark.parametrize(
    ("temperature_c", "pressure_bar", "message"),
    [(-273.15, 1.0, "above -273.15"), (0.0, 0.0, "must be positive"), (0.0, -1, "positive")],
)
def test_reference_conditions_reject_impossible_values(
    temperature_c: float, pressure_bar: float, message: str
) -> None:
    with pytest.raises(UnitError, match=message):
        ReferenceConditions("x", temperature_c, pressure_bar)


def test_conditions_where_oxygen_is_far_from_ideal_are_refused() -> None:
    cryogenic = ReferenceConditions("cryogenic", -180.0, 1.01325)
    with pytest.raises(UnitError, match="too far from ideal"):
        lox_mass_to_gas_volume(Quantity(1, "kg"), cryogenic)


# ------------------------------------------------------------------- cylinders


def test_a_40_litre_cylinder_at_150_bar_holds_about_6_normal_cubic_metres() -> None:
    content = to_magnitude(CYLINDER_40L.content(), "Nm3")
    assert 5.7 <= content <= 6.3
    assert content == pytest.approx(40 * 150 / 1.01325 / 1000)


def test_usable_content_stops_at_the_residual_pressure() -> None:
    spec = CylinderSpec("40 L", 40, 150, residual_pressure_bar=10)
    assert to_magnitude(spec.usable_content(), "Nm3") == pytest.approx(40 * 140 / 1.01325 / 1000)


def test_a_cylinder_at_100_bar_lasts_about_355_minutes_at_10_litres_per_minute() -> None:
    spec = CylinderSpec("40 L", 40, 150, residual_pressure_bar=10)
    duration = cylinder_duration(spec, 100, Quantity(10, "NL/min"))
    # (100 - 10) bar x 40 L / 1.01325 bar / 10 L/min
    assert to_magnitude(duration, "minute") == pytest.approx(355.29, abs=0.01)
    assert to_magnitude(duration, "hour") == pytest.approx(5.92, abs=0.01)


def test_a_cylinder_at_its_residual_pressure_lasts_zero_minutes() -> None:
    spec = CylinderSpec("40 L", 40, 150, residual_pressure_bar=10)
    assert to_magnitude(cylinder_duration(spec, 5, Quantity(10, "NL/min")), "minute") == 0


@pytest.mark.parametrize(("gauge", "message"), [(-1, "at least 0"), (166, "above 110 %")])
def test_cylinder_duration_rejects_impossible_gauge_readings(gauge: float, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        cylinder_duration(CYLINDER_40L, gauge, Quantity(10, "NL/min"))


def test_cylinder_duration_accepts_a_warm_cylinder_just_above_its_fill_pressure() -> None:
    minutes = to_magnitude(cylinder_duration(CYLINDER_40L, 165, Quantity(10, "NL/min")), "min")
    assert minutes == pytest.approx(40 * 165 / 1.01325 / 10)


def test_cylinder_duration_rejects_a_zero_flow_and_a_mass_flow() -> None:
    with pytest.raises(UnitError, match="must be positive"):
        cylinder_duration(CYLINDER_40L, 100, Quantity(0, "NL/min"))
    with pytest.raises(IncompatibleUnitsError, match="'kilogram / hour'"):
        cylinder_duration(CYLINDER_40L, 100, Quantity(1, "kg/hour"))


@pytest.mark.parametrize(
    ("capacity", "fill", "residual", "message"),
    [
        (0, 150, 0, "water capacity 0 L must be positive"),
        (40, 0, 0, "fill pressure 0 bar must be above 0 and at most 300 bar"),
        (40, 350, 0, "fill pressure 350 bar"),
        (40, 150, -1, "residual pressure -1 bar must be at least 0"),
        (40, 150, 150, "below the fill pressure 150 bar"),
        (float("nan"), 150, 0, "water capacity nan L"),
    ],
)
def test_cylinder_spec_rejects_bad_values(
    capacity: float, fill: float, residual: float, message: str
) -> None:
    with pytest.raises(UnitError, match=message):
        CylinderSpec("bad", capacity, fill, residual)


# ---------------------------------------------------------------- plausibility


@pytest.mark.parametrize(
    ("value_kg", "expected_kg", "mixup"),
    [
        (5_000_000, 5_000, UnitMixup.KG_ENTERED_AS_TONNES),
        (5, 5_000, UnitMixup.TONNES_ENTERED_AS_KG),
        (10, 11_410, UnitMixup.TONNES_ENTERED_AS_KG),  # 10 kL typed as 10 kg
        (1_200, 1_000, None),
        (8_000, 1_000, None),
        (0, 1_000, None),
    ],
)
def test_unit_mixups_are_recognised_by_a_factor_near_1000(
    value_kg: float, expected_kg: float, mixup: UnitMixup | None
) -> None:
    assert looks_like_unit_mixup(value_kg, expected_kg) == mixup


def test_unit_mixup_codes_are_plain_strings() -> None:
    assert looks_like_unit_mixup(2_000, 1) == "kg_entered_as_tonnes"


def test_unit_mixup_needs_a_positive_expectation() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        looks_like_unit_mixup(1, 0)


# ------------------------------------------------------------------- registry


def test_quantities_survive_pickling_with_their_gas_units() -> None:
    restored = pickle.loads(pickle.dumps(Quantity(2.5, "Nm3")))
    assert to_magnitude(restored, "NL") == pytest.approx(2500)
