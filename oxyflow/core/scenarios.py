"""What N cases under treatment would need, per district and in total, and where the gap is.

A :class:`Scenario` splits N patients by a :class:`SeverityMix` (default WHO ESFT), maps
them to an oxygen census (severe → low-flow; critical → high-flow/NIV or invasive
ventilation) and works out oxygen, LOX, cylinders, concentrators, PSA capacity,
storage, beds and PPE. :func:`run_scenario` spreads it over districts; :func:`gap_table`
sets each district's need against its supply, transport and storage.

Patients are whole people. Severity counts are rounded by Webster's divisor method and
district counts by largest remainder, so that both sum to N; the district × severity
table is rounded with both margins kept (controlled rounding), so district counts add
up exactly to the national ones. Everything is plain numpy arithmetic; pint conversion
factors are taken once per scenario.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from oxyflow.core.demand import (
    WHO_ESFT,
    Calibration,
    Census,
    FlowProfile,
    demand_arrays,
    describe_basis,
)
from oxyflow.core.units import (
    NORMAL,
    CylinderSpec,
    Quantity,
    ReferenceConditions,
    gas_volume_to_lox_mass,
    to_magnitude,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Guards float noise in floor/ceil (150.00000000000003 concentrators is 150).
_EPS: Final = 1e-9


class ScenarioError(ValueError):
    """A scenario input breaks a rule; names the field (a dotted path), value and rule."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value} is invalid: {rule}")


# ------------------------------------------------------------------------ severity mix

# WHO ESFT: critical patients are 2/3 on invasive ventilation, 1/3 on non-invasive.
CRITICAL_INVASIVE_SHARE: Final = 2 / 3
_SHARE_TOLERANCE: Final = 1e-6


@dataclass(frozen=True)
class SeverityMix:
    """Shares of patients that are mild, moderate, severe and critical (sum 1).

    Raises
    ------
    ScenarioError
        If a share is outside 0..1 or the shares do not sum to 1 (within 1e-6).
    """

    mild: float
    moderate: float
    severe: float
    critical: float
    critical_invasive_share: float = CRITICAL_INVASIVE_SHARE

    def __post_init__(self) -> None:
        for name in ("mild", "moderate", "severe", "critical", "critical_invasive_share"):
            value: float = getattr(self, name)
            if isinstance(value, bool) or not (math.isfinite(value) and 0 <= value <= 1):
                raise ScenarioError(f"severity_mix.{name}", value, "must be between 0 and 1")
        total = self.mild + self.moderate + self.severe + self.critical
        if abs(total - 1) > _SHARE_TOLERANCE:
            raise ScenarioError("severity_mix", f"{total:g}", "shares must sum to 1")

    @classmethod
    def oxygen_patients(cls, severe: float = 0.75, critical: float = 0.25) -> SeverityMix:
        """A mix of patients who all need oxygen: no mild or moderate ones.

        Raises
        ------
        ScenarioError
            As the class.
        """
        return cls(0.0, 0.0, severe, critical)

    @property
    def shares(self) -> tuple[float, float, float, float]:
        """(mild, moderate, severe, critical)."""
        return (self.mild, self.moderate, self.severe, self.critical)


# WHO ESFT share of cases: mild 40 %, moderate 40 %, severe 15 %, critical 5 %.
ESFT_MIX: Final = SeverityMix(0.40, 0.40, 0.15, 0.05)


# ---------------------------------------------------------------------------- scenario

# Assumptions, not sourced figures; every one is a Scenario field.
DEFAULT_RESERVE_DAYS: Final = 3.0  # storage to hold three days of need
DEFAULT_TURNAROUND_DAYS: Final = 2.0  # a cylinder's fill → use → return loop
DEFAULT_CONCENTRATOR_L_PER_MIN: Final = 10.0  # concentrators come as 5 or 10 L/min
# About one health worker per hospitalised (severe or critical) patient per day, all
# shifts together: an assumed default, not an ESFT figure — set it from local staffing norms.
DEFAULT_HEALTH_WORKERS_PER_PATIENT: Final = 1.0
MAX_CONCENTRATOR_L_PER_MIN: Final = 10.0


def _check_number(name: str, value: float, *, positive: bool = False) -> None:
    ok = not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (value > 0 if positive else value >= 0)
    if not ok:
        raise ScenarioError(name, value, "must be > 0" if positive else "must be ≥ 0")


def _check_patients(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScenarioError(name, value, "must be a whole number ≥ 0")


@dataclass(frozen=True)
class Scenario:
    """N cases under treatment and the settings that turn them into needs.

    ``cylinder_type``: when given, all oxygen is also counted as cylinders of that type
    (fills per day and cylinders in circulation over ``cylinder_turnaround_days``).
    ``health_workers_per_patient`` applies to inpatients (severe and critical).

    Raises
    ------
    ScenarioError
        If patients are negative or not whole, reserve days or the health-worker ratio
        negative, the turnaround not positive, or the concentrator flow not in 0..10 L/min.
    """

    patients: int
    mix: SeverityMix = ESFT_MIX
    profile: FlowProfile = WHO_ESFT
    conditions: ReferenceConditions = NORMAL
    reserve_days: float = DEFAULT_RESERVE_DAYS
    cylinder_type: CylinderSpec | None = None
    cylinder_turnaround_days: float = DEFAULT_TURNAROUND_DAYS
    concentrator_l_per_min: float = DEFAULT_CONCENTRATOR_L_PER_MIN
    health_workers_per_patient: float = DEFAULT_HEALTH_WORKERS_PER_PATIENT
    calibration: Calibration | None = None

    def __post_init__(self) -> None:
        _check_patients("patients", self.patients)
        _check_number("reserve_days", self.reserve_days)
        _check_number("cylinder_turnaround_days", self.cylinder_turnaround_days, positive=True)
        _check_number("health_workers_per_patient", self.health_workers_per_patient)
        c = self.concentrator_l_per_min
        if isinstance(c, bool) or not (math.isfinite(c) and 0 < c <= MAX_CONCENTRATOR_L_PER_MIN):
            raise ScenarioError(
                "concentrator_l_per_min",
                c,
                f"must be between 0 and {MAX_CONCENTRATOR_L_PER_MIN:g} L/min",
            )

    def basis(self) -> str:
        """How the figures are worked out, in one line."""
        m = self.mix
        mix = (
            f"mix mild {m.mild:.0%}, moderate {m.moderate:.0%}, severe {m.severe:.0%}, "
            f"critical {m.critical:.0%} ({m.critical_invasive_share:.0%} invasive)"
        )
        c = self.conditions
        return (
            f"{mix}; {describe_basis(self.profile, self.calibration)}; "
            f"gas at {c.name} conditions ({c.temperature_c:g} °C, {c.pressure_bar:g} bar)"
        )


# -------------------------------------------------------------------------- rounding


def _largest_remainder(total: int, shares: FloatArray) -> IntArray:
    # Hamilton's method; ties go to the earlier entry (stable sort) for determinism.
    quotas = total * (shares / shares.sum())
    floors: IntArray = np.floor(quotas + _EPS).astype(np.int64)
    remainders = np.clip(quotas - floors, 0.0, None)
    left = total - int(floors.sum())
    if left > 0:
        floors[np.argsort(-remainders, kind="stable")[:left]] += 1
    return floors


def _webster(total: int, shares: FloatArray) -> IntArray:
    # Sainte-Laguë/Webster divisor method, for a few severity groups. Unlike largest
    # remainder it is house-monotone: one more case never means one fewer critical
    # patient (largest remainder gives 9 critical of 168 cases but 8 of 169 with the ESFT
    # mix - the Alabama paradox - so demand would fall as cases rise). It matches
    # largest remainder whenever the quotas are whole or clear-cut (all hand-worked
    # cases). Start below the result - Webster counts are at least quota - (m + 1) / 2 -
    # then give each remaining patient to the highest share ÷ (count + ½).
    shares = shares / shares.sum()
    counts: IntArray = np.floor(total * shares + _EPS).astype(np.int64) - shares.size
    counts = np.maximum(counts, 0)
    for _ in range(total - int(counts.sum())):
        counts[int(np.argmax(shares / (counts + 0.5)))] += 1
    return counts


def _controlled_rounding(rows: IntArray, cols: IntArray) -> IntArray:
    """Integer table near rows x cols / N whose row and column sums are kept exactly.

    Floors of the exact table leave integer deficits per row and column that the
    fractional parts cover, so a 0/1 top-up with those margins exists (the transportation
    polytope is integral). Gale-Ryser's greedy construction finds one: each column's
    units go to the rows with the largest outstanding deficit, larger fraction first.
    """
    total = int(rows.sum())
    if total == 0:
        return np.zeros((rows.size, cols.size), dtype=np.int64)
    exact = np.outer(rows, cols) / total
    table = np.floor(exact + _EPS).astype(np.int64)
    fraction = np.clip(exact - table, 0.0, None)
    deficit = rows - table.sum(axis=1)
    order_key = np.arange(rows.size)
    for j, units in enumerate((cols - table.sum(axis=0)).tolist()):
        if units <= 0:
            continue
        chosen = np.lexsort((order_key, -fraction[:, j], -deficit))[:units]
        table[chosen, j] += 1
        deficit[chosen] -= 1
    if deficit.any() or (table.sum(axis=0) != cols).any():  # pragma: no cover - theorem
        raise AssertionError("controlled rounding failed to keep the margins")
    return table


def _check_weights(name: str, weights: Mapping[str, float]) -> FloatArray:
    if not weights:
        raise ScenarioError(name, "{}", "must name at least one district")
    values = []
    for district, weight in weights.items():
        if not district.strip():
            raise ScenarioError(name, repr(district), "district names must not be empty")
        if isinstance(weight, bool) or not (math.isfinite(weight) and weight >= 0):
            raise ScenarioError(f"{name}.{district}", weight, "must be a finite number ≥ 0")
        values.append(float(weight))
    array = np.array(values, dtype=np.float64)
    if array.sum() <= 0:
        raise ScenarioError(name, f"sum {array.sum():g}", "weights must not all be zero")
    return array


def spread(patients: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Share ``patients`` among districts in proportion to ``weights``; sums to ``patients``.

    Weights may be populations, beds or explicit shares. Largest-remainder rounding;
    ties go to the district listed first.

    Raises
    ------
    ScenarioError
        If ``patients`` is negative, ``weights`` is empty, a weight is negative or not
        finite, or all weights are zero.
    """
    _check_patients("patients", patients)
    shares = _check_weights("weights", weights)
    return dict(zip(weights, _largest_remainder(patients, shares).tolist(), strict=True))


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PpeNeeds:
    """Personal protective equipment per day (WHO ESFT rates)."""

    gloves_pairs: int
    gowns: int
    medical_masks: int
    respirators: int
    face_shields: int
    aprons: int


# WHO ESFT, per inpatient health worker per day: 24 pairs of examination gloves, 1 gown,
# 4 medical masks, 1 respirator, 1 face shield, 1 apron; plus 2 medical masks per severe
# or critical patient per day.
PPE_PER_HEALTH_WORKER: Final = {
    "gloves_pairs": 24,
    "gowns": 1,
    "medical_masks": 4,
    "respirators": 1,
    "face_shields": 1,
    "aprons": 1,
}
MEDICAL_MASKS_PER_INPATIENT: Final = 2


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's needs for one area (a district, or the total), per day unless named.

    Oxygen in Nm³/day at the scenario's reference conditions (band from the profile's
    ranges); ``lox_tonnes_per_day`` and ``storage_kg`` at those conditions;
    ``cylinders_*`` are ``None`` without a cylinder type; ``concentrators`` cover the
    low-flow (severe) patients; ``psa_nm3_per_h`` is the daily need spread over 24 h;
    oxygen beds are severe + critical, ICU beds critical.

    Raises
    ------
    ScenarioError
        If the severity counts do not add up to ``patients`` or disagree with the census.
    """

    patients: int
    mild: int
    moderate: int
    severe: int
    critical: int
    census: Census
    oxygen_nm3_per_day: float
    oxygen_nm3_per_day_low: float
    oxygen_nm3_per_day_high: float
    lox_tonnes_per_day: float
    cylinders_per_day: int | None
    cylinders_in_circulation: int | None
    concentrators: int
    psa_nm3_per_h: float
    storage_kg: float
    oxygen_beds: int
    icu_beds: int
    health_workers: int
    ppe: PpeNeeds

    def __post_init__(self) -> None:
        if self.mild + self.moderate + self.severe + self.critical != self.patients:
            raise ScenarioError("patients", self.patients, "must equal the severity counts")
        if (self.census.low_flow, self.census.high_flow + self.census.ventilated) != (
            self.severe,
            self.critical,
        ):
            raise ScenarioError("census", self.census, "must match severe and critical counts")


@dataclass(frozen=True)
class ScenarioReport:
    """A scenario's total and, when spread, its districts (which sum to the total)."""

    scenario: Scenario
    total: ScenarioResult
    districts: dict[str, ScenarioResult] = field(default_factory=dict)
    basis: str = ""


def _ceil(values: npt.ArrayLike) -> IntArray:
    return np.ceil(np.asarray(values, dtype=np.float64) - _EPS).clip(0).astype(np.int64)


_PPE_FIELDS: Final = tuple(f"ppe_{name}" for name in PPE_PER_HEALTH_WORKER)


def _area_arrays(
    scenario: Scenario, counts: IntArray, invasive: IntArray
) -> dict[str, npt.NDArray[np.int64] | npt.NDArray[np.float64]]:
    """Every figure as an array over areas; ``counts`` is (areas, mild..critical)."""
    mild, moderate, severe, critical = (counts[:, k] for k in range(4))
    niv = critical - invasive
    central, low, high = demand_arrays(
        severe, niv, invasive, scenario.profile, scenario.calibration
    )
    # Pint once per scenario, never per area: it costs ~10 µs a quantity.
    kg_per_nm3 = to_magnitude(
        gas_volume_to_lox_mass(Quantity(1.0, "Nm3"), scenario.conditions), "kg"
    )
    inpatients = severe + critical
    workers = _ceil(inpatients * scenario.health_workers_per_patient)
    arrays: dict[str, npt.NDArray[np.int64] | npt.NDArray[np.float64]] = {
        "patients": counts.sum(axis=1),
        "mild": mild,
        "moderate": moderate,
        "severe": severe,
        "critical": critical,
        "census_low_flow": severe,
        "census_high_flow": niv,
        "census_ventilated": invasive,
        "oxygen_nm3_per_day": central,
        "oxygen_nm3_per_day_low": low,
        "oxygen_nm3_per_day_high": high,
        "lox_tonnes_per_day": central * kg_per_nm3 / 1000,
        # Whole concentrators per area for its low-flow patients: ceil(severe x flow ÷
        # concentrator flow), so 10 L/min patients need two 5 L/min units each.
        "concentrators": _ceil(
            severe * scenario.profile.low_flow_l_per_min / scenario.concentrator_l_per_min
        ),
        "psa_nm3_per_h": central / 24,
        "storage_kg": central * scenario.reserve_days * kg_per_nm3,
        "oxygen_beds": inpatients,
        "icu_beds": critical,
        "health_workers": workers,
    }
    if scenario.cylinder_type is not None:
        # All of the need as cylinders of this type, emptied to the residual pressure;
        # those in circulation make one fill-use-return loop per turnaround.
        usable_nm3 = to_magnitude(scenario.cylinder_type.usable_content(scenario.conditions), "Nm3")
        fills = central / usable_nm3
        arrays["cylinders_per_day"] = _ceil(fills)
        arrays["cylinders_in_circulation"] = _ceil(fills * scenario.cylinder_turnaround_days)
    for name, per_worker in PPE_PER_HEALTH_WORKER.items():
        arrays[f"ppe_{name}"] = workers * per_worker
    arrays["ppe_medical_masks"] = arrays["ppe_medical_masks"] + (
        MEDICAL_MASKS_PER_INPATIENT * inpatients
    )
    return arrays


def _result(values: Mapping[str, int | float]) -> ScenarioResult:
    def whole(name: str) -> int:
        return int(values[name])

    cylinders = "cylinders_per_day" in values
    return ScenarioResult(
        patients=whole("patients"),
        mild=whole("mild"),
        moderate=whole("moderate"),
        severe=whole("severe"),
        critical=whole("critical"),
        census=Census(
            whole("census_low_flow"), whole("census_high_flow"), whole("census_ventilated")
        ),
        oxygen_nm3_per_day=float(values["oxygen_nm3_per_day"]),
        oxygen_nm3_per_day_low=float(values["oxygen_nm3_per_day_low"]),
        oxygen_nm3_per_day_high=float(values["oxygen_nm3_per_day_high"]),
        lox_tonnes_per_day=float(values["lox_tonnes_per_day"]),
        cylinders_per_day=whole("cylinders_per_day") if cylinders else None,
        cylinders_in_circulation=whole("cylinders_in_circulation") if cylinders else None,
        concentrators=whole("concentrators"),
        psa_nm3_per_h=float(values["psa_nm3_per_h"]),
        storage_kg=float(values["storage_kg"]),
        oxygen_beds=whole("oxygen_beds"),
        icu_beds=whole("icu_beds"),
        health_workers=whole("health_workers"),
        ppe=PpeNeeds(*(whole(name) for name in _PPE_FIELDS)),
    )


def run_scenario(
    scenario: Scenario, districts: Mapping[str, float] | None = None
) -> ScenarioReport:
    """Work out a scenario's needs in total and, given ``districts``, per district.

    Patients are split by severity and critical patients into NIV and invasive with
    Webster's divisor method (whole patients summing to N, never fewer in a group when
    N grows); with ``districts`` (name → weight: population,
    beds or an explicit share) the district × severity table is rounded so that both
    its district totals (:func:`spread`) and its severity totals are kept. The total of a
    spread scenario is the sum of its districts: whole concentrators, cylinders and
    health workers are counted where they are needed, so they can exceed the figure for
    the same patients in one place.

    Raises
    ------
    ScenarioError
        If ``districts`` is empty, a weight is negative or not finite, or all are zero.
    """
    n = scenario.patients
    mix = scenario.mix
    by_severity = _webster(n, np.array(mix.shares, dtype=np.float64))
    if districts is None:
        rows = np.array([n], dtype=np.int64)
    else:
        rows = _largest_remainder(n, _check_weights("districts", districts))
    counts = _controlled_rounding(rows, by_severity)
    critical_split = _webster(
        int(by_severity[3]),
        np.array([1 - mix.critical_invasive_share, mix.critical_invasive_share]),
    )
    invasive = _controlled_rounding(counts[:, 3], critical_split)[:, 1]
    arrays = _area_arrays(scenario, counts, invasive)
    if districts is None:
        return ScenarioReport(
            scenario, _result({k: v[0].item() for k, v in arrays.items()}), {}, scenario.basis()
        )
    columns = {k: v.tolist() for k, v in arrays.items()}
    results = {
        name: _result({k: column[i] for k, column in columns.items()})
        for i, name in enumerate(districts)
    }
    total = _result({k: v.sum().item() for k, v in arrays.items()})
    return ScenarioReport(scenario, total, results, scenario.basis())


# --------------------------------------------------------------------------- gap table

BindingConstraint = Literal["supply", "transport", "storage", "none"]


@dataclass(frozen=True)
class DistrictSupply:
    """What can reach or is made in a district, Nm³ at the scenario's conditions.

    ``supply_nm3_per_day``: contracted or registered supply allotted to it;
    ``transport_nm3_per_day``: fleet trips per day x capacity per trip;
    ``storage_nm3``: tank capacity (LOX tanks, cylinder stock);
    ``onsite_nm3_per_day``: PSA plants and concentrators in the district.

    Raises
    ------
    ScenarioError
        If the name is empty or a figure is negative or not finite.
    """

    district: str
    supply_nm3_per_day: float = 0.0
    transport_nm3_per_day: float = 0.0
    storage_nm3: float = 0.0
    onsite_nm3_per_day: float = 0.0

    def __post_init__(self) -> None:
        if not self.district.strip():
            raise ScenarioError("district", repr(self.district), "must not be empty")
        for name in (
            "supply_nm3_per_day",
            "transport_nm3_per_day",
            "storage_nm3",
            "onsite_nm3_per_day",
        ):
            _check_number(name, getattr(self, name))


@dataclass(frozen=True)
class GapRow:
    """One district's need against what can reach it (Nm³/day unless named).

    ``reserve_days_available`` is storage ÷ daily need, ``None`` when there is no need.
    """

    district: str
    need_nm3_per_day: float
    available_nm3_per_day: float
    gap_nm3_per_day: float
    binding_constraint: BindingConstraint
    reserve_days_available: float | None


def gap_table(report: ScenarioReport, supplies: Iterable[DistrictSupply]) -> list[GapRow]:
    """Set each district's central need against its supply, transport and storage.

    Delivered oxygen is the smaller of supply and transport (oxygen bought but not
    carried, or trucks with nothing to carry, do not reach patients); available = on-site
    generation + delivered; gap = need - available when positive. The binding
    constraint is, with a daily gap, the smaller of supply and transport ("supply" on
    a tie: more trucks would carry nothing more); without one, "storage" when the tanks
    hold less than the scenario's reserve days of need; else "none". A district with
    no entry in ``supplies`` has nothing registered (all zero). Rows follow the
    report's district order.

    Raises
    ------
    ScenarioError
        If the report has no districts, or ``supplies`` names a district twice or one
        that is not in the report.
    """
    if not report.districts:
        raise ScenarioError("districts", "{}", "must name at least one district for a gap table")
    by_district: dict[str, DistrictSupply] = {}
    for supply in supplies:
        where = f"supplies.{supply.district}"
        if supply.district in by_district:
            raise ScenarioError(where, repr(supply.district), "must appear once")
        if supply.district not in report.districts:
            raise ScenarioError(where, repr(supply.district), "must be a district of the scenario")
        by_district[supply.district] = supply
    reserve_days = report.scenario.reserve_days
    rows = []
    for district, result in report.districts.items():
        s = by_district.get(district) or DistrictSupply(district)
        need = result.oxygen_nm3_per_day
        delivered = min(s.supply_nm3_per_day, s.transport_nm3_per_day)
        available = s.onsite_nm3_per_day + delivered
        # A shortfall within float noise of zero is none.
        gap = need - available if need - available > _EPS * max(need, 1.0) else 0.0
        binding: BindingConstraint
        if gap > 0:
            binding = "supply" if s.supply_nm3_per_day <= s.transport_nm3_per_day else "transport"
        elif s.storage_nm3 < reserve_days * need * (1 - _EPS):
            binding = "storage"
        else:
            binding = "none"
        reserve = s.storage_nm3 / need if need > 0 else None
        rows.append(GapRow(district, need, available, gap, binding, reserve))
    return rows
