"""Autonomy: hand-worked run-out times, deliveries, generation, bands, invariants, errors.

The reference facility has one 3,000 L tank (3,000 x 1.141 = 3,423 kg), 50 % full
(1,711.5 kg) with a 20 % safety level (684.6 kg): 1,026.9 kg usable x 0.6998 Nm³/kg
(NORMAL) = 718.6 Nm³. Ten critical patients at 30 L/min draw 432 Nm³/day = 18 Nm³/h.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.autonomy import (
    DEFAULT_HORIZON_HOURS,
    AutonomyError,
    CylinderStock,
    DemandStep,
    InTransit,
    LimitingFactor,
    StockPosition,
    TankLevel,
    compute_autonomy,
)
from oxyflow.core.network import LoxTank
from oxyflow.core.units import STANDARD_15C, CylinderSpec

NOW = datetime(2021, 8, 2, 6, 0, tzinfo=UTC)
TANK_3000_L = LoxTank(capacity_kg=3423.0, safety_level_kg=684.6)
HALF_FULL = TankLevel.from_tank(TANK_3000_L, level_kg=1711.5)
CYLINDER_40L = CylinderSpec(
    "40 L", water_capacity_l=40, fill_pressure_bar=150, residual_pressure_bar=10
)
USABLE_NM3 = 718.6  # 1,026.9 kg x 0.6998 Nm³/kg
TEN_CRITICAL_NM3_PER_H = 18.0  # 10 x 30 L/min = 432 Nm³/day


def hours_after(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def position(**changes: Any) -> StockPosition:
    fields: dict[str, Any] = {"at": NOW, "lox_tanks": (HALF_FULL,)} | changes
    return StockPosition(**fields)


def lox_delivery(kg: float, at_hour: float, *, confirmed: bool = True) -> InTransit:
    return InTransit(eta=hours_after(at_hour), lox_kg=kg, confirmed=confirmed)


# ---------------------------------------------------------------- hand-worked cases


def test_one_critical_patient_empties_the_half_full_3000_litre_tank_in_399_hours() -> None:
    # 718.6 Nm³ ÷ (43.2 Nm³/day = 1.8 Nm³/h) = 399.2 h ≈ 16.6 days.
    result = compute_autonomy(position(), 43.2 / 24, horizon_hours=720)
    assert result.hours == pytest.approx(399.2, rel=1e-3)
    assert result.usable_nm3_now == pytest.approx(USABLE_NM3, rel=1e-3)
    assert result.net_draw_nm3_per_h == pytest.approx(1.8)
    assert result.limiting_factor is LimitingFactor.LOX
    assert result.runs_out_at == hours_after(result.hours)


def test_beyond_the_default_14_day_horizon_the_facility_counts_as_covered() -> None:
    result = compute_autonomy(position(), 43.2 / 24)
    assert result.hours == DEFAULT_HORIZON_HOURS == 336
    assert result.runs_out_at is None
    assert result.covered
    assert result.limiting_factor is LimitingFactor.NONE
    assert result.limiting_factor.description == "covered over the horizon"


def test_ten_critical_patients_empty_the_tank_in_just_under_40_hours() -> None:
    # 718.6 ÷ 18 = 39.92 h.
    result = compute_autonomy(position(), TEN_CRITICAL_NM3_PER_H)
    assert result.hours == pytest.approx(39.92, rel=1e-3)
    assert result.hours_low == result.hours == result.hours_high


def test_full_cylinders_add_their_content_above_residual_after_the_lox() -> None:
    # 10 x 40 L x (150 - 10) bar ÷ 1.01325 bar = 55.27 Nm³ → + 3.07 h.
    cylinders = (CylinderStock(CYLINDER_40L, full_count=10),)
    result = compute_autonomy(position(cylinders=cylinders), TEN_CRITICAL_NM3_PER_H)
    assert result.usable_nm3_now == pytest.approx(USABLE_NM3 + 55.27, rel=1e-3)
    assert result.hours == pytest.approx(39.92 + 3.07, rel=1e-3)
    assert result.limiting_factor is LimitingFactor.CYLINDERS


def test_a_facility_on_cylinders_alone_runs_out_of_cylinders() -> None:
    stock = StockPosition(at=NOW, cylinders=(CylinderStock(CYLINDER_40L, full_count=20),))
    result = compute_autonomy(stock, 0.6)  # one patient at 10 L/min
    assert result.hours == pytest.approx(20 * 5.527 / 0.6, rel=1e-3)
    assert result.limiting_factor is LimitingFactor.CYLINDERS


def test_a_psa_plant_covering_all_demand_lasts_the_horizon() -> None:
    result = compute_autonomy(position(psa_nm3_per_h=20.0), TEN_CRITICAL_NM3_PER_H)
    assert result.hours == result.hours_low == result.hours_high == 336
    assert result.runs_out_at is None
    assert result.limiting_factor is LimitingFactor.NONE
    assert result.net_draw_nm3_per_h == 0


def test_a_psa_plant_covering_part_of_demand_slows_the_draw() -> None:
    # 718.6 ÷ (18 - 10) = 89.8 h.
    result = compute_autonomy(position(psa_nm3_per_h=10.0), TEN_CRITICAL_NM3_PER_H)
    assert result.net_draw_nm3_per_h == pytest.approx(8.0)
    assert result.hours == pytest.approx(89.82, rel=1e-3)


def test_ten_10_litre_concentrators_supply_6_cubic_metres_an_hour() -> None:
    # 100 L/min = 6 Nm³/h: 718.6 ÷ 12 = 59.88 h.
    result = compute_autonomy(position(concentrators_l_per_min=100.0), TEN_CRITICAL_NM3_PER_H)
    assert result.net_draw_nm3_per_h == pytest.approx(12.0)
    assert result.hours == pytest.approx(59.88, rel=1e-3)


def test_surplus_generation_is_not_banked_for_later() -> None:
    # 12 h at 5 Nm³/h under a 10 Nm³/h PSA stores nothing; then 18 Nm³/h: 718.6 ÷ 8 = 89.8 h.
    demand = [DemandStep(NOW, 5.0), DemandStep(hours_after(12), TEN_CRITICAL_NM3_PER_H)]
    result = compute_autonomy(position(psa_nm3_per_h=10.0), demand)
    assert result.hours == pytest.approx(12 + 89.82, rel=1e-3)


def test_a_delivery_before_run_out_extends_it_by_quantity_over_draw() -> None:
    # 1,000 kg = 699.8 Nm³ at 18 Nm³/h = + 38.88 h.
    result = compute_autonomy(
        position(), TEN_CRITICAL_NM3_PER_H, in_transit=[lox_delivery(1000, at_hour=10)]
    )
    assert result.hours == pytest.approx(39.92 + 38.88, rel=1e-3)


def test_a_delivery_larger_than_the_free_space_is_capped_at_tank_capacity() -> None:
    # At 10 h the tank is refilled to capacity: (3,423 - 684.6) kg x 0.6998 = 1,916.3 Nm³
    # usable, which lasts 106.5 h more.
    result = compute_autonomy(
        position(), TEN_CRITICAL_NM3_PER_H, in_transit=[lox_delivery(5000, at_hour=10)]
    )
    assert result.hours == pytest.approx(10 + 106.46, rel=1e-3)


def test_a_delivery_first_refills_a_tank_below_its_safety_level() -> None:
    # 400 kg in the tank, 284.6 kg short of safety: of 1,000 kg arriving now 715.4 kg are
    # usable = 500.6 Nm³ → 27.81 h.
    low_tank = TankLevel.from_tank(TANK_3000_L, level_kg=400.0)
    result = compute_autonomy(
        position(lox_tanks=(low_tank,)),
        TEN_CRITICAL_NM3_PER_H,
        in_transit=[lox_delivery(1000, at_hour=0)],
    )
    assert result.usable_nm3_now == 0
    assert result.hours == pytest.approx(27.81, rel=1e-3)


def test_a_gas_delivery_adds_its_cylinders_content() -> None:
    # 100 Nm³ at 18 Nm³/h = + 5.56 h.
    delivery = InTransit(eta=hours_after(10), gas_nm3=100.0, confirmed=True)
    result = compute_autonomy(position(), TEN_CRITICAL_NM3_PER_H, in_transit=[delivery])
    assert result.hours == pytest.approx(39.92 + 5.56, rel=1e-3)
    assert result.limiting_factor is LimitingFactor.CYLINDERS


def test_a_delivery_after_run_out_does_not_move_the_run_out_time() -> None:
    result = compute_autonomy(
        position(), TEN_CRITICAL_NM3_PER_H, in_transit=[lox_delivery(1000, at_hour=50)]
    )
    assert result.hours == pytest.approx(39.92, rel=1e-3)


def test_an_unconfirmed_delivery_is_ignored() -> None:
    delivery = lox_delivery(1000, at_hour=10, confirmed=False)
    result = compute_autonomy(position(), TEN_CRITICAL_NM3_PER_H, in_transit=[delivery])
    assert result.hours == pytest.approx(39.92, rel=1e-3)
    assert "1 unconfirmed" in result.basis


def test_an_overdue_delivery_is_not_counted_and_the_basis_says_so() -> None:
    delivery = lox_delivery(1000, at_hour=-2)
    result = compute_autonomy(position(), TEN_CRITICAL_NM3_PER_H, in_transit=[delivery])
    assert result.hours == pytest.approx(39.92, rel=1e-3)
    assert "1 overdue" in result.basis


def test_a_demand_increase_shortens_autonomy() -> None:
    # 10 h at 18 leaves 538.6 Nm³; at 36 Nm³/h that lasts 14.96 h.
    demand = [DemandStep(NOW, 18.0), DemandStep(hours_after(10), 36.0)]
    result = compute_autonomy(position(), demand)
    assert result.hours == pytest.approx(24.96, rel=1e-3)


def test_the_step_in_force_at_the_stock_time_applies_and_steps_past_the_horizon_do_not() -> None:
    demand = [
        DemandStep(NOW - timedelta(days=1), 99.0),
        DemandStep(NOW - timedelta(hours=1), 18.0),
        DemandStep(hours_after(40), 500.0),
    ]
    result = compute_autonomy(position(), demand, horizon_hours=39.0)
    assert result.net_draw_nm3_per_h == 18.0
    assert result.covered


def test_the_band_gives_fewer_hours_at_high_demand_and_more_at_low() -> None:
    # 718.6 ÷ 24 = 29.94 h; ÷ 18 = 39.92 h; ÷ 12 = 59.88 h.
    demand = [DemandStep(NOW, 18.0, low_nm3_per_h=12.0, high_nm3_per_h=24.0)]
    result = compute_autonomy(position(), demand)
    assert result.hours_low == pytest.approx(29.94, rel=1e-3)
    assert result.hours == pytest.approx(39.92, rel=1e-3)
    assert result.hours_high == pytest.approx(59.88, rel=1e-3)


def test_no_usable_stock_and_no_generation_runs_out_now() -> None:
    empty = StockPosition(at=NOW, lox_tanks=(TankLevel.from_tank(TANK_3000_L, 684.6),))
    result = compute_autonomy(empty, 1.0)
    assert result.hours == 0
    assert result.runs_out_at == NOW
    assert result.limiting_factor is LimitingFactor.NO_STOCK


def test_no_stock_and_a_plant_too_small_means_demand_exceeds_generation() -> None:
    result = compute_autonomy(StockPosition(at=NOW, psa_nm3_per_h=5.0), 6.0)
    assert result.hours == 0
    assert result.limiting_factor is LimitingFactor.DEMAND_EXCEEDS_GENERATION


def test_reference_conditions_at_15_degrees_state_the_same_oxygen_in_more_cubic_metres() -> None:
    # Demand is stated at the same conditions: 1,026.9 kg x 0.7384 = 758.2 m³ ÷ 18 = 42.12 h.
    result = compute_autonomy(position(), TEN_CRITICAL_NM3_PER_H, conditions=STANDARD_15C)
    assert result.hours == pytest.approx(42.12, rel=1e-3)
    assert "15c (15 °C" in result.basis


def test_the_basis_names_what_was_counted() -> None:
    result = compute_autonomy(position(psa_nm3_per_h=2.0), TEN_CRITICAL_NM3_PER_H)
    assert result.basis.startswith("usable now 718.6 Nm³ (LOX above safety level 718.6")
    assert "generation 2.0 Nm³/h" in result.basis
    assert "horizon 336 h" in result.basis


# ------------------------------------------------------------------------ invariants

fractions = st.floats(min_value=0.0, max_value=1.0)
rates = st.floats(min_value=0.0, max_value=100.0)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[StockPosition, list[DemandStep], list[InTransit]]:
    tanks = []
    for _ in range(draw(st.integers(0, 2))):
        capacity = draw(st.floats(min_value=100.0, max_value=20_000.0))
        level, safety = draw(fractions) * capacity, draw(fractions) * capacity
        tanks.append(TankLevel(level, capacity, safety))
    cylinders = [
        CylinderStock(CYLINDER_40L, draw(st.integers(0, 50)))
        for _ in range(draw(st.integers(0, 2)))
    ]
    stock = StockPosition(
        at=NOW,
        lox_tanks=tuple(tanks),
        cylinders=tuple(cylinders),
        psa_nm3_per_h=draw(rates),
        concentrators_l_per_min=draw(st.sampled_from([0.0, 10.0, 50.0])),
    )
    # Hundredths of an hour: floats closer than a microsecond would give equal start times.
    hours = st.floats(min_value=0.1, max_value=400.0).map(lambda h: round(h, 2))
    offsets = sorted(set(draw(st.lists(hours, max_size=4))))
    demand = [
        DemandStep(NOW + timedelta(hours=h), rate, low * rate, rate + extra)
        for h, rate, low, extra in zip(
            [0.0, *offsets],
            draw(st.lists(rates, min_size=len(offsets) + 1, max_size=len(offsets) + 1)),
            draw(st.lists(fractions, min_size=len(offsets) + 1, max_size=len(offsets) + 1)),
            draw(st.lists(rates, min_size=len(offsets) + 1, max_size=len(offsets) + 1)),
            strict=True,
        )
    ]
    deliveries = [
        InTransit(
            eta=NOW + timedelta(hours=draw(st.floats(min_value=-5.0, max_value=400.0))),
            lox_kg=draw(st.floats(min_value=0.0, max_value=20_000.0)),
            confirmed=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return stock, demand, deliveries


def no_fewer(after: float, before: float) -> bool:
    return after >= before - 1e-9 * max(1.0, before)


@given(scenarios())
def test_the_low_demand_band_lasts_at_least_as_long_as_central_and_high(
    case: tuple[StockPosition, list[DemandStep], list[InTransit]],
) -> None:
    result = compute_autonomy(*case)
    assert 0 <= result.hours_low <= result.hours <= result.hours_high <= result.horizon_hours


@given(scenarios(), fractions)
def test_autonomy_never_falls_when_a_tank_holds_more(
    case: tuple[StockPosition, list[DemandStep], list[InTransit]], fill: float
) -> None:
    stock, demand, deliveries = case
    if not stock.lox_tanks:
        return
    tank = stock.lox_tanks[0]
    fuller = TankLevel(
        tank.level_kg + fill * (tank.capacity_kg - tank.level_kg),
        tank.capacity_kg,
        tank.safety_level_kg,
    )
    more = StockPosition(
        at=NOW,
        lox_tanks=(fuller, *stock.lox_tanks[1:]),
        cylinders=stock.cylinders,
        psa_nm3_per_h=stock.psa_nm3_per_h,
        concentrators_l_per_min=stock.concentrators_l_per_min,
    )
    before = compute_autonomy(stock, demand, deliveries)
    after = compute_autonomy(more, demand, deliveries)
    assert no_fewer(after.hours, before.hours)
    assert no_fewer(after.hours_low, before.hours_low)
    assert no_fewer(after.hours_high, before.hours_high)


@given(scenarios(), rates)
def test_autonomy_never_falls_when_the_psa_plant_produces_more(
    case: tuple[StockPosition, list[DemandStep], list[InTransit]], extra: float
) -> None:
    stock, demand, deliveries = case
    more = StockPosition(
        at=NOW,
        lox_tanks=stock.lox_tanks,
        cylinders=stock.cylinders,
        psa_nm3_per_h=stock.psa_nm3_per_h + extra,
        concentrators_l_per_min=stock.concentrators_l_per_min,
    )
    before = compute_autonomy(stock, demand, deliveries)
    after = compute_autonomy(more, demand, deliveries)
    assert no_fewer(after.hours, before.hours)


@given(scenarios(), st.floats(min_value=1.0, max_value=5.0))
def test_autonomy_never_rises_when_demand_rises(
    case: tuple[StockPosition, list[DemandStep], list[InTransit]], factor: float
) -> None:
    stock, demand, deliveries = case
    higher = [
        DemandStep(s.start, s.nm3_per_h * factor, s.low_nm3_per_h, (s.high_nm3_per_h or 0) * factor)
        for s in demand
    ]
    before = compute_autonomy(stock, demand, deliveries)
    after = compute_autonomy(stock, higher, deliveries)
    assert no_fewer(before.hours, after.hours)
    assert no_fewer(before.hours_low, after.hours_low)


# ------------------------------------------------------------------------ validation


def test_errors_name_the_field_the_value_and_the_rule() -> None:
    overfull = TankLevel(level_kg=5000.0, capacity_kg=3423.0, safety_level_kg=684.6)
    with pytest.raises(AutonomyError) as caught:
        StockPosition(at=NOW, lox_tanks=(HALF_FULL, overfull))
    error = caught.value
    assert (error.field, error.value) == ("lox_tanks[1].level_kg", 5000.0)
    assert error.rule == "must not exceed capacity_kg 3423.0"
    assert str(error) == "lox_tanks[1].level_kg = 5000.0: must not exceed capacity_kg 3423.0"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"at": datetime(2021, 8, 2, 6, 0)}, "at"),  # naive on purpose
        ({"lox_tanks": (TankLevel(-1.0, 3423.0, 684.6),)}, "lox_tanks[0].level_kg"),
        ({"lox_tanks": (TankLevel(100.0, 3423.0, 4000.0),)}, "lox_tanks[0].safety_level_kg"),
        ({"lox_tanks": (TankLevel(100.0, float("nan"), 0.0),)}, "lox_tanks[0].capacity_kg"),
        ({"cylinders": (CylinderStock(CYLINDER_40L, -3),)}, "cylinders[0].full_count"),
        ({"psa_nm3_per_h": -5.0}, "psa_nm3_per_h"),
        ({"concentrators_l_per_min": float("inf")}, "concentrators_l_per_min"),
    ],
)
def test_it_rejects_an_impossible_stock_position(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(AutonomyError) as caught:
        position(**changes)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field} = ")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"demand": -1.0}, "demand"),
        ({"demand": []}, "demand"),
        ({"demand": [DemandStep(hours_after(1), 5.0)]}, "demand[0].start"),
        ({"demand": [DemandStep(NOW, 5.0), DemandStep(NOW, 6.0)]}, "demand[1].start"),
        ({"demand": [DemandStep(NOW.replace(tzinfo=None), 5.0)]}, "demand[0].start"),
        ({"demand": [DemandStep(NOW, 5.0, low_nm3_per_h=6.0)]}, "demand[0].low_nm3_per_h"),
        ({"demand": [DemandStep(NOW, 5.0, high_nm3_per_h=4.0)]}, "demand[0].high_nm3_per_h"),
        ({"in_transit": [InTransit(eta=NOW)]}, "in_transit[0]"),
        ({"in_transit": [InTransit(eta=NOW, lox_kg=1.0, gas_nm3=1.0)]}, "in_transit[0]"),
        ({"in_transit": [InTransit(eta=NOW, lox_kg=-1.0)]}, "in_transit[0].lox_kg"),
        (
            {"in_transit": [InTransit(eta=NOW.replace(tzinfo=None), gas_nm3=1.0)]},
            "in_transit[0].eta",
        ),
        ({"horizon_hours": 0}, "horizon_hours"),
    ],
)
def test_it_rejects_bad_demand_deliveries_and_horizon(kwargs: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"demand": 1.0} | kwargs
    with pytest.raises(AutonomyError) as caught:
        compute_autonomy(position(), **arguments)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field} = ")
    assert caught.value.rule in str(caught.value)
