"""Demand: flow profiles, census demand with its band, calibration on reported use."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oxyflow.core.demand import (
    INDIA_2021,
    NM3_PER_DAY_PER_L_PER_MIN,
    PROFILES,
    WHO_ESFT,
    Calibration,
    Census,
    DemandError,
    DemandEstimate,
    FlowProfile,
    calibrate,
    census_demand,
    demand_arrays,
    with_hfnc,
)
from oxyflow.core.units import NORMAL, STANDARD_15C

counts = st.integers(min_value=0, max_value=100_000)
flows = st.floats(min_value=0.5, max_value=70, allow_nan=False)


def flat_profile(low_flow: float, high_flow: float, ventilated: float) -> FlowProfile:
    return FlowProfile(
        "test",
        low_flow,
        high_flow,
        ventilated,
        (low_flow, low_flow),
        (high_flow, high_flow),
        (ventilated, ventilated),
    )


# ------------------------------------------------------------------------ profiles


def test_ten_litres_a_minute_is_14_4_normal_cubic_metres_a_day() -> None:
    per_day = NM3_PER_DAY_PER_L_PER_MIN
    assert (10 * per_day, 30 * per_day) == pytest.approx((14.4, 43.2))


def test_profiles_are_offered_by_key() -> None:
    assert PROFILES["who"] is WHO_ESFT
    assert PROFILES["india"] is INDIA_2021
    assert (INDIA_2021.low_flow_l_per_min, INDIA_2021.ventilated_l_per_min) == (10, 24)


def test_a_flow_above_70_litres_a_minute_is_rejected_naming_field_value_and_rule() -> None:
    with pytest.raises(DemandError) as caught:
        replace(WHO_ESFT, ventilated_l_per_min=80, ventilated_range=(20, 90))
    error = caught.value
    assert (error.field, error.value) == ("ventilated_l_per_min", 80)
    assert error.rule == "must be between 0 and 70 L/min"
    assert str(error) == "ventilated_l_per_min=80 is invalid: must be between 0 and 70 L/min"


def test_a_zero_flow_is_rejected() -> None:
    with pytest.raises(DemandError, match="low_flow_l_per_min=0"):
        replace(WHO_ESFT, low_flow_l_per_min=0)


def test_a_range_must_contain_its_central_flow() -> None:
    with pytest.raises(DemandError) as caught:
        replace(WHO_ESFT, low_flow_range=(12, 15))
    assert caught.value.field == "low_flow_range.0"
    assert "must be ≤ the central flow 10 L/min" in str(caught.value)


def test_hfnc_sets_the_high_flow_rate_up_to_60_litres_a_minute() -> None:
    profile = with_hfnc(WHO_ESFT, 60)
    assert profile.high_flow_l_per_min == 60
    assert profile.high_flow_range == (30, 60)
    assert profile.ventilated_l_per_min == 30
    assert "HFNC 60 L/min" in profile.name


def test_hfnc_above_60_litres_a_minute_is_rejected() -> None:
    with pytest.raises(DemandError) as caught:
        with_hfnc(WHO_ESFT, 65)
    assert caught.value.field == "high_flow_l_per_min"
    assert caught.value.rule == "must be between 0 and 60 L/min"


# -------------------------------------------------------------------------- census


def test_a_negative_census_count_is_rejected() -> None:
    with pytest.raises(DemandError) as caught:
        Census(low_flow=-5, high_flow=0, ventilated=0)
    assert str(caught.value) == "low_flow=-5 is invalid: must be a whole number ≥ 0"


def test_a_fractional_census_count_is_rejected() -> None:
    with pytest.raises(DemandError, match=r"ventilated=1\.5"):
        Census(0, 0, 1.5)  # type: ignore[arg-type]


def test_who_demand_of_150_severe_and_50_critical_is_4320_cubic_metres() -> None:
    estimate = census_demand(Census(150, 17, 33), WHO_ESFT)
    assert estimate.nm3_per_day == pytest.approx(4320)
    assert estimate.nm3_per_day_low == pytest.approx(150 * 7.2 + 50 * 28.8)
    assert estimate.nm3_per_day_high == pytest.approx(150 * 21.6 + 50 * 57.6)
    assert estimate.basis.startswith("WHO ESFT: low-flow 10 L/min (5-15)")
    assert estimate.basis.endswith("not calibrated")


def test_india_demand_counts_icu_patients_at_24_litres_a_minute() -> None:
    estimate = census_demand(Census(100, 10, 10), INDIA_2021)
    assert estimate.nm3_per_day == pytest.approx(100 * 14.4 + 20 * 24 * 1.44)


def test_21600_cubic_metres_a_day_is_30_9_tonnes_of_lox_and_29_3_at_15_degrees() -> None:
    estimate = census_demand(Census(750, 0, 250), flat_profile(10, 30, 30))
    assert estimate.nm3_per_day == pytest.approx(21_600)
    assert estimate.lox_tonnes_per_day(NORMAL) == pytest.approx(21_600 / 699.6, rel=1e-3)
    assert round(estimate.lox_tonnes_per_day(), 1) == 30.9
    assert round(estimate.lox_tonnes_per_day(STANDARD_15C), 1) == 29.3
    assert estimate.lox_kg_per_day() == pytest.approx(1000 * estimate.lox_tonnes_per_day())


def test_an_empty_census_needs_no_oxygen() -> None:
    estimate = census_demand(Census(0, 0, 0))
    assert (estimate.nm3_per_day, estimate.nm3_per_day_low, estimate.nm3_per_day_high) == (0, 0, 0)


def test_a_demand_estimate_refuses_a_band_that_excludes_its_centre() -> None:
    with pytest.raises(DemandError, match="nm3_per_day_low=11 is invalid"):
        DemandEstimate(10, 11, 12)


def test_demand_arrays_match_census_demand_item_by_item() -> None:
    central, low, high = demand_arrays([1, 0, 5], [0, 2, 1], [3, 1, 0], INDIA_2021)
    for i, (lf, hf, v) in enumerate([(1, 0, 3), (0, 2, 1), (5, 1, 0)]):
        estimate = census_demand(Census(lf, hf, v), INDIA_2021)
        assert (central[i], low[i], high[i]) == pytest.approx(
            (estimate.nm3_per_day, estimate.nm3_per_day_low, estimate.nm3_per_day_high)
        )


@given(counts, counts, counts, st.sampled_from(["low_flow", "high_flow", "ventilated"]))
def test_demand_grows_with_every_census_count(lf: int, hf: int, v: int, group: str) -> None:
    census = Census(lf, hf, v)
    more = replace(census, **{group: getattr(census, group) + 1})
    for profile in (WHO_ESFT, INDIA_2021):
        before, after = census_demand(census, profile), census_demand(more, profile)
        assert after.nm3_per_day > before.nm3_per_day
        assert after.nm3_per_day_low > before.nm3_per_day_low
        assert after.nm3_per_day_high > before.nm3_per_day_high


@given(counts, counts, counts, flows, flows, flows, st.integers(0, 2), flows)
def test_demand_never_falls_when_a_flow_rate_rises(
    lf: int, hf: int, v: int, f1: float, f2: float, f3: float, which: int, other: float
) -> None:
    rates = [f1, f2, f3]
    higher = list(rates)
    higher[which] = max(rates[which], other)
    census = Census(lf, hf, v)
    before = census_demand(census, flat_profile(*rates))
    after = census_demand(census, flat_profile(*higher))
    assert after.nm3_per_day >= before.nm3_per_day


@given(counts, counts, counts, st.sampled_from([WHO_ESFT, INDIA_2021, with_hfnc(WHO_ESFT, 60)]))
def test_the_band_always_contains_the_central_demand(
    lf: int, hf: int, v: int, profile: FlowProfile
) -> None:
    calibration = Calibration(0.5, 0.4, 0.8, 10, "test")
    for cal in (None, calibration):
        estimate = census_demand(Census(lf, hf, v), profile, cal)
        assert estimate.nm3_per_day_low <= estimate.nm3_per_day <= estimate.nm3_per_day_high


# --------------------------------------------------------------------- calibration


def test_calibration_is_the_median_ratio_and_ignores_an_outlier() -> None:
    census_based = [100.0, 100.0, 100.0, 100.0, 100.0]
    reported = [40.0, 45.0, 50.0, 55.0, 900.0]  # one report in the wrong unit
    calibration = calibrate(reported, census_based)
    assert calibration.factor == pytest.approx(0.5)
    assert (calibration.low, calibration.high) == pytest.approx((0.45, 0.55))
    assert calibration.n == 5
    assert "median of 5 daily ratios" in calibration.basis


def test_calibration_skips_days_without_census_demand() -> None:
    calibration = calibrate([10, 50, 60, 70], [0, 100, 100, 100])
    assert calibration.n == 3
    assert calibration.factor == pytest.approx(0.6)


def test_calibration_with_fewer_than_three_days_keeps_the_census_figure() -> None:
    calibration = calibrate([50, 60, 70], [0, 100, 100])
    assert (calibration.factor, calibration.low, calibration.high) == (1.0, 1.0, 1.0)
    assert calibration.basis.startswith("not enough reports")


def test_calibration_is_clipped_to_0_3_and_says_so() -> None:
    calibration = calibrate([1, 2, 3], [100, 100, 100])
    assert (calibration.low, calibration.factor, calibration.high) == (0.3, 0.3, 0.3)
    assert "clipped to 0.3-3" in calibration.basis


def test_calibration_is_clipped_to_3() -> None:
    assert calibrate([500, 600, 700], [100, 100, 100]).factor == 3.0


def test_calibration_scales_the_demand_and_its_basis_says_how() -> None:
    calibration = calibrate([40, 45, 50, 55, 60], [100] * 5)
    estimate = census_demand(Census(100, 0, 0), WHO_ESFT, calibration)
    assert estimate.nm3_per_day == pytest.approx(1440 * 0.5)
    assert estimate.nm3_per_day_low == pytest.approx(720 * 0.45)
    assert "calibrated x0.50" in estimate.basis


def test_calibration_rejects_series_of_different_lengths() -> None:
    with pytest.raises(DemandError) as caught:
        calibrate([1, 2, 3], [1, 2])
    assert caught.value.field == "reported_nm3"


def test_calibration_rejects_a_negative_report_naming_its_day() -> None:
    with pytest.raises(DemandError) as caught:
        calibrate([1, -2, 3], [1, 2, 3])
    assert str(caught.value) == "reported_nm3.1=-2 is invalid: must be a finite number ≥ 0"


def test_a_calibration_factor_outside_the_bounds_is_rejected() -> None:
    with pytest.raises(DemandError, match=r"factor=5 is invalid: must be between 0\.3 and 3"):
        Calibration(5, 1, 5, 3, "typed in")


@given(
    st.lists(
        st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)),
        min_size=0,
        max_size=30,
    )
)
def test_calibration_is_always_ordered_and_bounded(pairs: list[tuple[float, float]]) -> None:
    calibration = calibrate([p[0] for p in pairs], [p[1] for p in pairs])
    assert 0.3 <= calibration.low <= calibration.factor <= calibration.high <= 3.0
