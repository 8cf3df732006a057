"""Oxygen demand from a patient census, flow profiles and a calibration on reported use.

A census counts patients by oxygen support: low-flow (nasal cannula, mask), high-flow or
non-invasive ventilation (HFNC, CPAP/BiPAP), and invasive ventilation. A
:class:`FlowProfile` gives the flow per patient in each group, with a (low, high) range
that becomes the band of the result. Demand is stated in Nm³ per day at the reference
conditions in force: a flowmeter's litre of gas is taken as a normal litre, so the
Nm³ figure does not depend on the conditions; only its conversion to kg or t of LOX does
(:meth:`DemandEstimate.lox_tonnes_per_day`).

Static rates over-allocate: observed mean flows were 3-5.6 L/min against the 10 L/min
planned for severe patients (DESIGN.md §5), so a facility's reported consumption
calibrates the census-based figure (:func:`calibrate`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from oxyflow.core.units import (
    NORMAL,
    Quantity,
    ReferenceConditions,
    flow_to_m3_per_day,
    gas_volume_to_lox_mass,
    to_magnitude,
)

FloatArray = npt.NDArray[np.float64]


class DemandError(ValueError):
    """A demand input breaks a rule; names the field (a dotted path), value and rule."""

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"{field}={value} is invalid: {rule}")


# 1 L/min for a day = 1.44 Nm³ (10 L/min = 14.4, 30 L/min = 43.2; DESIGN.md §5). Converted
# once through pint here: the vectorised paths below must not build a quantity per item.
NM3_PER_DAY_PER_L_PER_MIN: Final = to_magnitude(
    flow_to_m3_per_day(Quantity(1.0, "NL/min")), "Nm3/day"
)

# Plausible flow per patient: above 0 and at most 70 L/min, the top of what high-flow
# nasal cannula draws (60-70 L/min, DESIGN.md §5). Catches L/min typed as L/h or m³/h.
MAX_FLOW_L_PER_MIN: Final = 70.0
# High-flow nasal cannula setting accepted by with_hfnc (issue 3: "up to 60 L/min").
MAX_HFNC_L_PER_MIN: Final = 60.0
_FLOW_RULE: Final = f"must be between 0 and {MAX_FLOW_L_PER_MIN:g} L/min"


def _check_flow(name: str, value: float, maximum: float = MAX_FLOW_L_PER_MIN) -> None:
    if isinstance(value, bool) or not (math.isfinite(value) and 0 < value <= maximum):
        rule = (
            _FLOW_RULE
            if maximum == MAX_FLOW_L_PER_MIN
            else (f"must be between 0 and {maximum:g} L/min")
        )
        raise DemandError(name, value, rule)


@dataclass(frozen=True)
class FlowProfile:
    """Oxygen flow per patient (L/min) for each census group, with a (low, high) range.

    The central flows give the central demand; the range bounds give the band.

    Raises
    ------
    DemandError
        If a flow or range bound is not above 0 and at most 70 L/min, or a range does not
        contain its central flow.
    """

    name: str
    low_flow_l_per_min: float
    high_flow_l_per_min: float
    ventilated_l_per_min: float
    low_flow_range: tuple[float, float]
    high_flow_range: tuple[float, float]
    ventilated_range: tuple[float, float]

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DemandError("name", repr(self.name), "must not be empty")
        for group in ("low_flow", "high_flow", "ventilated"):
            central_field = f"{group}_l_per_min"
            central: float = getattr(self, central_field)
            _check_flow(central_field, central)
            low, high = getattr(self, f"{group}_range")
            _check_flow(f"{group}_range.0", low)
            _check_flow(f"{group}_range.1", high)
            if low > central:
                raise DemandError(
                    f"{group}_range.0", low, f"must be ≤ the central flow {central:g} L/min"
                )
            if high < central:
                raise DemandError(
                    f"{group}_range.1", high, f"must be ≥ the central flow {central:g} L/min"
                )

    def describe(self) -> str:
        """One line naming the flows and ranges, for a result's basis."""
        parts = []
        for label, group in (
            ("low-flow", "low_flow"),
            ("high-flow/NIV", "high_flow"),
            ("ventilated", "ventilated"),
        ):
            central: float = getattr(self, f"{group}_l_per_min")
            low, high = getattr(self, f"{group}_range")
            parts.append(f"{label} {central:g} L/min ({low:g}-{high:g})")
        return f"{self.name}: " + ", ".join(parts)


# WHO COVID-19 Essential Supplies Forecasting Tool (ESFT, v2, 2020): severe patients 10
# L/min (range 5-15), critical patients 30 L/min. Census mapping (issue 3): low-flow =
# severe; high-flow/NIV and invasive ventilation = critical. ESFT gives no range for
# critical patients: 20-40 L/min (±1/3) is our assumption.
WHO_ESFT: Final = FlowProfile(
    name="WHO ESFT",
    low_flow_l_per_min=10.0,
    high_flow_l_per_min=30.0,
    ventilated_l_per_min=30.0,
    low_flow_range=(5.0, 15.0),
    high_flow_range=(20.0, 40.0),
    ventilated_range=(20.0, 40.0),
)

# India's 2021 allocation (MoHFW guidance on rational use of oxygen, April 2021): 10
# L/min per non-ICU oxygen bed, 24 L/min per ICU bed; HFNC/NIV and ventilated patients
# are ICU patients. Ranges are our assumption: WHO's 5-15 for non-ICU, ±1/3 for ICU.
INDIA_2021: Final = FlowProfile(
    name="India 2021",
    low_flow_l_per_min=10.0,
    high_flow_l_per_min=24.0,
    ventilated_l_per_min=24.0,
    low_flow_range=(5.0, 15.0),
    high_flow_range=(16.0, 32.0),
    ventilated_range=(16.0, 32.0),
)

PROFILES: Final = MappingProxyType({"who": WHO_ESFT, "india": INDIA_2021})


def with_hfnc(profile: FlowProfile, l_per_min: float) -> FlowProfile:
    """Return ``profile`` with high-flow patients on nasal cannula at ``l_per_min``.

    The band is half the setting to the setting (assumption: flow is titrated down as
    patients improve, never above the setting).

    Raises
    ------
    DemandError
        If ``l_per_min`` is not above 0 and at most 60 L/min.
    """
    _check_flow("high_flow_l_per_min", l_per_min, MAX_HFNC_L_PER_MIN)
    return replace(
        profile,
        name=f"{profile.name} + HFNC {l_per_min:g} L/min",
        high_flow_l_per_min=l_per_min,
        high_flow_range=(l_per_min / 2, l_per_min),
    )


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DemandError(name, value, "must be a whole number ≥ 0")


@dataclass(frozen=True)
class Census:
    """Patients on oxygen by support: low-flow, high-flow/NIV, invasive ventilation.

    Raises
    ------
    DemandError
        If a count is negative or not a whole number.
    """

    low_flow: int
    high_flow: int
    ventilated: int

    def __post_init__(self) -> None:
        _check_count("low_flow", self.low_flow)
        _check_count("high_flow", self.high_flow)
        _check_count("ventilated", self.ventilated)

    @property
    def total(self) -> int:
        """All patients on oxygen."""
        return self.low_flow + self.high_flow + self.ventilated


# A calibration factor outside these bounds says more about the reports (a unit slip,
# a missing delivery) than about consumption; it is clipped and the basis says so.
MIN_CALIBRATION: Final = 0.3
MAX_CALIBRATION: Final = 3.0
MIN_CALIBRATION_DAYS: Final = 3


@dataclass(frozen=True)
class Calibration:
    """Reported over census-based consumption: ``factor`` with its (low, high) band.

    Raises
    ------
    DemandError
        If the factors are not ordered ``low ≤ factor ≤ high`` within [0.3, 3.0], or
        ``n`` is negative.
    """

    factor: float
    low: float
    high: float
    n: int
    basis: str

    def __post_init__(self) -> None:
        rule = f"must be between {MIN_CALIBRATION:g} and {MAX_CALIBRATION:g}"
        for name in ("factor", "low", "high"):
            value: float = getattr(self, name)
            if not (math.isfinite(value) and MIN_CALIBRATION <= value <= MAX_CALIBRATION):
                raise DemandError(name, value, rule)
        if self.low > self.factor:
            raise DemandError("low", self.low, f"must be ≤ factor {self.factor:g}")
        if self.high < self.factor:
            raise DemandError("high", self.high, f"must be ≥ factor {self.factor:g}")
        _check_count("n", self.n)


UNCALIBRATED: Final = Calibration(1.0, 1.0, 1.0, 0, "not calibrated")


def _check_series(name: str, values: Sequence[float]) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise DemandError(name, list(values), "must be a list of numbers")
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        index = int(bad[0])
        raise DemandError(f"{name}.{index}", values[index], "must be a finite number ≥ 0")
    return array


def calibrate(reported_nm3: Sequence[float], census_based_nm3: Sequence[float]) -> Calibration:
    """Estimate how reported consumption compares with census-based demand.

    Day by day, the ratio reported ÷ census-based; the factor is the median ratio and
    the band its interquartile range, robust to a few bad reports. Days with no
    census-based demand are skipped. Fewer than three usable days give a factor of 1.0.
    Factors are clipped to [0.3, 3.0]; the basis says when.

    Parameters
    ----------
    reported_nm3, census_based_nm3
        Paired daily figures, Nm³/day, same length.

    Raises
    ------
    DemandError
        If the lengths differ or a figure is negative or not finite.
    """
    reported = _check_series("reported_nm3", reported_nm3)
    census = _check_series("census_based_nm3", census_based_nm3)
    if reported.size != census.size:
        raise DemandError(
            "reported_nm3",
            f"{reported.size} days",
            f"must have as many days as census_based_nm3 ({census.size})",
        )
    paired = census > 0
    n = int(paired.sum())
    if n < MIN_CALIBRATION_DAYS:
        return Calibration(
            1.0,
            1.0,
            1.0,
            n,
            f"not enough reports: {n} paired days, {MIN_CALIBRATION_DAYS} needed; factor 1.0",
        )
    with np.errstate(over="ignore"):  # a near-zero census day: the ratio is clipped anyway
        ratios = np.minimum(reported[paired] / census[paired], 1e12)
    q25, median, q75 = (float(q) for q in np.quantile(ratios, [0.25, 0.5, 0.75]))
    basis = f"median of {n} daily ratios of reported to census-based use: {median:.2f}"
    basis += f" (interquartile {q25:.2f}-{q75:.2f})"
    clipped = [min(max(q, MIN_CALIBRATION), MAX_CALIBRATION) for q in (q25, median, q75)]
    if clipped != [q25, median, q75]:
        basis += f"; clipped to {MIN_CALIBRATION:g}-{MAX_CALIBRATION:g}"
    return Calibration(clipped[1], clipped[0], clipped[2], n, basis)


@dataclass(frozen=True)
class DemandEstimate:
    """Oxygen demand in Nm³/day with its band, and how it was worked out.

    Raises
    ------
    DemandError
        If a figure is negative or not finite, or the band does not contain the centre.
    """

    nm3_per_day: float
    nm3_per_day_low: float
    nm3_per_day_high: float
    basis: str = ""

    def __post_init__(self) -> None:
        for name in ("nm3_per_day", "nm3_per_day_low", "nm3_per_day_high"):
            value: float = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise DemandError(name, value, "must be a finite number ≥ 0")
        # Relative slack: the three figures are sums of differently rounded products.
        slack = 1e-9 * max(self.nm3_per_day, 1.0)
        if self.nm3_per_day_low > self.nm3_per_day + slack:
            raise DemandError(
                "nm3_per_day_low", self.nm3_per_day_low, f"must be ≤ {self.nm3_per_day:g}"
            )
        if self.nm3_per_day_high < self.nm3_per_day - slack:
            raise DemandError(
                "nm3_per_day_high", self.nm3_per_day_high, f"must be ≥ {self.nm3_per_day:g}"
            )

    def lox_kg_per_day(self, conditions: ReferenceConditions = NORMAL) -> float:
        """Central demand as kg of liquid oxygen per day, gas stated at ``conditions``."""
        mass = gas_volume_to_lox_mass(Quantity(self.nm3_per_day, "Nm3"), conditions)
        return to_magnitude(mass, "kg")

    def lox_tonnes_per_day(self, conditions: ReferenceConditions = NORMAL) -> float:
        """Central demand as tonnes of liquid oxygen per day (21,600 Nm³ ≈ 30.9 t)."""
        return self.lox_kg_per_day(conditions) / 1000.0


def demand_arrays(
    low_flow: npt.ArrayLike,
    high_flow: npt.ArrayLike,
    ventilated: npt.ArrayLike,
    profile: FlowProfile,
    calibration: Calibration | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Central, low and high demand (Nm³/day) for arrays of census counts.

    The vectorised form of :func:`census_demand` (same formula), for scenarios and
    registries of thousands of facilities. Counts are not validated here.
    """
    cal = calibration or UNCALIBRATED
    counts = np.stack(
        [np.asarray(c, dtype=np.float64) for c in (low_flow, high_flow, ventilated)], axis=-1
    )
    flows = np.array(
        [
            [profile.low_flow_l_per_min, profile.high_flow_l_per_min, profile.ventilated_l_per_min],
            [profile.low_flow_range[0], profile.high_flow_range[0], profile.ventilated_range[0]],
            [profile.low_flow_range[1], profile.high_flow_range[1], profile.ventilated_range[1]],
        ]
    )
    l_per_min = counts @ flows.T  # (..., 3): central, low, high
    scale = np.array([cal.factor, cal.low, cal.high]) * NM3_PER_DAY_PER_L_PER_MIN
    nm3 = l_per_min * scale
    return nm3[..., 0], nm3[..., 1], nm3[..., 2]


def describe_basis(profile: FlowProfile, calibration: Calibration | None) -> str:
    """The basis line of a demand figure: profile flows and calibration."""
    if calibration is None:
        return f"{profile.describe()}; not calibrated"
    return (
        f"{profile.describe()}; calibrated x{calibration.factor:.2f} "
        f"({calibration.low:.2f}-{calibration.high:.2f}): {calibration.basis}"
    )


def census_demand(
    census: Census, profile: FlowProfile = WHO_ESFT, calibration: Calibration | None = None
) -> DemandEstimate:
    """Oxygen demand (Nm³/day, with band) of ``census`` at ``profile``'s flows.

    Each patient draws the group's flow all day: 10 L/min is 14.4 Nm³/day. With a
    ``calibration`` the centre is scaled by its factor and the band by its band.
    """
    central, low, high = demand_arrays(
        census.low_flow, census.high_flow, census.ventilated, profile, calibration
    )
    return DemandEstimate(
        float(central), float(low), float(high), describe_basis(profile, calibration)
    )
