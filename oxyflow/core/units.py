"""Unit-safe oxygen quantities: one pint registry, LOX conversions, flows and cylinders.

Quantities carry their unit across the core; plain numbers appear only at the edges
(:func:`to_magnitude`, :func:`parse_quantity`).

Gas and liquid are different dimensions. Pint's ``m³`` and ``L`` are geometric volumes
(``[length]**3``) and are used for *liquid* oxygen and tank sizes. Oxygen *gas* is
counted in ``Nm3`` (``normal_cubic_meter``), a base unit of its own dimension
``[gas_volume]``: one Nm3 is the oxygen that fills one cubic metre at the reference
conditions in force — :data:`NORMAL` (0 °C, 1.01325 bar) unless a function is given
other ``conditions``. Pint cannot carry the conditions inside a quantity, so every
function that turns gas into mass (or back) takes them as an argument, and
:func:`convert_gas_volume` restates a gas volume for other conditions. Because the
dimensions differ, adding litres of liquid to cubic metres of gas, or converting one into
the other without saying how, raises an error instead of silently being off by ~800x.

Counts: ``unit`` and ``pair`` (= 2 units) are dimensionless counts for other supplies;
``cylinder`` has a dimension of its own so cylinders never mix with masks or gloves.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import pint

# --------------------------------------------------------------------------- registry

# Building a registry costs ~0.2 s and quantities of different registries cannot be
# combined, so the process has exactly this one.
ureg: Final[pint.UnitRegistry[Any]] = pint.UnitRegistry(on_redefinition="raise")
for _definition in (
    "normal_cubic_meter = [gas_volume] = Nm3 = normal_cubic_metre",
    "normal_liter = 1e-3 * normal_cubic_meter = NL = normal_litre",
    "cylinder = [cylinder] = cyl = cylinders",
    # pint would otherwise read "unit" as micro-"nit" (a luminance unit).
    "unit = count = _ = units",
    "pair = 2 * unit = pairs",
):
    ureg.define(_definition)
# Unpickling a quantity (cache, task queue) rebuilds it in the application registry;
# pointing that at ``ureg`` keeps our gas and count units resolvable there.
pint.set_application_registry(ureg)  # type: ignore[no-untyped-call]

if TYPE_CHECKING:
    Quantity: TypeAlias = pint.Quantity[Any]
else:
    Quantity = ureg.Quantity


class UnitError(ValueError):
    """A quantity, unit or unit-related setting is not acceptable."""


class IncompatibleUnitsError(UnitError):
    """A quantity has the wrong dimension for what was asked of it.

    Attributes ``unit`` and ``expected`` name both sides.
    """

    def __init__(self, unit: str, expected: str, *, message: str | None = None) -> None:
        self.unit = unit
        self.expected = expected
        super().__init__(message or f"cannot convert '{unit}' to '{expected}': incompatible units")


class UnknownUnitError(UnitError):
    """A unit string is not known, or not accepted for the field it was typed in.

    Attributes ``unit``, ``kind`` (``None`` outside a field) and ``allowed``.
    """

    def __init__(
        self, unit: str, *, kind: QuantityKind | None = None, allowed: tuple[str, ...] = ()
    ) -> None:
        self.unit = unit
        self.kind = kind
        self.allowed = allowed
        where = f" for a {_KIND_LABELS[kind]} field" if kind is not None else ""
        hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
        super().__init__(f"unknown unit '{unit}'{where}{hint}")


def _convert(quantity: Quantity, unit: str, what: str) -> Quantity:
    # Every public conversion funnels through here so that a plain number or a wrong
    # dimension fails with our typed errors, not with pint's TypeError.
    if not isinstance(quantity, pint.Quantity):
        raise TypeError(f"{what} must be a pint Quantity, got {type(quantity).__name__}")
    try:
        target = ureg.Unit(unit)
    except (pint.UndefinedUnitError, ValueError, AttributeError) as exc:
        raise UnknownUnitError(unit) from exc
    try:
        return quantity.to(target)
    except pint.DimensionalityError as exc:
        raise IncompatibleUnitsError(str(quantity.units), str(target)) from exc


def to_magnitude(quantity: Quantity, unit: str) -> float:
    """Return the number of ``unit`` in ``quantity``, e.g. ``to_magnitude(q, "kg")``.

    Raises
    ------
    TypeError
        If ``quantity`` is not a pint quantity.
    UnknownUnitError
        If pint does not know ``unit``.
    IncompatibleUnitsError
        If ``quantity`` cannot be expressed in ``unit``.
    """
    return float(_convert(quantity, unit, "quantity").magnitude)


# ----------------------------------------------------------------- reference conditions


@dataclass(frozen=True)
class ReferenceConditions:
    """Temperature (°C) and absolute pressure (bar) at which a gas volume is stated."""

    name: str
    temperature_c: float
    pressure_bar: float

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise UnitError("reference conditions: name is empty")
        if not math.isfinite(self.temperature_c) or self.temperature_c <= -273.15:
            raise UnitError(
                f"reference conditions {self.name!r}: temperature {self.temperature_c} °C "
                "must be above -273.15 °C"
            )
        if not math.isfinite(self.pressure_bar) or self.pressure_bar <= 0:
            raise UnitError(
                f"reference conditions {self.name!r}: pressure {self.pressure_bar} bar "
                "must be positive"
            )

    @property
    def temperature_k(self) -> float:
        """Absolute temperature in kelvin."""
        return self.temperature_c + 273.15


# DIN 1343 / ISO 2533 "normal" conditions: 0 °C, 101.325 kPa. What "Nm³" means, and
# what DESIGN.md means by "m³ of oxygen" unless a field says otherwise.
NORMAL: Final = ReferenceConditions("normal", 0.0, 1.01325)
# ISO 13443 standard reference conditions for gases: 15 °C, 101.325 kPa.
STANDARD_15C: Final = ReferenceConditions("15c", 15.0, 1.01325)
# 70 °F at 1 atm, the US industry basis of the quoted "1 L liquid ≈ 860 L gas".
ROOM_21C: Final = ReferenceConditions("21c", 21.1, 1.01325)

REFERENCE_CONDITIONS: Final[Mapping[str, ReferenceConditions]] = MappingProxyType(
    {c.name: c for c in (NORMAL, STANDARD_15C, ROOM_21C)}
)


def reference_conditions(name: str) -> ReferenceConditions:
    """Return the named reference conditions ("normal", "15c", "21c").

    Raises
    ------
    UnitError
        If ``name`` is not registered; the message lists the allowed names.
    """
    try:
        return REFERENCE_CONDITIONS[name]
    except KeyError:
        allowed = ", ".join(REFERENCE_CONDITIONS)
        raise UnitError(f"unknown reference conditions {name!r}; allowed: {allowed}") from None


# ------------------------------------------------------------------- oxygen constants

# Molar mass of O2: 2 x 15.9994 g/mol (IUPAC standard atomic weight of oxygen).
O2_MOLAR_MASS_G_PER_MOL: Final = 31.9988
# Density of liquid oxygen at its normal boiling point (90.19 K, 1 atm): 1.141 kg/L
# (NIST Chemistry WebBook; Air Liquide gas encyclopedia). DESIGN.md §5.
LOX_DENSITY_KG_PER_L: Final = 1.141
# Molar gas constant, exact since the 2019 SI redefinition (CODATA 2018), J/(mol·K).
MOLAR_GAS_CONSTANT: Final = 8.314462618
# O2 critical constants and acentric factor for the virial correction below (Poling,
# Prausnitz & O'Connell, "The Properties of Gases and Liquids", 5th ed., Appendix A).
_O2_CRITICAL_TEMPERATURE_K: Final = 154.581
_O2_CRITICAL_PRESSURE_PA: Final = 50.43e5
_O2_ACENTRIC_FACTOR: Final = 0.0222
# Below this compressibility the one-term virial correction is no longer trustworthy;
# ordinary reference conditions (-50…50 °C, about 1 bar) give Z ≈ 0.998-0.9995.
_MIN_COMPRESSIBILITY: Final = 0.98


def _o2_second_virial_m3_per_mol(temperature_k: float) -> float:
    # Tsonopoulos (1974) correlation for a non-polar gas. It gives B = -22.1 cm³/mol at
    # 0 °C against the measured ≈ -22 (Dymond & Smith), i.e. Z = 0.99901 at NORMAL.
    tr = temperature_k / _O2_CRITICAL_TEMPERATURE_K
    f0 = 0.1445 - 0.330 / tr - 0.1385 / tr**2 - 0.0121 / tr**3 - 0.000607 / tr**8
    f1 = 0.0637 + 0.331 / tr**2 - 0.423 / tr**3 - 0.008 / tr**8
    scale = MOLAR_GAS_CONSTANT * _O2_CRITICAL_TEMPERATURE_K / _O2_CRITICAL_PRESSURE_PA
    return scale * (f0 + _O2_ACENTRIC_FACTOR * f1)


def _o2_molar_volume_m3_per_mol(conditions: ReferenceConditions) -> float:
    # The ideal gas alone (R·T/p) gives 0.7005 m³/kg at NORMAL; the sources quote
    # 0.6996-0.6998 because O2 is slightly non-ideal (Z ≈ 0.999). The truncated virial
    # equation Z = 1 + B·p/(R·T), i.e. V = R·T/p + B, reproduces them: 0.6998 m³/kg at
    # 0 °C, 0.7384 at 15 °C and 860 L of gas per litre of liquid at 21.1 °C.
    temperature_k = conditions.temperature_k
    pressure_pa = conditions.pressure_bar * 1e5
    ideal = MOLAR_GAS_CONSTANT * temperature_k / pressure_pa
    volume = ideal + _o2_second_virial_m3_per_mol(temperature_k)
    if volume / ideal < _MIN_COMPRESSIBILITY:
        raise UnitError(
            f"reference conditions {conditions.name!r} ({conditions.temperature_c} °C, "
            f"{conditions.pressure_bar} bar) are too far from ideal-gas conditions for oxygen"
        )
    return volume


def o2_molar_volume(conditions: ReferenceConditions = NORMAL) -> Quantity:
    """Molar volume of oxygen gas at ``conditions``, in L/mol (22.39 at NORMAL).

    Raises
    ------
    UnitError
        If the conditions are so cold or compressed that oxygen is far from ideal.
    """
    return Quantity(_o2_molar_volume_m3_per_mol(conditions) * 1e3, "L/mol")


def _nm3_per_kg(conditions: ReferenceConditions) -> float:
    return _o2_molar_volume_m3_per_mol(conditions) / (O2_MOLAR_MASS_G_PER_MOL * 1e-3)


def gas_volume_per_kg(conditions: ReferenceConditions = NORMAL) -> Quantity:
    """Gas volume of one kilogram of oxygen at ``conditions``, in Nm3/kg.

    ≈ 0.6998 at NORMAL, ≈ 0.7384 at 15 °C, ≈ 0.7540 at 21.1 °C.

    Raises
    ------
    UnitError
        As :func:`o2_molar_volume`.
    """
    return Quantity(_nm3_per_kg(conditions), "Nm3/kg")


# ------------------------------------------------------------------- LOX conversions


def lox_mass_to_gas_volume(mass: Quantity, conditions: ReferenceConditions = NORMAL) -> Quantity:
    """Gas volume (Nm3 at ``conditions``) of an oxygen ``mass``; 1 kg ≈ 0.6998 Nm3.

    Raises
    ------
    IncompatibleUnitsError
        If ``mass`` is not a mass.
    """
    kg = _convert(mass, "kg", "mass").magnitude
    return Quantity(kg * _nm3_per_kg(conditions), "Nm3")


def gas_volume_to_lox_mass(volume: Quantity, conditions: ReferenceConditions = NORMAL) -> Quantity:
    """Mass (kg) of an oxygen gas ``volume`` stated at ``conditions``.

    Raises
    ------
    IncompatibleUnitsError
        If ``volume`` is not a gas volume (a liquid ``L`` or ``m³`` is refused).
    """
    nm3 = _convert(volume, "Nm3", "gas volume").magnitude
    return Quantity(nm3 / _nm3_per_kg(conditions), "kg")


def convert_gas_volume(
    volume: Quantity, from_conditions: ReferenceConditions, to_conditions: ReferenceConditions
) -> Quantity:
    """Restate a gas ``volume`` given at ``from_conditions`` for ``to_conditions`` (Nm3).

    The amount of oxygen is unchanged: 1 Nm3 at NORMAL is ≈ 1.055 m³ at 15 °C.

    Raises
    ------
    IncompatibleUnitsError
        If ``volume`` is not a gas volume.
    """
    nm3 = _convert(volume, "Nm3", "gas volume").magnitude
    ratio = _o2_molar_volume_m3_per_mol(to_conditions) / _o2_molar_volume_m3_per_mol(
        from_conditions
    )
    return Quantity(nm3 * ratio, "Nm3")


def lox_liquid_volume_to_mass(volume: Quantity) -> Quantity:
    """Mass (kg) of a liquid oxygen ``volume`` at its boiling point; 1 L ≈ 1.141 kg.

    Raises
    ------
    IncompatibleUnitsError
        If ``volume`` is not a (liquid) volume such as L, kL or m³.
    """
    litres = _convert(volume, "L", "liquid volume").magnitude
    return Quantity(litres * LOX_DENSITY_KG_PER_L, "kg")


def lox_mass_to_liquid_volume(mass: Quantity) -> Quantity:
    """Liquid volume (L) of an oxygen ``mass`` at its boiling point.

    Raises
    ------
    IncompatibleUnitsError
        If ``mass`` is not a mass.
    """
    kg = _convert(mass, "kg", "mass").magnitude
    return Quantity(kg / LOX_DENSITY_KG_PER_L, "L")


def lox_to_kg(quantity: Quantity, conditions: ReferenceConditions = NORMAL) -> Quantity:
    """Mass (kg) of oxygen given as a mass, a liquid volume or a gas volume.

    The form follows from the dimension: ``kg``/``t`` is mass, ``L``/``kL``/``m³`` is
    liquid, ``Nm3``/``NL`` is gas stated at ``conditions``.

    Raises
    ------
    IncompatibleUnitsError
        If ``quantity`` is none of the three.
    """
    if not isinstance(quantity, pint.Quantity):
        raise TypeError(f"quantity must be a pint Quantity, got {type(quantity).__name__}")
    if quantity.check("[mass]"):
        return quantity.to("kg")
    if quantity.check("[volume]"):
        return lox_liquid_volume_to_mass(quantity)
    if quantity.check("[gas_volume]"):
        return gas_volume_to_lox_mass(quantity, conditions)
    raise IncompatibleUnitsError(str(quantity.units), "kilogram, liter or normal_cubic_meter")


# ---------------------------------------------------------------------------- flows


def flow_to_l_per_min(flow: Quantity) -> Quantity:
    """Express a gas ``flow`` in NL/min (a patient's flowmeter reading).

    Raises
    ------
    IncompatibleUnitsError
        If ``flow`` is not a gas flow (gas volume per time).
    """
    return _convert(flow, "NL/min", "flow")


def flow_to_m3_per_hour(flow: Quantity) -> Quantity:
    """Express a gas ``flow`` in Nm3/h (how PSA plants are rated); 10 L/min = 0.6 Nm3/h.

    Raises
    ------
    IncompatibleUnitsError
        If ``flow`` is not a gas flow.
    """
    return _convert(flow, "Nm3/hour", "flow")


def flow_to_m3_per_day(flow: Quantity) -> Quantity:
    """Express a gas ``flow`` in Nm3/day; 10 L/min = 14.4, 30 L/min = 43.2.

    Raises
    ------
    IncompatibleUnitsError
        If ``flow`` is not a gas flow.
    """
    return _convert(flow, "Nm3/day", "flow")


# ------------------------------------------------------------------- parsing user input

QuantityKind: TypeAlias = Literal[
    "mass", "liquid_volume", "gas_volume", "gas_flow", "count", "cylinders"
]

_KIND_LABELS: Final[Mapping[QuantityKind, str]] = {
    "mass": "mass",
    "liquid_volume": "liquid volume",
    "gas_volume": "gas volume",
    "gas_flow": "gas flow",
    "count": "count",
    "cylinders": "cylinder count",
}

# Spellings accepted per kind: normalised key (see _normalise_unit) → pint expression.
# A whitelist rather than anything pint parses, because pint happily reads typos as
# other units ("unit" as micro-nit, "Nm³" as newton·m³). In gas fields a bare "m3" or
# "L" is oxygen gas at the reference conditions, as DESIGN.md §5 prescribes.
_SPELLINGS: Final[Mapping[QuantityKind, Mapping[str, str]]] = {
    "mass": dict.fromkeys(("kg", "kilogram", "kilograms"), "kilogram")
    | dict.fromkeys(("t", "tonne", "tonnes"), "metric_ton"),
    "liquid_volume": dict.fromkeys(("l", "litre", "litres", "liter", "liters"), "liter")
    | {"kl": "kiloliter", "m3": "meter**3"},
    "gas_volume": {"nm3": "Nm3", "m3": "Nm3", "nl": "NL", "l": "NL"},
    "gas_flow": dict.fromkeys(("l/min", "nl/min"), "NL/minute")
    | dict.fromkeys(("m3/h", "nm3/h"), "Nm3/hour")
    | dict.fromkeys(("m3/day", "m3/d", "nm3/day", "nm3/d"), "Nm3/day"),
    "count": {"unit": "unit", "units": "unit", "pair": "pair", "pairs": "pair"},
    "cylinders": dict.fromkeys(("cylinder", "cylinders", "cyl"), "cylinder"),
}

_DISPLAYED: Final[Mapping[QuantityKind, tuple[str, ...]]] = {
    "mass": ("kg", "t"),
    "liquid_volume": ("L", "kL", "m3"),
    "gas_volume": ("Nm3", "m3", "L"),
    "gas_flow": ("L/min", "m3/h", "m3/day"),
    "count": ("unit", "pair"),
    "cylinders": ("cylinder",),
}


def allowed_units(kind: QuantityKind) -> tuple[str, ...]:
    """The unit spellings to offer for a field of ``kind`` (e.g. in a select box).

    Raises
    ------
    UnitError
        If ``kind`` is not a known kind.
    """
    if kind not in _DISPLAYED:
        raise UnitError(f"unknown quantity kind {kind!r}; allowed: {', '.join(_DISPLAYED)}")
    return _DISPLAYED[kind]


def _normalise_unit(unit: str) -> str:
    # Matching is case-insensitive on purpose: "nm3" typed in a gas field means Nm³,
    # never nanometre³, and "T" in a mass field means tonnes, never tesla.
    return "".join(unit.split()).replace("³", "3").replace("^", "").lower()


def parse_quantity(value: float | str, unit: str, expected: QuantityKind) -> Quantity:
    """Parse a number and a user-typed unit for a field of kind ``expected``.

    ``parse_quantity("12.5", "t", "mass")`` is 12.5 tonnes; ``parse_quantity(10, "L/min",
    "gas_flow")`` is 10 NL/min. Accepted spellings are listed by :func:`allowed_units`
    (case and spaces ignored). The sign is not checked here: that is the field's rule.

    Raises
    ------
    UnitError
        If ``value`` is not a finite number or ``expected`` is not a known kind.
    IncompatibleUnitsError
        If ``unit`` is a known unit of another kind (``"kg"`` in a gas-flow field).
    UnknownUnitError
        If ``unit`` is not accepted at all (``"furlong"``); the message lists the allowed.
    """
    allowed = allowed_units(expected)
    magnitude = _parse_magnitude(value)
    key = _normalise_unit(unit)
    spelling = _SPELLINGS[expected].get(key)
    if spelling is not None:
        return Quantity(magnitude, spelling)
    for other, spellings in _SPELLINGS.items():
        if key in spellings:
            raise IncompatibleUnitsError(
                unit,
                _KIND_LABELS[expected],
                message=(
                    f"cannot use '{unit}' ({_KIND_LABELS[other]}) for a "
                    f"{_KIND_LABELS[expected]} field: incompatible units; "
                    f"allowed: {', '.join(allowed)}"
                ),
            )
    raise UnknownUnitError(unit, kind=expected, allowed=allowed)


def _parse_magnitude(value: float | str) -> float:
    if isinstance(value, bool):
        raise UnitError(f"value {value!r} is not a number")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise UnitError(f"value {value!r} is not a number") from None
    else:
        number = float(value)
    if not math.isfinite(number):
        raise UnitError(f"value {value!r} is not a finite number")
    return number


# ------------------------------------------------------------------------- cylinders

# A warm cylinder reads above its nominal fill pressure; beyond 10 % the reading (or
# the cylinder type) is wrong.
_GAUGE_TOLERANCE: Final = 1.1


@dataclass(frozen=True)
class CylinderSpec:
    """A cylinder type: water capacity (L) and gauge fill/residual pressures (bar).

    Contents use the ideal-gas approximation with the cylinder at the reference
    temperature: water capacity x gauge pressure ÷ reference pressure. Vendors quote a
    few per cent more, because oxygen at 150-200 bar is more compressible than an ideal
    gas (a 40 L cylinder at 150 bar: 5.92 Nm3 here, ≈ 6.0-6.3 m³ in catalogues).
    """

    name: str
    water_capacity_l: float
    fill_pressure_bar: float
    residual_pressure_bar: float = 0.0

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise UnitError("cylinder: name is empty")
        if not math.isfinite(self.water_capacity_l) or self.water_capacity_l <= 0:
            raise UnitError(
                f"cylinder {self.name!r}: water capacity {self.water_capacity_l} L must be positive"
            )
        if not math.isfinite(self.fill_pressure_bar) or not 0 < self.fill_pressure_bar <= 300:
            raise UnitError(
                f"cylinder {self.name!r}: fill pressure {self.fill_pressure_bar} bar "
                "must be above 0 and at most 300 bar"
            )
        if (
            not math.isfinite(self.residual_pressure_bar)
            or not 0 <= self.residual_pressure_bar < self.fill_pressure_bar
        ):
            raise UnitError(
                f"cylinder {self.name!r}: residual pressure {self.residual_pressure_bar} bar "
                f"must be at least 0 and below the fill pressure {self.fill_pressure_bar} bar"
            )

    def _gas_at(self, gauge_bar: float, conditions: ReferenceConditions) -> Quantity:
        litres = self.water_capacity_l * gauge_bar / conditions.pressure_bar
        return Quantity(litres, "NL").to("Nm3")

    def content(self, conditions: ReferenceConditions = NORMAL) -> Quantity:
        """Gas in a full cylinder (Nm3 at ``conditions``), residual included."""
        return self._gas_at(self.fill_pressure_bar, conditions)

    def usable_content(self, conditions: ReferenceConditions = NORMAL) -> Quantity:
        """Gas a full cylinder delivers before reaching its residual pressure (Nm3)."""
        return self._gas_at(self.fill_pressure_bar - self.residual_pressure_bar, conditions)


def cylinder_duration(
    spec: CylinderSpec,
    gauge_pressure_bar: float,
    flow: Quantity,
    conditions: ReferenceConditions = NORMAL,
) -> Quantity:
    """Time (min) until a cylinder at ``gauge_pressure_bar`` reaches its residual pressure.

    (gauge - residual) x water capacity ÷ reference pressure ÷ flow; zero when the gauge
    is already at or below the residual pressure.

    Raises
    ------
    UnitError
        If the gauge reading is negative or above 110 % of the fill pressure, or the
        flow is not positive.
    IncompatibleUnitsError
        If ``flow`` is not a gas flow.
    """
    if not math.isfinite(gauge_pressure_bar) or gauge_pressure_bar < 0:
        raise UnitError(f"gauge pressure {gauge_pressure_bar} bar must be at least 0")
    if gauge_pressure_bar > spec.fill_pressure_bar * _GAUGE_TOLERANCE:
        raise UnitError(
            f"gauge pressure {gauge_pressure_bar} bar is above 110 % of the fill pressure "
            f"{spec.fill_pressure_bar} bar of cylinder {spec.name!r}"
        )
    litres_per_min = _convert(flow, "NL/min", "flow").magnitude
    if not litres_per_min > 0:
        raise UnitError(f"flow {flow} must be positive")
    above_residual = max(gauge_pressure_bar - spec.residual_pressure_bar, 0.0)
    litres = spec.water_capacity_l * above_residual / conditions.pressure_bar
    return Quantity(litres / litres_per_min, "minute")


# ------------------------------------------------------------------------ plausibility


class UnitMixup(enum.StrEnum):
    """Why a reported mass looks like a slip between kilograms and tonnes."""

    # About 1000x too much: a kilogram figure typed where tonnes were asked.
    KG_ENTERED_AS_TONNES = "kg_entered_as_tonnes"
    # About 1000x too little: a tonne (or kilolitre, 1 kL ≈ 1.141 t) figure typed where
    # kilograms were asked — the confusion India's 2021 oxygen audit found.
    TONNES_ENTERED_AS_KG = "tonnes_entered_as_kg"


# Within a factor 3 of x1000: wide enough for real variation around the expectation,
# far from plausible changes in consumption or stock (at most a few-fold).
_MIXUP_FACTOR: Final = 3.0


def looks_like_unit_mixup(value_kg: float, expected_kg: float) -> UnitMixup | None:
    """Say whether ``value_kg`` is about 1000x or 1/1000x ``expected_kg``.

    Returns the :class:`UnitMixup` (a ``str``) that would explain it, else ``None``;
    ``None`` too for a zero or negative value, which no factor explains.

    Raises
    ------
    ValueError
        If ``expected_kg`` is not positive or either number is not finite.
    """
    if not (math.isfinite(value_kg) and math.isfinite(expected_kg)):
        raise ValueError(f"value {value_kg} kg and expected {expected_kg} kg must be finite")
    if expected_kg <= 0:
        raise ValueError(f"expected {expected_kg} kg must be positive")
    if value_kg <= 0:
        return None
    ratio = value_kg / expected_kg
    if 1000 / _MIXUP_FACTOR <= ratio <= 1000 * _MIXUP_FACTOR:
        return UnitMixup.KG_ENTERED_AS_TONNES
    if 1 / (1000 * _MIXUP_FACTOR) <= ratio <= _MIXUP_FACTOR / 1000:
        return UnitMixup.TONNES_ENTERED_AS_KG
    return None
