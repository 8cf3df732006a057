"""Autonomy: hours until a facility's usable oxygen runs out at projected demand.

One entry function, :func:`compute_autonomy`, takes a :class:`StockPosition` (what is on
site at a moment), the projected demand (one rate or piecewise-constant
:class:`DemandStep` s with a low/high band) and confirmed :class:`InTransit` deliveries,
and returns an :class:`Autonomy`: the run-out time, its range, and what runs out last.

This replaces the dashboards' "stock ÷ yesterday's use" burn rate (DESIGN.md §6): it
counts on-site generation, deliveries at their ETA and changes in demand.

Model (every gas figure — demand, PSA output, gas deliveries, results — is Nm³ at the
``conditions`` passed in, :data:`~oxyflow.core.units.NORMAL` by default):

* **Usable stock** is LOX above each tank's safety level (oxygen in a tank below its
  safety level is not usable) plus full cylinders' content above their residual
  pressure (:meth:`~oxyflow.core.units.CylinderSpec.usable_content`).
* **On-site generation** (PSA output plus concentrators in service) is used first; only
  the demand above it is drawn from stock. Generation above demand is *not* banked: PSA
  plants and concentrators cannot refill a LOX tank, so a surplus simply means no stock
  is drawn.
* **Draw order**: LOX first, cylinders after. Hospitals run on the tank (VIE) and keep
  cylinders as backup; drawing the tank first also leaves room for the next LOX load.
* **Deliveries**: only confirmed ones count, each at its ETA. LOX refills tanks that fell
  below their safety level first (conservative: tanks are pooled, and that part is not
  usable), then the usable part, capped at the tanks' capacity; any excess is left on
  the tanker. Gas (cylinders) is added in full: cylinder storage has no registered cap.
  A delivery whose ETA is already past at the stock time is overdue: it is not counted
  (its arrival is unknown) and the basis says so.
* **Demand** is piecewise constant: each step holds from its start until the next one;
  the last holds to the horizon.

Integration is exact and event-driven: between two events (a demand step, an arrival)
the draw is constant, so the stock falls linearly and the run-out instant is solved
for, not ticked hourly. Conversions (pint) happen once per call, outside the loop.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Final

from oxyflow.core.network import LoxTank
from oxyflow.core.units import (
    NORMAL,
    CylinderSpec,
    Quantity,
    ReferenceConditions,
    flow_to_m3_per_hour,
    gas_volume_per_kg,
    to_magnitude,
)

# Two weeks: as far as the projection (issue 3: 1-14 days) looks ahead.
DEFAULT_HORIZON_HOURS: Final = 336.0

# Concentrators are rated in L/min of gas: 1 L/min = 0.06 Nm³/h (10 L/min = 0.6 Nm³/h).
_NM3_PER_H_PER_L_PER_MIN: Final = to_magnitude(
    flow_to_m3_per_hour(Quantity(1.0, "NL/min")), "Nm3/hour"
)


class AutonomyError(ValueError):
    """An autonomy input is not acceptable.

    Attributes ``field`` (path in the request, e.g. ``"lox_tanks[0].level_kg"``),
    ``value`` (as given) and ``rule`` (what it must satisfy); the message names all three.
    """

    def __init__(self, field: str, value: object, rule: str) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        shown = value.isoformat() if isinstance(value, datetime) else repr(value)
        super().__init__(f"{field} = {shown}: {rule}")


class LimitingFactor(enum.StrEnum):
    """What ends the autonomy: the last stock exhausted at run-out, or why there is none.

    ``NONE`` — stock lasts the whole horizon. ``LOX`` / ``CYLINDERS`` — the stock that was
    exhausted last when the facility ran out (with LOX drawn first, ``CYLINDERS`` means
    the facility was on its backup cylinders). When no stock was drawn at all before
    run-out: ``DEMAND_EXCEEDS_GENERATION`` if on-site generation exists but falls short,
    ``NO_STOCK`` if there is none.
    """

    NONE = "none"
    LOX = "lox"
    CYLINDERS = "cylinders"
    DEMAND_EXCEEDS_GENERATION = "demand_exceeds_generation"
    NO_STOCK = "no_stock"

    @property
    def description(self) -> str:
        """A short sentence for people, e.g. "covered over the horizon"."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS: Final[dict[LimitingFactor, str]] = {
    LimitingFactor.NONE: "covered over the horizon",
    LimitingFactor.LOX: "liquid oxygen runs out (cylinders already exhausted or none)",
    LimitingFactor.CYLINDERS: "cylinders run out (liquid oxygen already exhausted or none)",
    LimitingFactor.DEMAND_EXCEEDS_GENERATION: "no usable stock and demand exceeds generation",
    LimitingFactor.NO_STOCK: "no usable stock and no on-site generation",
}


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class TankLevel:
    """One LOX tank's reading: contents, capacity and safety level, all in kg of liquid.

    Validated by the :class:`StockPosition` holding it, which knows its place in the
    request (``lox_tanks[i]``) and so can name the field in errors.
    """

    level_kg: float
    capacity_kg: float
    safety_level_kg: float

    @classmethod
    def from_tank(cls, tank: LoxTank, level_kg: float) -> TankLevel:
        """A reading of a registered :class:`~oxyflow.core.network.LoxTank`."""
        return cls(level_kg, tank.capacity_kg, tank.safety_level_kg)


@dataclass(frozen=True)
class CylinderStock:
    """Full cylinders of one type on site (empties are the return loop, not stock)."""

    spec: CylinderSpec
    full_count: int


@dataclass(frozen=True)
class StockPosition:
    """What a facility has at ``at`` (an aware datetime): stock and generation in service.

    ``psa_nm3_per_h`` is the PSA plant's current output; ``concentrators_l_per_min`` the
    summed rated flow of concentrators in service.

    Raises
    ------
    AutonomyError
        On a naive ``at``, a negative or non-finite quantity, a level above capacity or a
        safety level above capacity; ``field`` is the path, e.g. ``lox_tanks[0].level_kg``.
    """

    at: datetime
    lox_tanks: tuple[TankLevel, ...] = ()
    cylinders: tuple[CylinderStock, ...] = ()
    psa_nm3_per_h: float = 0.0
    concentrators_l_per_min: float = 0.0

    def __post_init__(self) -> None:
        _check_aware("at", self.at)
        for i, tank in enumerate(self.lox_tanks):
            where = f"lox_tanks[{i}]"
            capacity = _check_amount(f"{where}.capacity_kg", tank.capacity_kg)
            level = _check_amount(f"{where}.level_kg", tank.level_kg)
            safety = _check_amount(f"{where}.safety_level_kg", tank.safety_level_kg)
            if level > capacity:
                raise AutonomyError(
                    f"{where}.level_kg", level, f"must not exceed capacity_kg {capacity}"
                )
            if safety > capacity:
                raise AutonomyError(
                    f"{where}.safety_level_kg", safety, f"must not exceed capacity_kg {capacity}"
                )
        for i, stock in enumerate(self.cylinders):
            count = stock.full_count
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise AutonomyError(
                    f"cylinders[{i}].full_count", count, "must be a whole number ≥ 0"
                )
            if not isinstance(stock.spec, CylinderSpec):
                raise AutonomyError(f"cylinders[{i}].spec", stock.spec, "must be a CylinderSpec")
        _check_amount("psa_nm3_per_h", self.psa_nm3_per_h)
        _check_amount("concentrators_l_per_min", self.concentrators_l_per_min)


@dataclass(frozen=True)
class InTransit:
    """A delivery on its way, arriving at ``eta`` (aware) with LOX (kg) or gas (Nm³).

    Give exactly one of ``lox_kg`` and ``gas_nm3``. Only ``confirmed`` deliveries count.
    Validated by :func:`compute_autonomy` (fields ``in_transit[i].…``).
    """

    eta: datetime
    lox_kg: float | None = None
    gas_nm3: float | None = None
    confirmed: bool = False


@dataclass(frozen=True)
class DemandStep:
    """Demand from ``start`` (aware) until the next step: central, low and high Nm³/h.

    ``low_nm3_per_h`` and ``high_nm3_per_h`` default to the central rate (no band).
    Validated by :func:`compute_autonomy` (fields ``demand[i].…``).
    """

    start: datetime
    nm3_per_h: float
    low_nm3_per_h: float | None = None
    high_nm3_per_h: float | None = None


# ----------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Autonomy:
    """How long a facility lasts, in hours from the stock position's ``at``.

    ``hours`` is at central demand, ``hours_low`` at high demand (pessimistic) and
    ``hours_high`` at low demand; each is capped at ``horizon_hours`` and never infinite.
    ``runs_out_at`` (central) is ``None`` when the stock lasts the horizon, and then
    ``limiting_factor`` is :attr:`LimitingFactor.NONE`. ``usable_nm3_now`` is usable stock
    at ``at`` (LOX above safety plus cylinders, deliveries excluded);
    ``net_draw_nm3_per_h`` the central demand at ``at`` less on-site generation (≥ 0).
    ``basis`` says in words what was counted.
    """

    hours: float
    hours_low: float
    hours_high: float
    runs_out_at: datetime | None
    limiting_factor: LimitingFactor
    usable_nm3_now: float
    net_draw_nm3_per_h: float
    horizon_hours: float
    basis: str

    @property
    def covered(self) -> bool:
        """Whether the stock lasts the whole horizon at central demand."""
        return self.runs_out_at is None


# ------------------------------------------------------------------------- validation


def _check_amount(field: str, value: float) -> float:
    # Fast path first (NaN fails the comparison): this runs for every step of every
    # facility in a national batch.
    kind = type(value)
    if (kind is float or kind is int) and 0 <= value < math.inf:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AutonomyError(field, value, "must be a number")
    if not math.isfinite(value) or value < 0:
        raise AutonomyError(field, value, "must be a finite number ≥ 0")
    return float(value)


def _check_aware(field: str, value: datetime) -> None:
    if not isinstance(value, datetime):
        raise AutonomyError(field, value, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise AutonomyError(field, value, "must be timezone-aware")


def _check_delivery(i: int, delivery: InTransit) -> None:
    where = f"in_transit[{i}]"
    _check_aware(f"{where}.eta", delivery.eta)
    if (delivery.lox_kg is None) == (delivery.gas_nm3 is None):
        given = (delivery.lox_kg, delivery.gas_nm3)
        raise AutonomyError(where, given, "give exactly one of lox_kg and gas_nm3")
    if delivery.lox_kg is not None:
        _check_amount(f"{where}.lox_kg", delivery.lox_kg)
    if delivery.gas_nm3 is not None:
        _check_amount(f"{where}.gas_nm3", delivery.gas_nm3)


def _demand_bands(
    demand: float | Sequence[DemandStep], at: datetime
) -> tuple[list[datetime], list[float], list[float], list[float]]:
    # Returns step starts with central, low and high rates; the first step holds at `at`.
    if isinstance(demand, str) or not isinstance(demand, Sequence):
        rate = _check_amount("demand", demand)
        return [at], [rate], [rate], [rate]
    if not demand:
        raise AutonomyError("demand", list(demand), "must have at least one step")
    starts: list[datetime] = []
    central: list[float] = []
    low: list[float] = []
    high: list[float] = []
    for i, step in enumerate(demand):
        where = f"demand[{i}]"
        _check_aware(f"{where}.start", step.start)
        if starts and step.start <= starts[-1]:
            raise AutonomyError(
                f"{where}.start", step.start, f"must be after demand[{i - 1}].start"
            )
        rate = _check_amount(f"{where}.nm3_per_h", step.nm3_per_h)
        rate_low = rate
        if step.low_nm3_per_h is not None:
            rate_low = _check_amount(f"{where}.low_nm3_per_h", step.low_nm3_per_h)
            if rate_low > rate:
                raise AutonomyError(
                    f"{where}.low_nm3_per_h", rate_low, f"must not exceed nm3_per_h {rate}"
                )
        rate_high = rate
        if step.high_nm3_per_h is not None:
            rate_high = _check_amount(f"{where}.high_nm3_per_h", step.high_nm3_per_h)
            if rate_high < rate:
                raise AutonomyError(
                    f"{where}.high_nm3_per_h", rate_high, f"must not be below nm3_per_h {rate}"
                )
        starts.append(step.start)
        central.append(rate)
        low.append(rate_low)
        high.append(rate_high)
    if starts[0] > at:
        raise AutonomyError(
            "demand[0].start",
            starts[0],
            f"must be at or before the stock position time {at.isoformat()}",
        )
    return starts, central, low, high


# ------------------------------------------------------------------------ conversions


@lru_cache(maxsize=16)
def _nm3_per_kg(conditions: ReferenceConditions) -> float:
    return to_magnitude(gas_volume_per_kg(conditions), "Nm3/kg")


@lru_cache(maxsize=256)
def _cylinder_usable_nm3(spec: CylinderSpec, conditions: ReferenceConditions) -> float:
    return to_magnitude(spec.usable_content(conditions), "Nm3")


# ------------------------------------------------------------------------- simulation


def _simulate(
    lox: float,
    cylinders: float,
    lox_room: float,
    deficit: float,
    generation: float,
    step_times: list[float],
    rates: list[float],
    deliveries: list[tuple[float, float, float]],
    horizon: float,
) -> tuple[float | None, LimitingFactor]:
    """Run-out offset (h) and limiting factor; ``None`` if stock lasts the horizon.

    ``lox`` and ``cylinders`` are usable Nm³; ``lox_room`` the usable LOX capacity (Nm³
    between safety level and capacity, all tanks); ``deficit`` the Nm³ missing below the
    safety levels; ``step_times`` (first 0.0) with ``rates`` the demand; ``deliveries``
    sorted ``(offset h, LOX Nm³, gas Nm³)`` with offsets in [0, horizon).
    """
    last: LimitingFactor | None = None
    t = 0.0
    step = 0
    rate = rates[0]
    n_steps = len(step_times)
    arrival = 0
    n_deliveries = len(deliveries)
    while True:
        while arrival < n_deliveries and deliveries[arrival][0] <= t:
            _, lox_nm3, gas_nm3 = deliveries[arrival]
            refill = min(lox_nm3, deficit)
            deficit -= refill
            lox = min(lox + lox_nm3 - refill, lox_room)
            cylinders += gas_nm3
            arrival += 1
        t_next = horizon
        if step + 1 < n_steps:
            t_next = min(t_next, step_times[step + 1])
        if arrival < n_deliveries:
            t_next = min(t_next, deliveries[arrival][0])
        draw = rate - generation
        if draw > 0:
            stock = lox + cylinders
            need = draw * (t_next - t)
            if stock < need or stock <= 0:
                if stock > 0:
                    last = LimitingFactor.CYLINDERS if cylinders > 0 else LimitingFactor.LOX
                elif last is None:
                    last = (
                        LimitingFactor.DEMAND_EXCEEDS_GENERATION
                        if generation > 0
                        else LimitingFactor.NO_STOCK
                    )
                return t + stock / draw, last
            from_lox = min(lox, need)
            if from_lox > 0:
                lox -= from_lox
                last = LimitingFactor.LOX
            if need > from_lox:
                cylinders = max(cylinders - (need - from_lox), 0.0)
                last = LimitingFactor.CYLINDERS
        if t_next >= horizon:
            return None, LimitingFactor.NONE
        t = t_next
        if step + 1 < n_steps and step_times[step + 1] <= t:
            step += 1
            rate = rates[step]


# ---------------------------------------------------------------------- entry function


def compute_autonomy(
    position: StockPosition,
    demand: float | Sequence[DemandStep],
    in_transit: Sequence[InTransit] = (),
    conditions: ReferenceConditions = NORMAL,
    horizon_hours: float = DEFAULT_HORIZON_HOURS,
) -> Autonomy:
    """Hours until ``position``'s usable oxygen runs out at projected ``demand``.

    Parameters
    ----------
    position
        Stock and generation at ``position.at``, the origin of every result.
    demand
        Nm³/h: one constant rate, or :class:`DemandStep` s with increasing starts, the
        first at or before ``position.at``; steps starting after the horizon are ignored.
    in_transit
        Deliveries; confirmed ones add to stock at their ETA (see the module docstring).
    conditions
        Reference conditions of every gas figure in and out (default NORMAL, 0 °C).
    horizon_hours
        How far to look ahead (default 336 h = 14 days); results are capped here.

    Returns
    -------
    Autonomy
        Hours at central, high (``hours_low``) and low (``hours_high``) demand, the
        central run-out time and limiting factor, and the basis.

    Raises
    ------
    AutonomyError
        On invalid demand, deliveries or horizon; ``field`` is e.g. ``demand[1].start``.
    """
    if not isinstance(horizon_hours, int | float) or not (
        math.isfinite(horizon_hours) and horizon_hours > 0
    ):
        raise AutonomyError("horizon_hours", horizon_hours, "must be a finite number > 0")
    horizon = float(horizon_hours)
    at = position.at
    starts, central, low, high = _demand_bands(demand, at)
    for i, delivery in enumerate(in_transit):
        _check_delivery(i, delivery)

    nm3_per_kg = _nm3_per_kg(conditions)
    lox = lox_room = deficit = 0.0
    for tank in position.lox_tanks:
        lox += max(tank.level_kg - tank.safety_level_kg, 0.0)
        deficit += max(tank.safety_level_kg - tank.level_kg, 0.0)
        lox_room += max(tank.capacity_kg - tank.safety_level_kg, 0.0)
    lox *= nm3_per_kg
    deficit *= nm3_per_kg
    lox_room *= nm3_per_kg
    cylinders = 0.0
    n_cylinders = 0
    for stock in position.cylinders:
        cylinders += stock.full_count * _cylinder_usable_nm3(stock.spec, conditions)
        n_cylinders += stock.full_count
    generation = position.psa_nm3_per_h + (
        position.concentrators_l_per_min * _NM3_PER_H_PER_L_PER_MIN
    )

    # The step in force at `at` becomes the step at offset 0; later ones by their offset.
    first = 0
    while first + 1 < len(starts) and starts[first + 1] <= at:
        first += 1
    step_times = [0.0]
    kept = [first]
    for j in range(first + 1, len(starts)):
        offset = (starts[j] - at).total_seconds() / 3600.0
        if offset >= horizon:
            break
        step_times.append(offset)
        kept.append(j)

    deliveries: list[tuple[float, float, float]] = []
    unconfirmed = overdue = 0
    for delivery in in_transit:
        if not delivery.confirmed:
            unconfirmed += 1
            continue
        offset = (delivery.eta - at).total_seconds() / 3600.0
        if offset < 0:
            overdue += 1
            continue
        if offset >= horizon:
            continue
        lox_nm3 = (delivery.lox_kg or 0.0) * nm3_per_kg
        deliveries.append((offset, lox_nm3, delivery.gas_nm3 or 0.0))
    deliveries.sort(key=lambda d: d[0])

    def run(rates: list[float]) -> tuple[float | None, LimitingFactor]:
        return _simulate(
            lox,
            cylinders,
            lox_room,
            deficit,
            generation,
            step_times,
            [rates[j] for j in kept],
            deliveries,
            horizon,
        )

    out_at, limiting = run(central)
    # Without a band the extra runs would repeat the central one.
    out_pessimistic = run(high)[0] if high != central else out_at
    out_optimistic = run(low)[0] if low != central else out_at

    rate_now = central[first]
    basis = (
        f"usable now {lox + cylinders:.1f} Nm³ (LOX above safety level {lox:.1f}, "
        f"{n_cylinders} full cylinders {cylinders:.1f}); on-site generation "
        f"{generation:.1f} Nm³/h drawn first, LOX before cylinders; demand now "
        f"{rate_now:.1f} Nm³/h (band {low[first]:.1f}-{high[first]:.1f}), "
        f"{len(step_times)} step(s) within the horizon; {len(deliveries)} confirmed "
        f"deliveries counted at their ETA, {unconfirmed} unconfirmed and {overdue} overdue "
        f"not counted; Nm³ at {conditions.name} ({conditions.temperature_c:g} °C, "
        f"{conditions.pressure_bar:g} bar); horizon {horizon:g} h"
    )
    return Autonomy(
        hours=horizon if out_at is None else out_at,
        hours_low=horizon if out_pessimistic is None else out_pessimistic,
        hours_high=horizon if out_optimistic is None else out_optimistic,
        runs_out_at=None if out_at is None else at + timedelta(hours=out_at),
        limiting_factor=limiting,
        usable_nm3_now=lox + cylinders,
        net_draw_nm3_per_h=max(rate_now - generation, 0.0),
        horizon_hours=horizon,
        basis=basis,
    )
