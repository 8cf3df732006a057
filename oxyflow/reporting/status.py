"""A facility's demand and autonomy from its reports, through the core engine.

Recomputed whenever a report or a tank reading arrives and cached in
:class:`~oxyflow.reporting.models.FacilityStatus`, so that pages, the API and alerts
all show the same figures without recomputing them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from django.utils import timezone

from oxyflow.core import autonomy, demand
from oxyflow.core.units import CylinderSpec
from oxyflow.registry import models as reg
from oxyflow.reporting.models import FacilityReport, FacilityStatus, PsaStatus, TankReading

# Days of reports the calibration looks back over.
CALIBRATION_REPORTS: Final = 14
# Flow assumed for a concentrator in use when the registry lists none (the common size).
DEFAULT_CONCENTRATOR_L_PER_MIN: Final = 5.0


def latest_report(facility: reg.Facility) -> FacilityReport | None:
    return (
        FacilityReport.objects.filter(facility=facility, is_current=True)
        .order_by("-report_date")
        .first()
    )


def onsite_nm3_per_day(
    report: FacilityReport, concentrators: Sequence[reg.FacilityConcentrators]
) -> float:
    """Oxygen made on site per day as the report stands: PSA output and concentrators."""
    psa = (
        float(report.psa_output_nm3_per_h) * 24
        if report.psa_status in (PsaStatus.RUNNING, PsaStatus.REDUCED)
        else 0.0
    )
    flow = _concentrator_flow(concentrators, report.concentrators_in_use)
    return psa + flow * demand.NM3_PER_DAY_PER_L_PER_MIN


def calibration_from(
    history: Sequence[FacilityReport], concentrators: Sequence[reg.FacilityConcentrators] = ()
) -> demand.Calibration:
    """Oxygen used against census-based demand, per day.

    Used = what left the stock (reported, or derived by the ledger) plus what was made on
    site (PSA, concentrators), since the census-based demand is the patients' whole
    need. ``history``: current reports of one facility, newest first; the first
    CALIBRATION_REPORTS + 1 are used.
    """
    reports = list(history[: CALIBRATION_REPORTS + 1])
    reported: list[float] = []
    census: list[float] = []
    for newer, older in itertools.pairwise(reports):
        used = newer.consumption_nm3
        if used is None:
            used = newer.consumption_derived_nm3
        days = (newer.as_of - older.as_of).total_seconds() / 86400
        if used is None or days <= 0.25:
            continue
        reported.append(float(used) / days + onsite_nm3_per_day(newer, concentrators))
        census.append(float(older.census_demand_nm3_per_day))
    return demand.calibrate(reported, census)


def _concentrator_flow(groups: Sequence[reg.FacilityConcentrators], in_use: int) -> float:
    count = sum(g.count for g in groups)
    if not count:
        return in_use * DEFAULT_CONCENTRATOR_L_PER_MIN
    mean = sum(float(g.flow_l_per_min) * g.count for g in groups) / count
    return in_use * mean


@dataclass(frozen=True)
class StatusInputs:
    """Everything the engine needs about one facility, loaded by the caller."""

    facility: reg.Facility
    report: FacilityReport
    tanks: Sequence[tuple[reg.LoxTank, Decimal]]  # (tank, level in kg) from the report
    cylinders: Sequence[tuple[reg.CylinderType, int]]  # (type, full count)
    history: Sequence[FacilityReport]  # current reports, newest first, report included
    readings: Mapping[int, TankReading]  # latest reading per tank id, newer than the report
    concentrators: Sequence[reg.FacilityConcentrators]


def _position(inputs: StatusInputs) -> autonomy.StockPosition:
    report = inputs.report
    at = report.as_of
    tanks = []
    for tank, level in inputs.tanks:
        level_kg = float(level)
        reading = inputs.readings.get(tank.pk)
        if reading is not None and reading.measured_at > report.as_of:
            level_kg = float(reading.level_kg)
            at = max(at, reading.measured_at)
        capacity = tank.capacity_kg()
        tanks.append(
            autonomy.TankLevel(level_kg, capacity, capacity * float(tank.safety_level_pct) / 100)
        )
    cylinders = tuple(
        autonomy.CylinderStock(_spec(cylinder_type), full)
        for cylinder_type, full in inputs.cylinders
    )
    psa = (
        float(report.psa_output_nm3_per_h)
        if report.psa_status in (PsaStatus.RUNNING, PsaStatus.REDUCED)
        else 0.0
    )
    return autonomy.StockPosition(
        at=at,
        lox_tanks=tuple(tanks),
        cylinders=cylinders,
        psa_nm3_per_h=psa,
        concentrators_l_per_min=_concentrator_flow(
            inputs.concentrators, report.concentrators_in_use
        ),
    )


@lru_cache(maxsize=256)
def _cached_spec(code: str, water: Decimal, fill: Decimal, residual: Decimal) -> CylinderSpec:
    return CylinderSpec(code, float(water), float(fill), float(residual))


def _spec(cylinder_type: reg.CylinderType) -> CylinderSpec:
    return _cached_spec(
        cylinder_type.code,
        cylinder_type.water_capacity_l,
        cylinder_type.fill_pressure_bar,
        cylinder_type.residual_pressure_bar,
    )


def status_values(inputs: StatusInputs, *, now: datetime) -> dict[str, Any]:
    """The FacilityStatus fields for ``inputs``, computed by the core engine."""
    report = inputs.report
    factor = calibration_from(inputs.history, inputs.concentrators)
    census = demand.Census(
        report.patients_low_flow, report.patients_high_flow, report.patients_ventilated
    )
    estimate = demand.census_demand(census, demand.WHO_ESFT, factor)
    position = _position(inputs)
    step = autonomy.DemandStep(
        position.at,
        estimate.nm3_per_day / 24,
        estimate.nm3_per_day_low / 24,
        estimate.nm3_per_day_high / 24,
    )
    result = autonomy.compute_autonomy(position, [step])
    return {
        "computed_at": now,
        "as_of": position.at,
        "report": report,
        "demand_nm3_per_day": estimate.nm3_per_day,
        "demand_low_nm3_per_day": estimate.nm3_per_day_low,
        "demand_high_nm3_per_day": estimate.nm3_per_day_high,
        "demand_basis": estimate.basis,
        "calibration_factor": factor.factor,
        "autonomy_hours": result.hours,
        "autonomy_low_hours": result.hours_low,
        "autonomy_high_hours": result.hours_high,
        "horizon_hours": result.horizon_hours,
        "runs_out_at": result.runs_out_at,
        "limiting_factor": result.limiting_factor.value,
        "usable_nm3": result.usable_nm3_now,
        "autonomy_basis": result.basis,
    }


def latest_readings(tank_ids: Sequence[int], after: datetime) -> dict[int, TankReading]:
    """The latest reading per tank measured after ``after``."""
    latest: dict[int, TankReading] = {}
    for reading in TankReading.objects.filter(tank_id__in=tank_ids, measured_at__gt=after):
        kept = latest.get(reading.tank_id)
        if kept is None or reading.measured_at > kept.measured_at:
            latest[reading.tank_id] = reading
    return latest


def refresh_status(facility: reg.Facility, *, now: datetime | None = None) -> FacilityStatus | None:
    """Recompute and store the facility's demand and autonomy from its latest report."""
    history = list(
        FacilityReport.objects.filter(facility=facility, is_current=True).order_by("-report_date")[
            : CALIBRATION_REPORTS + 1
        ]
    )
    if not history:
        FacilityStatus.objects.filter(facility=facility).delete()
        return None
    report = history[0]
    tanks = [(line.tank, line.level_kg) for line in report.tanks.select_related("tank")]
    inputs = StatusInputs(
        facility=facility,
        report=report,
        tanks=tanks,
        cylinders=[
            (line.cylinder_type, line.full)
            for line in report.cylinders.select_related("cylinder_type")
        ],
        history=history,
        readings=latest_readings([tank.pk for tank, _level in tanks], report.as_of),
        concentrators=list(facility.concentrators.all()),
    )
    values = status_values(inputs, now=now or timezone.now())
    return FacilityStatus.objects.update_or_create(facility=facility, defaults=values)[0]


def hours_left(status: FacilityStatus, now: datetime) -> float:
    """Autonomy remaining at ``now``: the computed hours less the time since the reading."""
    elapsed = (now - status.as_of) / timedelta(hours=1)
    return max(status.autonomy_hours - elapsed, 0.0)
