"""The figures of a coordination dashboard: one place that computes them, so the pages,
the API and the situation report never disagree.

A dashboard looks at one region (nation, province, district) as a regional user sees
it. Every figure carries its unit in its name and a basis saying what it was computed
from (how many facilities reported, on which day).

Query count does not grow with the number of facilities: KPIs are a few aggregates,
trends read :class:`~oxyflow.dashboard.models.FacilityDay`, the facility table is one
page of a sorted query.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.dashboard.models import FacilityDay
from oxyflow.dashboard.snapshots import nm3_per_kg
from oxyflow.registry import models as reg
from oxyflow.reporting import calendar
from oxyflow.reporting.models import FacilityStatus, ProducerReportLine
from oxyflow.reporting.services import site_calendar
from oxyflow.reporting.status import hours_left

# Autonomy bands for colours and counts: the alerts' default thresholds (settings
# OXYFLOW_ALERT_AUTONOMY_*_HOURS). A region's own alert rule may differ; the dashboard
# states the bands it uses in its legend.
CRITICAL_HOURS = float(settings.OXYFLOW_ALERT_AUTONOMY_CRITICAL_HOURS)
WARNING_HOURS = float(settings.OXYFLOW_ALERT_AUTONOMY_WARNING_HOURS)
TREND_DAYS = (14, 30, 90)
PAGE_SIZE = 50


class DashboardError(LookupError):
    """The requested dashboard does not exist for this user (answered as 404)."""


class Band:
    CRITICAL = "critical"
    WARNING = "warning"
    OK = "ok"
    UNKNOWN = "unknown"


def band(hours: float | None) -> str:
    if hours is None:
        return Band.UNKNOWN
    if hours < CRITICAL_HOURS:
        return Band.CRITICAL
    if hours < WARNING_HOURS:
        return Band.WARNING
    return Band.OK


@dataclass(frozen=True)
class DashboardScope:
    """The region a dashboard shows, as one user sees it."""

    region: reg.Region
    user: Any

    @property
    def path(self) -> str:
        return self.region.path

    @property
    def level(self) -> str:
        return str(self.region.level)

    # The visible rows as a subquery rather than scopes.visible() itself, whose DISTINCT
    # makes every count and sort over a country's facilities pay for de-duplication.
    def facilities(self) -> QuerySet[reg.Facility]:
        visible = scopes.visible(reg.Facility.objects.all(), self.user).values("pk")
        return reg.Facility.objects.active().filter(
            region__path__startswith=self.path, pk__in=visible
        )

    def producers(self) -> QuerySet[reg.Producer]:
        visible = scopes.visible(reg.Producer.objects.all(), self.user).values("pk")
        return reg.Producer.objects.active().filter(
            region__path__startswith=self.path, pk__in=visible
        )

    def suppliers(self) -> QuerySet[reg.Producer]:
        """The region's producers and those outside it contracted to its facilities."""
        contracted = reg.SupplyContract.objects.filter(
            facility__region__path__startswith=self.path
        ).values("producer_id")
        return scopes.visible(
            reg.Producer.objects.active().filter(
                Q(region__path__startswith=self.path) | Q(pk__in=contracted)
            ),
            self.user,
        )

    def today(self, now: datetime) -> date:
        """The current local day in the region's country."""
        country = self.path.split("/", 1)[0]
        sample = reg.Site(region=reg.Region(path=f"{country}/"))
        return site_calendar(sample).local_date(now)


def resolve_scope(user: Any, code: str | None = None) -> DashboardScope:
    """The dashboard of region ``code`` (default: the user's own region).

    Dashboards are for the roles that look at a region (ministry, coordinators,
    viewers); a region the user cannot see raises :class:`DashboardError`.
    """
    scope = scopes.scope_for(user)
    if not (scope.superuser or scope.regional):
        raise DashboardError(_("Dashboards are for regional and national users."))
    regions = scopes.visible(reg.Region.objects.all(), user)
    if code:
        region = regions.filter(code=code).first()
    elif scope.region_path:
        region = regions.filter(path=scope.region_path).first()
    else:  # a superuser without a region: the first country
        region = regions.filter(level=reg.RegionLevel.COUNTRY).order_by("code").first()
    if region is None:
        raise DashboardError(_("No such region."))
    return DashboardScope(region=region, user=user)


def breadcrumbs(dash: DashboardScope) -> list[reg.Region]:
    """The region's ancestors the user may open, then the region itself."""
    codes = [c for c in dash.path.split("/") if c]
    found = {
        r.code: r for r in scopes.visible(reg.Region.objects.filter(code__in=codes), dash.user)
    }
    return [found[c] for c in codes if c in found]


def subregions(dash: DashboardScope) -> list[reg.Region]:
    return list(
        scopes.visible(dash.region.children.filter(retired_on__isnull=True), dash.user).order_by(
            "name"
        )
    )


# ---------------------------------------------------------------------------- KPIs


@dataclass(frozen=True)
class Kpis:
    """Headline figures of a region on one local day; units in the field names."""

    day: date
    facilities: int
    facilities_reporting: int  # a report for ``day``
    facilities_with_status: int  # any report: autonomy known
    production_nm3_per_day: float | None
    producers: int
    producers_reporting: int
    consumption_nm3_per_day: float | None
    consumption_reported_by: int
    demand_nm3_per_day: float
    stock_nm3: float
    stock_days: float | None
    beds_oxygen: int
    beds_oxygen_occupied: int | None
    occupancy_percent: float | None
    occupancy_basis_facilities: int
    patients_on_oxygen: int
    under_critical: int
    under_warning: int
    late_reports: int
    missing_reports: int
    due_reports: int
    alerts: dict[str, int] = field(default_factory=dict)
    open_incidents: int = 0


def _production_by_day(dash: DashboardScope, start: date, end: date) -> dict[date, float]:
    """Oxygen produced per local day in Nm³ (LOX by mass, cylinders by count)."""
    lines = (
        ProducerReportLine.objects.filter(
            report__is_current=True,
            report__report_date__range=(start, end),
            report__producer__in=dash.producers(),
            product__kind__in=(reg.ProductKind.LOX, reg.ProductKind.CYLINDER),
        )
        .values_list("report__report_date", "product_id")
        .annotate(total=Sum("produced"))
        .order_by()
    )
    content = _product_contents()
    days: dict[date, float] = defaultdict(float)
    for day, product_id, total in lines:
        days[day] += float(total) * content.get(product_id, 0.0)
    return dict(days)


def _product_contents() -> dict[int, float]:
    """Nm³ per unit of issue of each oxygen product (per kg of LOX, per full cylinder)."""
    contents: dict[int, float] = {}
    for product in reg.Product.objects.filter(
        kind__in=(reg.ProductKind.LOX, reg.ProductKind.CYLINDER)
    ).select_related("cylinder_type"):
        if product.kind == reg.ProductKind.LOX:
            contents[product.pk] = nm3_per_kg()
        elif product.cylinder_type is not None:
            contents[product.pk] = product.cylinder_type.content_nm3()
    return contents


def kpis(dash: DashboardScope, now: datetime, *, day: date | None = None) -> Kpis:
    day = day or dash.today(now)
    facilities = dash.facilities()
    facility_count = facilities.count()
    statuses = FacilityStatus.objects.filter(facility__in=facilities)
    status_totals = statuses.aggregate(
        n=Count("pk"),
        demand=Sum("demand_nm3_per_day"),
        usable=Sum("usable_nm3"),
        critical=Count("pk", filter=Q(runs_out_at__lt=now + timedelta(hours=CRITICAL_HOURS))),
        warning=Count("pk", filter=Q(runs_out_at__lt=now + timedelta(hours=WARNING_HOURS))),
    )
    horizon_critical, horizon_warning = _horizon_ending(statuses, now)
    status_totals["critical"] += len(horizon_critical)
    status_totals["warning"] += len(horizon_critical) + len(horizon_warning)
    days = FacilityDay.objects.filter(day=day, facility__in=facilities)
    day_totals = days.aggregate(
        n=Count("pk"),
        consumption=Sum("consumption_nm3"),
        consumption_n=Count("pk", filter=Q(consumption_nm3__isnull=False)),
        beds=Sum("beds_oxygen", filter=Q(beds_occupied_oxygen__isnull=False)),
        occupied=Sum("beds_occupied_oxygen"),
        occupied_n=Count("pk", filter=Q(beds_occupied_oxygen__isnull=False)),
        low=Sum("patients_low_flow"),
        high=Sum("patients_high_flow"),
        vent=Sum("patients_ventilated"),
    )
    beds_total = facilities.aggregate(b=Sum("beds_oxygen"))["b"] or 0
    producers = dash.producers()
    production = _production_by_day(dash, day, day).get(day)
    producers_reporting = (
        producers.filter(reports__report_date=day, reports__is_current=True).distinct().count()
    )
    demand = float(status_totals["demand"] or 0.0)
    usable = float(status_totals["usable"] or 0.0)
    occupied = day_totals["occupied"]
    beds_with_figure = day_totals["beds"] or 0
    report_counts = calendar.status_counts(_reporting_sites(dash, day), day, now)
    return Kpis(
        day=day,
        facilities=facility_count,
        facilities_reporting=day_totals["n"],
        facilities_with_status=status_totals["n"],
        production_nm3_per_day=production,
        producers=producers.count(),
        producers_reporting=producers_reporting,
        consumption_nm3_per_day=(
            float(day_totals["consumption"]) if day_totals["consumption"] is not None else None
        ),
        consumption_reported_by=day_totals["consumption_n"],
        demand_nm3_per_day=demand,
        stock_nm3=usable,
        stock_days=usable / demand if demand > 0 else None,
        beds_oxygen=beds_total,
        beds_oxygen_occupied=occupied,
        occupancy_percent=(
            100.0 * occupied / beds_with_figure
            if occupied is not None and beds_with_figure
            else None
        ),
        occupancy_basis_facilities=day_totals["occupied_n"],
        patients_on_oxygen=(day_totals["low"] or 0)
        + (day_totals["high"] or 0)
        + (day_totals["vent"] or 0),
        under_critical=status_totals["critical"],
        under_warning=status_totals["warning"] - status_totals["critical"],
        late_reports=report_counts[calendar.ReportStatus.LATE],
        missing_reports=report_counts[calendar.ReportStatus.MISSING],
        due_reports=sum(
            n for st, n in report_counts.items() if st != calendar.ReportStatus.NOT_DUE
        ),
        alerts=_alert_counts(dash),
        open_incidents=_open_incident_count(dash),
    )


def _horizon_ending(
    statuses: QuerySet[FacilityStatus], now: datetime
) -> tuple[list[int], list[int]]:
    """Facilities (ids) under the critical and the warning band because the horizon of a
    status that said "covered" has itself nearly passed (no report for ~2 weeks).

    Such a status has no ``runs_out_at``; its hours left still fall with time, as the
    table and the map show them. Statuses read in the last day are skipped: the horizon
    (14 days) leaves them far above the bands.
    """
    critical: list[int] = []
    warning: list[int] = []
    for facility_id, hours, as_of in statuses.filter(
        runs_out_at__isnull=True, as_of__lt=now - timedelta(hours=WARNING_HOURS)
    ).values_list("facility_id", "autonomy_hours", "as_of"):
        left = max(hours - (now - as_of) / timedelta(hours=1), 0.0)
        if left < CRITICAL_HOURS:
            critical.append(facility_id)
        elif left < WARNING_HOURS:
            warning.append(facility_id)
    return critical, warning


def _reporting_sites(dash: DashboardScope, day: date) -> QuerySet[reg.Site]:
    return scopes.visible(calendar.reporting_sites(dash.region, on=day), dash.user)


def _alert_counts(dash: DashboardScope) -> dict[str, int]:
    from oxyflow.alerts.services import alert_counts

    return alert_counts(dash.user, dash.region)


def _open_incident_count(dash: DashboardScope) -> int:
    from oxyflow.incidents.services import open_incidents

    return open_incidents(dash.user, dash.region).count()


# ---------------------------------------------------------------------------- trends


@dataclass(frozen=True)
class TrendDay:
    day: date
    facilities_reporting: int
    production_nm3: float | None
    consumption_nm3: float | None
    demand_nm3: float
    stock_nm3: float
    patients_low_flow: int
    patients_high_flow: int
    patients_ventilated: int

    @property
    def patients_on_oxygen(self) -> int:
        return self.patients_low_flow + self.patients_high_flow + self.patients_ventilated


def trends(dash: DashboardScope, end: date, days: int = 30) -> list[TrendDay]:
    """Daily sums over the facilities that reported each day, oldest first.

    A day's totals cover only the facilities that reported that day
    (``facilities_reporting`` says how many), never an estimate for the others.
    """
    start = end - timedelta(days=days - 1)
    rows = {
        r["day"]: r
        for r in FacilityDay.objects.filter(day__range=(start, end), facility__in=dash.facilities())
        .values("day")
        .annotate(
            n=Count("pk"),
            consumption=Sum("consumption_nm3"),
            demand=Sum("demand_nm3_per_day"),
            stock=Sum("stock_nm3"),
            low=Sum("patients_low_flow"),
            high=Sum("patients_high_flow"),
            vent=Sum("patients_ventilated"),
        )
        .order_by()
    }
    production = _production_by_day(dash, start, end)
    result = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        r = rows.get(day)
        result.append(
            TrendDay(
                day=day,
                facilities_reporting=r["n"] if r else 0,
                production_nm3=production.get(day),
                consumption_nm3=float(r["consumption"])
                if r and r["consumption"] is not None
                else None,
                demand_nm3=float(r["demand"] or 0) if r else 0.0,
                stock_nm3=float(r["stock"] or 0) if r else 0.0,
                patients_low_flow=r["low"] or 0 if r else 0,
                patients_high_flow=r["high"] or 0 if r else 0,
                patients_ventilated=r["vent"] or 0 if r else 0,
            )
        )
    return result


# ---------------------------------------------------------------------- facility table


@dataclass(frozen=True)
class FacilityRow:
    facility: reg.Facility
    status: FacilityStatus | None
    hours_left: float | None
    band: str
    patients_on_oxygen: int | None
    occupancy_percent: float | None
    report_date: date | None

    @property
    def runs_out_at(self) -> datetime | None:
        return self.status.runs_out_at if self.status else None

    @property
    def whole_hours_left(self) -> int | None:
        """Hours left rounded down: 7.6 h shows as 7 h, never as the 8 h threshold."""
        return None if self.hours_left is None else math.floor(self.hours_left)


# Columns a table may be sorted by, and how (``-`` reverses; autonomy puts facilities
# that never reported last, as their autonomy is unknown).
SORTS: dict[str, tuple[Any, ...]] = {
    "autonomy": (
        F("status__runs_out_at").asc(nulls_last=True),
        F("status__autonomy_hours").asc(nulls_last=True),
        "name",
    ),
    "name": ("name",),
    "region": ("region__name", "name"),
    "demand": (F("status__demand_nm3_per_day").desc(nulls_last=True), "name"),
    "patients": (F("status__report__patients_low_flow").desc(nulls_last=True), "name"),
    "priority": ("priority", "name"),
}


@dataclass(frozen=True)
class FacilityPage:
    rows: list[FacilityRow]
    total: int
    page: int
    pages: int
    sort: str


def facility_rows(
    dash: DashboardScope,
    now: datetime,
    *,
    sort: str = "autonomy",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    band_filter: str | None = None,
) -> FacilityPage:
    """One page of the region's facilities, sorted; ``band_filter`` keeps one band."""
    if sort not in SORTS:
        sort = "autonomy"
    facilities = dash.facilities()
    if band_filter in (Band.CRITICAL, Band.WARNING):
        statuses = FacilityStatus.objects.filter(facility__in=facilities)
        horizon = _horizon_ending(statuses, now)
        if band_filter == Band.CRITICAL:
            facilities = facilities.filter(
                Q(status__runs_out_at__lt=now + timedelta(hours=CRITICAL_HOURS))
                | Q(pk__in=horizon[0])
            )
        else:
            facilities = facilities.filter(
                Q(
                    status__runs_out_at__lt=now + timedelta(hours=WARNING_HOURS),
                    status__runs_out_at__gte=now + timedelta(hours=CRITICAL_HOURS),
                )
                | Q(pk__in=horizon[1])
            )
    elif band_filter == Band.UNKNOWN:
        facilities = facilities.filter(status__isnull=True)
    total = facilities.count()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    chosen = list(
        facilities.select_related("region", "status__report").order_by(*SORTS[sort])[
            (page - 1) * page_size : page * page_size
        ]
    )
    return FacilityPage(
        rows=[_row(f, now) for f in chosen], total=total, page=page, pages=pages, sort=sort
    )


def _row(facility: reg.Facility, now: datetime) -> FacilityRow:
    status: FacilityStatus | None = getattr(facility, "status", None)
    left = hours_left(status, now) if status is not None else None
    report = status.report if status is not None else None
    occupancy = None
    if report is not None and report.beds_occupied_oxygen is not None and facility.beds_oxygen:
        occupancy = 100.0 * report.beds_occupied_oxygen / facility.beds_oxygen
    return FacilityRow(
        facility=facility,
        status=status,
        hours_left=left,
        band=band(left),
        patients_on_oxygen=report.patients_on_oxygen if report is not None else None,
        occupancy_percent=occupancy,
        report_date=report.report_date if report is not None else None,
    )


# ---------------------------------------------------------------------------- the map


def map_features(dash: DashboardScope, now: datetime) -> dict[str, Any]:
    """GeoJSON of the region's facilities (coloured by autonomy band), producers and
    open incidents; sites without coordinates are counted, not drawn."""
    features: list[dict[str, Any]] = []
    unplaced = 0
    # Plain rows, not model instances: a country has thousands of facilities.
    rows = (
        dash.facilities()
        .order_by("name", "pk")
        .values_list(
            "code",
            "name",
            "latitude",
            "longitude",
            "status__autonomy_hours",
            "status__as_of",
            "status__demand_nm3_per_day",
        )
    )
    for code, name, lat, lon, autonomy_hours, as_of, demand in rows:
        if lat is None or lon is None:
            unplaced += 1
            continue
        left = None
        if autonomy_hours is not None:
            # What reporting.status.hours_left computes, on the row's values.
            left = max(autonomy_hours - (now - as_of) / timedelta(hours=1), 0.0)
        features.append(
            _point(
                lon,
                lat,
                {
                    "layer": "facility",
                    "code": code,
                    "name": name,
                    "band": band(left),
                    "autonomy_hours": None if left is None else round(left, 1),
                    "demand_nm3_per_day": None if demand is None else round(demand, 1),
                },
            )
        )
    for producer in (
        dash.suppliers()
        .select_related("region")
        .only("code", "name", "latitude", "longitude", "region__path")
    ):
        if producer.latitude is None or producer.longitude is None:
            unplaced += 1
            continue
        features.append(
            _point(
                producer.longitude,
                producer.latitude,
                {
                    "layer": "producer",
                    "code": producer.code,
                    "name": producer.name,
                    "in_region": producer.region.path.startswith(dash.path),
                },
            )
        )
    features.extend(_incident_features(dash))
    return {"type": "FeatureCollection", "features": features, "unplaced_sites": unplaced}


def _point(lon: Any, lat: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
        "properties": properties,
    }


def _incident_features(dash: DashboardScope) -> list[dict[str, Any]]:
    from oxyflow.incidents.services import incident_location, open_incidents

    found = []
    for incident in open_incidents(dash.user, dash.region).prefetch_related("sites"):
        where = incident_location(incident)
        if where is None:
            continue
        found.append(
            _point(
                where[1],
                where[0],
                {
                    "layer": "incident",
                    "id": incident.pk,
                    "name": incident.title,
                    "kind": str(incident.get_kind_display()),
                    "severity": str(incident.severity),
                },
            )
        )
    return found


# ----------------------------------------------------------------- one facility's history


def facility_history(facility: reg.Facility, end: date, days: int = 90) -> list[FacilityDay]:
    """The facility's daily figures, oldest first (days it did not report are absent)."""
    start = end - timedelta(days=days - 1)
    return list(
        FacilityDay.objects.filter(facility=facility, day__range=(start, end)).order_by("day")
    )
