"""Figures the situation report needs that the dashboard services do not give.

Built from the same models and the same conversions as
:mod:`oxyflow.dashboard.services` (production in Nm³ through the same product contents,
autonomy from :class:`~oxyflow.reporting.models.FacilityStatus`, the census from
:func:`~oxyflow.dashboard.services.trends`), so a total here equals the dashboard's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from django.db.models import Sum

from oxyflow.core import projection
from oxyflow.dashboard import services
from oxyflow.registry import models as reg
from oxyflow.reporting.models import (
    DowntimeCause,
    FacilityStatus,
    ProducerReport,
    ProducerReportLine,
)
from oxyflow.reporting.status import hours_left

# The outlook looks this many days ahead for facilities running out.
RUN_OUT_DAYS: Final = (1, 2, 3)
# History the census projection is fitted on, and the least it needs: below a week of
# observed days the damped trend is not fitted (see oxyflow.core.projection).
CENSUS_DAYS: Final = 28
MIN_CENSUS_DAYS: Final = projection.MIN_DAYS_DAMPED
PROJECTION_AHEAD_DAYS: Final = (1, 3, 7)
PROJECTION_INTERVAL: Final = 0.8


# --------------------------------------------------------------- production per producer


@dataclass(frozen=True)
class ProducerDay:
    """One producer on one local day: oxygen produced in Nm³ and its downtime.

    ``reported`` is False when the producer sent no report for the day; the figures are
    then ``None``, never zero.
    """

    code: str
    name: str
    region_name: str
    reported: bool
    produced_nm3: float | None
    downtime_hours: float | None
    downtime_cause: str
    downtime_cause_label: str


def production_by_producer(dash: services.DashboardScope, day: date) -> list[ProducerDay]:
    """Oxygen each producer of the scope reported producing on ``day``, in Nm³.

    LOX counts by mass and cylinders by their content, through the dashboard's own
    product contents, so the sum over producers is the dashboard's production figure
    (``kpis(...).production_nm3_per_day``). Producers that reported come first, most
    production first; then those that did not, by name.
    """
    producers = list(dash.producers().select_related("region").order_by("name"))
    reports = {
        r.producer_id: r
        for r in ProducerReport.objects.filter(
            producer__in=dash.producers(), report_date=day, is_current=True
        ).only("pk", "producer_id", "downtime_hours", "downtime_cause")
    }
    content = services._product_contents()
    produced: dict[int, float] = defaultdict(float)
    for producer_id, product_id, total in (
        ProducerReportLine.objects.filter(
            report_id__in=[r.pk for r in reports.values()],
            product__kind__in=(reg.ProductKind.LOX, reg.ProductKind.CYLINDER),
        )
        .values_list("report__producer_id", "product_id")
        .annotate(total=Sum("produced"))
        .order_by()
    ):
        produced[producer_id] += float(total) * content.get(product_id, 0.0)
    rows = []
    for producer in producers:
        report = reports.get(producer.pk)
        cause = report.downtime_cause if report is not None else ""
        rows.append(
            ProducerDay(
                code=producer.code,
                name=producer.name,
                region_name=producer.region.name,
                reported=report is not None,
                produced_nm3=produced.get(producer.pk, 0.0) if report is not None else None,
                downtime_hours=float(report.downtime_hours) if report is not None else None,
                downtime_cause=cause,
                downtime_cause_label=_cause_label(cause),
            )
        )
    rows.sort(key=lambda r: (not r.reported, -(r.produced_nm3 or 0.0), r.name))
    return rows


def _cause_label(cause: str) -> str:
    if not cause:
        return ""
    try:
        return str(DowntimeCause(cause).label)
    except ValueError:
        return cause


# ------------------------------------------------------------------ running out soon


@dataclass(frozen=True)
class RunOut:
    """A facility whose oxygen runs out within ``within_days`` days of the report's
    generation (the smallest of :data:`RUN_OUT_DAYS` that holds)."""

    code: str
    name: str
    region_name: str
    runs_out_at: datetime
    autonomy_hours_now: float
    within_days: int
    limiting_factor: str


def running_out(
    dash: services.DashboardScope, now: datetime, days: tuple[int, ...] = RUN_OUT_DAYS
) -> list[RunOut]:
    """Facilities whose latest status says they run out before ``now`` + max(days) days,
    soonest first. A facility already past its ``runs_out_at`` (no report since) falls in
    the first window: it is as urgent as can be."""
    horizon = now + timedelta(days=max(days))
    statuses = (
        FacilityStatus.objects.filter(
            facility__in=dash.facilities(), runs_out_at__isnull=False, runs_out_at__lt=horizon
        )
        .select_related("facility__region")
        .order_by("runs_out_at", "facility__name")
    )
    found = []
    for status in statuses:
        runs_out_at = status.runs_out_at
        assert runs_out_at is not None  # filtered above
        within = next(d for d in sorted(days) if runs_out_at < now + timedelta(days=d))
        found.append(
            RunOut(
                code=status.facility.code,
                name=status.facility.name,
                region_name=status.facility.region.name,
                runs_out_at=runs_out_at,
                autonomy_hours_now=hours_left(status, now),
                within_days=within,
                limiting_factor=status.limiting_factor,
            )
        )
    return found


# ----------------------------------------------------------------- census projection


@dataclass(frozen=True)
class ProjectedDay:
    """Patients on oxygen projected ``ahead_days`` after the report day (the median and
    its interval) and the oxygen demand that census implies, in Nm³/day."""

    ahead_days: int
    day: date
    patients: float
    patients_low: float
    patients_high: float
    demand_nm3_per_day: float | None
    demand_low_nm3_per_day: float | None
    demand_high_nm3_per_day: float | None


@dataclass(frozen=True)
class CensusOutlook:
    """The region's census projection from its daily census (sums over the facilities
    that reported each day, as the dashboard's trend shows it).

    ``too_few`` when fewer than ``needed_days`` of the last ``history_days`` days had a
    report; ``rows`` is then empty. A sum over fewer facilities is a smaller census:
    ``facilities_reporting_min``/``_max`` say how much the coverage varied. Demand is
    scaled from the current census-based demand: ``current_demand_nm3_per_day`` ×
    projected patients ÷ ``last_patients``.
    """

    history_days: int
    observed_days: int
    needed_days: int
    facilities_reporting_min: int
    facilities_reporting_max: int
    too_few: bool
    last_day: date | None
    last_patients: int | None
    current_demand_nm3_per_day: float
    interval_percent: int
    model: str
    model_basis: str
    rows: tuple[ProjectedDay, ...]


def census_outlook(
    dash: services.DashboardScope, day: date, *, current_demand_nm3_per_day: float
) -> CensusOutlook:
    """Project the region's patients on oxygen 1, 3 and 7 days after ``day``.

    The history is :func:`~oxyflow.dashboard.services.trends` over
    :data:`CENSUS_DAYS` days ending on ``day``; a day nobody reported is missing, not
    zero. ``current_demand_nm3_per_day`` is the dashboard's census-based demand
    (``kpis(...).demand_nm3_per_day``); each projected demand is that figure times the
    projected patients over the patients of the last observed day (``None`` when that
    day counted no patient).
    """
    history = services.trends(dash, day, CENSUS_DAYS)
    series: list[float | None] = [
        float(t.patients_on_oxygen) if t.facilities_reporting else None for t in history
    ]
    observed = [(t.day, t.patients_on_oxygen) for t in history if t.facilities_reporting]
    coverage = [t.facilities_reporting for t in history if t.facilities_reporting] or [0]
    last_day, last_patients = observed[-1] if observed else (None, None)
    too_few = len(observed) < MIN_CENSUS_DAYS
    rows: tuple[ProjectedDay, ...] = ()
    model = model_basis = ""
    if not too_few:
        result = projection.project(
            series, max(PROJECTION_AHEAD_DAYS), model="damped", interval=PROJECTION_INTERVAL
        )
        model, model_basis = result.model, result.basis

        def demand(patients: float) -> float | None:
            if not last_patients:
                return None
            return current_demand_nm3_per_day * patients / last_patients

        rows = tuple(
            ProjectedDay(
                ahead_days=h,
                day=day + timedelta(days=h),
                patients=result.values[h - 1],
                patients_low=result.low[h - 1],
                patients_high=result.high[h - 1],
                demand_nm3_per_day=demand(result.values[h - 1]),
                demand_low_nm3_per_day=demand(result.low[h - 1]),
                demand_high_nm3_per_day=demand(result.high[h - 1]),
            )
            for h in PROJECTION_AHEAD_DAYS
        )
    return CensusOutlook(
        history_days=CENSUS_DAYS,
        observed_days=len(observed),
        needed_days=MIN_CENSUS_DAYS,
        facilities_reporting_min=min(coverage),
        facilities_reporting_max=max(coverage),
        too_few=too_few,
        last_day=last_day,
        last_patients=last_patients,
        current_demand_nm3_per_day=current_demand_nm3_per_day,
        interval_percent=round(PROJECTION_INTERVAL * 100),
        model=model,
        model_basis=model_basis,
        rows=rows,
    )
