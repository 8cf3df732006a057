"""Scenarios: severity mix, hand-worked totals, spread over districts, gap table."""

from __future__ import annotations

import random
from dataclasses import fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oxyflow.core.demand import INDIA_2021, WHO_ESFT, Calibration
from oxyflow.core.scenarios import (
    ESFT_MIX,
    DistrictSupply,
    PpeNeeds,
    Scenario,
    ScenarioError,
    ScenarioReport,
    ScenarioResult,
    SeverityMix,
    gap_table,
    run_scenario,
    spread,
)
from oxyflow.core.units import NORMAL, STANDARD_15C, CylinderSpec

CYLINDER_40L = CylinderSpec("40 L", water_capacity_l=40, fill_pressure_bar=150)
OXYGEN_PATIENTS = SeverityMix.oxygen_patients(severe=0.75, critical=0.25)

weights = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=4),
    st.floats(0, 1e6, allow_nan=False),
    min_size=1,
    max_size=12,
).filter(lambda w: sum(w.values()) > 0)


# ---------------------------------------------------------------------- severity mix


def test_the_esft_mix_is_40_40_15_5_with_two_thirds_of_critical_invasive() -> None:
    assert ESFT_MIX.shares == (0.40, 0.40, 0.15, 0.05)
    assert ESFT_MIX.critical_invasive_share == pytest.approx(2 / 3)


def test_shares_not_summing_to_one_are_rejected_naming_field_value_and_rule() -> None:
    with pytest.raises(ScenarioError) as caught:
        SeverityMix(0.4, 0.4, 0.15, 0.1)
    error = caught.value
    assert (error.field, error.rule) == ("severity_mix", "shares must sum to 1")
    assert str(error) == "severity_mix=1.05 is invalid: shares must sum to 1"


def test_a_negative_share_is_rejected() -> None:
    with pytest.raises(ScenarioError) as caught:
        SeverityMix.oxygen_patients(severe=1.25, critical=-0.25)
    assert caught.value.field == "severity_mix.severe"


def test_negative_patients_are_rejected() -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario(patients=-5)
    assert str(caught.value) == "patients=-5 is invalid: must be a whole number ≥ 0"


def test_a_concentrator_above_10_litres_a_minute_is_rejected() -> None:
    with pytest.raises(ScenarioError, match="concentrator_l_per_min=15"):
        Scenario(100, concentrator_l_per_min=15)


# ------------------------------------------------------------- hand-worked cases


def test_1000_cases_with_the_esft_mix_need_4320_cubic_metres_a_day() -> None:
    total = run_scenario(Scenario(1000)).total
    assert (total.mild, total.moderate, total.severe, total.critical) == (400, 400, 150, 50)
    # 150 x 14.4 + 50 x 43.2 = 2,160 + 2,160
    assert total.oxygen_nm3_per_day == pytest.approx(4320)
    assert (total.census.low_flow, total.census.high_flow, total.census.ventilated) == (
        150,
        17,
        33,
    )
    assert total.oxygen_nm3_per_day_low < 4320 < total.oxygen_nm3_per_day_high


def test_1000_oxygen_patients_need_21600_cubic_metres_or_30_9_tonnes_a_day() -> None:
    total = run_scenario(Scenario(1000, OXYGEN_PATIENTS)).total
    assert (total.severe, total.critical) == (750, 250)
    # 750 x 14.4 + 250 x 43.2 = 10,800 + 10,800
    assert total.oxygen_nm3_per_day == pytest.approx(21_600)
    assert total.lox_tonnes_per_day == pytest.approx(21_600 / 699.6, rel=1e-3)
    assert round(total.lox_tonnes_per_day, 1) == 30.9


def test_at_15_degrees_the_same_oxygen_is_fewer_tonnes() -> None:
    total = run_scenario(Scenario(1000, OXYGEN_PATIENTS, conditions=STANDARD_15C)).total
    assert total.oxygen_nm3_per_day == pytest.approx(21_600)
    assert total.lox_tonnes_per_day == pytest.approx(21_600 / 738.4, rel=1e-3)
    assert round(total.lox_tonnes_per_day, 1) == 29.3


def test_the_india_profile_counts_critical_patients_at_24_litres_a_minute() -> None:
    total = run_scenario(Scenario(1000, OXYGEN_PATIENTS, INDIA_2021)).total
    assert total.oxygen_nm3_per_day == pytest.approx(750 * 14.4 + 250 * 24 * 1.44)


def test_1000_cases_need_beds_concentrators_psa_storage_and_cylinders() -> None:
    scenario = Scenario(
        1000,
        reserve_days=3,
        cylinder_type=CYLINDER_40L,
        cylinder_turnaround_days=2,
        concentrator_l_per_min=5,
    )
    total = run_scenario(scenario).total
    assert (total.oxygen_beds, total.icu_beds) == (200, 50)
    assert total.concentrators == 300  # 150 severe x 10 L/min ÷ 5 L/min
    assert total.psa_nm3_per_h == pytest.approx(180)  # 4,320 ÷ 24
    assert total.storage_kg == pytest.approx(3 * 4320 / 0.6998, rel=1e-3)
    usable = 40 * 150 / 1.01325 / 1000  # 5.92 Nm³ a cylinder
    assert total.cylinders_per_day == 730  # ceil(4,320 ÷ 5.92)
    assert total.cylinders_per_day == pytest.approx(4320 / usable, abs=1)
    assert total.cylinders_in_circulation == 1460


def test_without_a_cylinder_type_no_cylinders_are_counted() -> None:
    total = run_scenario(Scenario(1000)).total
    assert (total.cylinders_per_day, total.cylinders_in_circulation) == (None, None)


def test_ppe_follows_esft_rates_per_health_worker_and_patient() -> None:
    total = run_scenario(Scenario(1000, health_workers_per_patient=0.5)).total
    assert total.health_workers == 100  # 0.5 x 200 inpatients
    assert total.ppe == PpeNeeds(
        gloves_pairs=2400,
        gowns=100,
        medical_masks=4 * 100 + 2 * 200,
        respirators=100,
        face_shields=100,
        aprons=100,
    )


def test_a_calibration_scales_the_scenario_oxygen() -> None:
    calibration = Calibration(0.5, 0.4, 0.6, 10, "reported use")
    total = run_scenario(Scenario(1000, calibration=calibration)).total
    assert total.oxygen_nm3_per_day == pytest.approx(2160)


def test_the_report_says_its_basis() -> None:
    report = run_scenario(Scenario(1000))
    assert "severe 15%" in report.basis
    assert "WHO ESFT" in report.basis
    assert "normal conditions" in report.basis


def test_zero_patients_need_nothing() -> None:
    total = run_scenario(Scenario(0, cylinder_type=CYLINDER_40L)).total
    assert total.oxygen_nm3_per_day == 0
    assert (total.concentrators, total.cylinders_per_day, total.health_workers) == (0, 0, 0)


def test_one_more_case_never_means_one_fewer_critical_patient() -> None:
    # Largest remainder gives 9 critical of 168 cases but 8 of 169 (Alabama paradox).
    fewer, more = (run_scenario(Scenario(n)).total for n in (168, 169))
    assert (fewer.severe, fewer.critical) == (25, 8)
    assert (more.severe, more.critical) == (25, 8)
    assert more.mild + more.moderate == fewer.mild + fewer.moderate + 1


@given(st.integers(0, 200_000), st.integers(1, 1000))
def test_more_patients_never_need_less_oxygen(patients: int, more: int) -> None:
    for mix in (ESFT_MIX, OXYGEN_PATIENTS):
        fewer = run_scenario(Scenario(patients, mix)).total
        larger = run_scenario(Scenario(patients + more, mix)).total
        assert larger.oxygen_nm3_per_day >= fewer.oxygen_nm3_per_day
        assert larger.oxygen_nm3_per_day_high >= fewer.oxygen_nm3_per_day_high


# -------------------------------------------------------------------------- spread


def test_spread_shares_patients_by_largest_remainder() -> None:
    assert spread(1000, {"a": 1, "b": 1, "c": 1}) == {"a": 334, "b": 333, "c": 333}
    assert spread(10, {"north": 250_000, "south": 750_000}) == {"north": 3, "south": 7}


def test_spread_rejects_no_districts_negative_or_all_zero_weights() -> None:
    with pytest.raises(ScenarioError, match="must name at least one district"):
        spread(10, {})
    with pytest.raises(ScenarioError) as caught:
        spread(10, {"a": 1, "b": -1})
    assert caught.value.field == "weights.b"
    with pytest.raises(ScenarioError, match="weights must not all be zero"):
        spread(10, {"a": 0, "b": 0})


def test_run_scenario_names_the_bad_district_weight() -> None:
    with pytest.raises(ScenarioError) as caught:
        run_scenario(Scenario(10), {"a": float("nan")})
    assert caught.value.field == "districts.a"


@given(st.integers(0, 100_000), weights)
def test_spread_always_sums_to_the_patients(patients: int, w: dict[str, float]) -> None:
    shares = spread(patients, w)
    assert sum(shares.values()) == patients
    assert all(count >= 0 for count in shares.values())
    total = sum(w.values())
    for district, count in shares.items():
        assert abs(count - patients * w[district] / total) < 1 + 1e-6


def _summable(result: ScenarioResult) -> dict[str, float]:
    values: dict[str, float] = {}
    for f in fields(result):
        value = getattr(result, f.name)
        if isinstance(value, int | float):
            values[f.name] = value
    values.update({f"census.{k}": v for k, v in vars(result.census).items()})
    values.update({f"ppe.{k}": v for k, v in vars(result.ppe).items()})
    return values


def _assert_districts_sum_to_total(report: ScenarioReport) -> None:
    total = _summable(report.total)
    sums = dict.fromkeys(total, 0.0)
    for result in report.districts.values():
        for name, value in _summable(result).items():
            sums[name] += value
    assert sums == pytest.approx(total)


@settings(max_examples=60)
@given(st.integers(0, 50_000), weights, st.sampled_from([ESFT_MIX, OXYGEN_PATIENTS]))
def test_district_figures_sum_to_the_totals(
    patients: int, w: dict[str, float], mix: SeverityMix
) -> None:
    scenario = Scenario(patients, mix, cylinder_type=CYLINDER_40L)
    report = run_scenario(scenario, w)
    _assert_districts_sum_to_total(report)
    assert {k: r.patients for k, r in report.districts.items()} == spread(patients, w)
    # Patients by severity and their oxygen are those of the undivided scenario.
    whole = run_scenario(scenario).total
    spread_total = report.total
    assert (spread_total.mild, spread_total.moderate) == (whole.mild, whole.moderate)
    assert (spread_total.severe, spread_total.critical) == (whole.severe, whole.critical)
    assert spread_total.census == whole.census
    assert spread_total.oxygen_nm3_per_day == pytest.approx(whole.oxygen_nm3_per_day)
    # Each district's severities stay within one patient of its exact share.
    for result in report.districts.values():
        for share, count in zip(
            mix.shares, (result.mild, result.moderate, result.severe, result.critical), strict=True
        ):
            assert abs(count - result.patients * share) < 2 + 1e-6


def test_three_equal_districts_share_the_national_severity_counts_exactly() -> None:
    report = run_scenario(Scenario(1000), {"a": 1, "b": 1, "c": 1})
    assert sum(r.critical for r in report.districts.values()) == 50
    assert report.total.oxygen_nm3_per_day == pytest.approx(4320)
    _assert_districts_sum_to_total(report)


def test_a_scenario_over_5000_districts_reports_every_district() -> None:
    # Its speed is measured in bench/bench_scenarios.py, not here.
    rng = random.Random(5000)
    districts = {f"district-{i}": rng.uniform(1e3, 1e6) for i in range(5000)}
    report = run_scenario(Scenario(10_000, cylinder_type=CYLINDER_40L), districts)
    assert len(report.districts) == 5000
    assert report.total.patients == 10_000


# ----------------------------------------------------------------------- gap table


def _two_districts() -> ScenarioReport:
    # 1,000 oxygen patients, half in each: 10,800 Nm³/day per district.
    return run_scenario(Scenario(1000, OXYGEN_PATIENTS, reserve_days=2), {"a": 1, "b": 1})


def test_a_district_short_of_contracted_supply_is_bound_by_supply() -> None:
    supply = DistrictSupply("a", 5000, 9000, storage_nm3=50_000, onsite_nm3_per_day=1000)
    row = gap_table(_two_districts(), [supply])[0]
    assert row.district == "a"
    assert row.need_nm3_per_day == pytest.approx(10_800)
    assert row.available_nm3_per_day == pytest.approx(6000)
    assert row.gap_nm3_per_day == pytest.approx(4800)
    assert row.binding_constraint == "supply"
    assert row.reserve_days_available == pytest.approx(50_000 / 10_800)


def test_a_district_with_too_few_trucks_is_bound_by_transport() -> None:
    supply = DistrictSupply("a", 20_000, 8000, storage_nm3=50_000)
    row = gap_table(_two_districts(), [supply])[0]
    assert row.gap_nm3_per_day == pytest.approx(2800)
    assert row.binding_constraint == "transport"


def test_a_district_fed_daily_but_without_reserve_tanks_is_bound_by_storage() -> None:
    supply = DistrictSupply("a", 20_000, 20_000, storage_nm3=10_000)
    row = gap_table(_two_districts(), [supply])[0]
    assert row.gap_nm3_per_day == 0
    assert row.binding_constraint == "storage"  # 10,000 < 2 days x 10,800


def test_a_district_with_enough_of_everything_has_no_binding_constraint() -> None:
    supply = DistrictSupply("a", 20_000, 20_000, storage_nm3=21_600)
    row = gap_table(_two_districts(), [supply])[0]
    assert (row.gap_nm3_per_day, row.binding_constraint) == (0, "none")


def test_a_district_without_registered_supply_lacks_all_its_need() -> None:
    rows = gap_table(_two_districts(), [])
    assert [r.district for r in rows] == ["a", "b"]
    assert rows[1].gap_nm3_per_day == pytest.approx(10_800)
    assert rows[1].binding_constraint == "supply"
    assert rows[1].reserve_days_available == 0


def test_on_site_generation_alone_can_close_the_gap() -> None:
    supply = DistrictSupply("a", onsite_nm3_per_day=11_000, storage_nm3=30_000)
    row = gap_table(_two_districts(), [supply])[0]
    assert (row.gap_nm3_per_day, row.binding_constraint) == (0, "none")


def test_a_district_with_no_patients_has_no_reserve_figure() -> None:
    report = run_scenario(Scenario(0), {"a": 1})
    row = gap_table(report, [DistrictSupply("a")])[0]
    assert (row.gap_nm3_per_day, row.binding_constraint) == (0, "none")
    assert row.reserve_days_available is None


def test_the_gap_table_rejects_a_supply_for_an_unknown_district() -> None:
    with pytest.raises(ScenarioError) as caught:
        gap_table(_two_districts(), [DistrictSupply("z", 1, 1)])
    assert caught.value.field == "supplies.z"


def test_the_gap_table_rejects_a_district_listed_twice() -> None:
    with pytest.raises(ScenarioError, match="must appear once"):
        gap_table(_two_districts(), [DistrictSupply("a"), DistrictSupply("a")])


def test_the_gap_table_needs_districts() -> None:
    with pytest.raises(ScenarioError, match="must name at least one district"):
        gap_table(run_scenario(Scenario(10)), [])


def test_a_negative_supply_is_rejected() -> None:
    with pytest.raises(ScenarioError, match="transport_nm3_per_day=-1 is invalid"):
        DistrictSupply("a", 10, -1)


def test_defaults_are_the_who_profile_at_normal_conditions() -> None:
    scenario = Scenario(1)
    assert (scenario.mix, scenario.profile, scenario.conditions) == (ESFT_MIX, WHO_ESFT, NORMAL)
    assert replace(scenario, patients=2).patients == 2
