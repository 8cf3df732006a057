"""Scenario runs for the CLI, the API and the page: one function, one output shape.

Figures are plain numbers whose unit is in the key (``oxygen_m3_per_day`` is Nm³ per day at
the stated reference conditions, named in ``units``); ranges sit beside them as ``_low`` /
``_high``. Supply, storage and transport in the gap table are at the same conditions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from oxyflow.core import demand, scenarios, units
from oxyflow.registry import models as reg
from oxyflow.scenarios.network import (
    DistrictCapacity,
    district_capacities,
    local_today,
    nm3_unit,
    reference_conditions,
)

SpreadBasis = Literal["population", "beds"]
MIX_CHOICES = ("esft", "oxygen")


@dataclass(frozen=True)
class ScenarioRequest:
    patients: tuple[int, ...]
    profile: str = "who"
    mix: str = "esft"
    severe_share: float = 0.75
    hfnc_l_per_min: float | None = None
    reserve_days: float = 3.0
    spread: SpreadBasis = "population"
    conditions: str | None = None
    cylinder_type: str | None = None
    cylinder_turnaround_days: float = 2.0
    concentrator_l_per_min: float = 10.0


def _profile(request: ScenarioRequest) -> demand.FlowProfile:
    if request.profile not in demand.PROFILES:
        raise scenarios.ScenarioError(
            "profile", request.profile, "must be one of " + ", ".join(demand.PROFILES)
        )
    profile = demand.PROFILES[request.profile]
    if request.hfnc_l_per_min is not None:
        profile = demand.with_hfnc(profile, request.hfnc_l_per_min)
    return profile


def _mix(request: ScenarioRequest) -> scenarios.SeverityMix:
    if request.mix == "esft":
        return scenarios.ESFT_MIX
    if request.mix == "oxygen":
        if not 0 <= request.severe_share <= 1:
            raise scenarios.ScenarioError(
                "severe_share", request.severe_share, "must be between 0 and 1"
            )
        return scenarios.SeverityMix.oxygen_patients(
            severe=request.severe_share, critical=1 - request.severe_share
        )
    raise scenarios.ScenarioError("mix", request.mix, "must be one of " + ", ".join(MIX_CHOICES))


def _weights(capacities: Sequence[DistrictCapacity], basis: SpreadBasis) -> dict[str, float]:
    if basis == "population" and all(c.population for c in capacities):
        return {c.code: float(c.population or 0) for c in capacities}
    # Populations missing for some district: oxygen beds are the next best proxy.
    weights = {c.code: float(c.beds_oxygen) for c in capacities}
    if not any(weights.values()):
        raise scenarios.ScenarioError(
            "spread", basis, "the region's districts have neither populations nor oxygen beds"
        )
    return weights


def _figures(result: scenarios.ScenarioResult) -> dict[str, Any]:
    return {
        "patients": result.patients,
        "mild": result.mild,
        "moderate": result.moderate,
        "severe": result.severe,
        "critical": result.critical,
        "low_flow": result.census.low_flow,
        "high_flow": result.census.high_flow,
        "ventilated": result.census.ventilated,
        "oxygen_m3_per_day": round(result.oxygen_nm3_per_day, 1),
        "oxygen_m3_per_day_low": round(result.oxygen_nm3_per_day_low, 1),
        "oxygen_m3_per_day_high": round(result.oxygen_nm3_per_day_high, 1),
        "lox_tonnes_per_day": round(result.lox_tonnes_per_day, 2),
        "cylinders_per_day": result.cylinders_per_day,
        "cylinders_in_circulation": result.cylinders_in_circulation,
        "concentrators": result.concentrators,
        "psa_m3_per_h": round(result.psa_nm3_per_h, 1),
        "storage_kg": round(result.storage_kg, 0),
        "oxygen_beds": result.oxygen_beds,
        "icu_beds": result.icu_beds,
        "health_workers": result.health_workers,
        "ppe_per_day": asdict(result.ppe),
    }


def run(request: ScenarioRequest, region: reg.Region | None = None) -> dict[str, Any]:
    """Run every patient count of the request; with a region, per district and a gap table.

    Raises ``ScenarioError`` / ``DemandError`` (field, value, rule) on bad input.
    """
    if not request.patients:
        raise scenarios.ScenarioError("patients", "", "give at least one number of patients")
    if request.conditions is not None:
        try:
            conditions = units.reference_conditions(request.conditions)
        except units.UnitError:
            raise scenarios.ScenarioError(
                "conditions",
                request.conditions,
                "must be one of " + ", ".join(units.REFERENCE_CONDITIONS),
            ) from None
    else:
        conditions = reference_conditions(region) if region else units.NORMAL
    cylinder = None
    if request.cylinder_type:
        row = reg.CylinderType.objects.filter(code=request.cylinder_type).first()
        if row is None:
            raise scenarios.ScenarioError("cylinder_type", request.cylinder_type, "unknown code")
        cylinder = row.spec()
    capacities = (
        district_capacities(region, on_day=local_today(region), conditions=conditions)
        if region
        else []
    )
    weights = _weights(capacities, request.spread) if region else None
    names = {c.code: c.name for c in capacities}
    supplies = [
        scenarios.DistrictSupply(
            district=c.code,
            supply_nm3_per_day=c.contracted_nm3_per_day,
            transport_nm3_per_day=c.transport_nm3_per_day,
            storage_nm3=c.storage_nm3,
            onsite_nm3_per_day=c.onsite_nm3_per_day,
        )
        for c in capacities
    ]
    out = []
    for patients in request.patients:
        scenario = scenarios.Scenario(
            patients,
            mix=_mix(request),
            profile=_profile(request),
            conditions=conditions,
            reserve_days=request.reserve_days,
            cylinder_type=cylinder,
            cylinder_turnaround_days=request.cylinder_turnaround_days,
            concentrator_l_per_min=request.concentrator_l_per_min,
        )
        report = scenarios.run_scenario(scenario, weights)
        districts = []
        if region is not None:
            gaps = {row.district: row for row in scenarios.gap_table(report, supplies)}
            for code, result in report.districts.items():
                gap = gaps[code]
                districts.append(
                    {
                        "code": code,
                        "name": names[code],
                        **_figures(result),
                        "available_m3_per_day": round(gap.available_nm3_per_day, 1),
                        "gap_m3_per_day": round(gap.gap_nm3_per_day, 1),
                        "binding_constraint": gap.binding_constraint,
                        "reserve_days_available": None
                        if gap.reserve_days_available is None
                        else round(gap.reserve_days_available, 1),
                    }
                )
        out.append({**_figures(report.total), "basis": report.basis, "districts": districts})
    return {
        "region": region.code if region else None,
        "reference_conditions": conditions.name,
        "units": {
            "oxygen_m3_per_day": nm3_unit(conditions, "/day"),
            "available_m3_per_day": nm3_unit(conditions, "/day"),
            "gap_m3_per_day": nm3_unit(conditions, "/day"),
            "lox_tonnes_per_day": "t/day",
            "psa_m3_per_h": nm3_unit(conditions, "/h"),
            "storage_kg": "kg",
        },
        "scenarios": out,
    }
