"""Dashboard figures under /api/v1/: the same service calls as the pages, so a screen
and a script never disagree. Units are in the field names."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from oxyflow.api import Day, ErrorOut
from oxyflow.dashboard import services
from oxyflow.registry import models as reg
from oxyflow.registry.services import get_visible

router = Router(tags=["dashboard"])
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class RegionOut(Schema):
    code: str
    name: str
    level: str


class KpisOut(Schema):
    day: date
    facilities: int
    facilities_reporting: int = Field(description="facilities with a report for the day")
    facilities_with_status: int = Field(description="facilities whose autonomy is known")
    production_nm3_per_day: float | None
    producers: int
    producers_reporting: int
    consumption_nm3_per_day: float | None = Field(
        description="reported (or, where not reported, stock-derived) use, reporting facilities"
    )
    consumption_reported_by: int
    demand_nm3_per_day: float = Field(description="census-based demand, latest reports")
    stock_nm3: float = Field(description="usable oxygen on hand, latest reports")
    stock_days: float | None = Field(description="stock_nm3 ÷ demand_nm3_per_day")
    beds_oxygen: int
    beds_oxygen_occupied: int | None
    occupancy_percent: float | None
    occupancy_basis_facilities: int
    patients_on_oxygen: int
    under_critical: int = Field(description="autonomy under the critical band (h)")
    under_warning: int = Field(description="autonomy between the critical and warning bands")
    critical_hours: float
    warning_hours: float
    late_reports: int
    missing_reports: int
    due_reports: int
    alerts: dict[str, int]
    open_incidents: int


class TrendDayOut(Schema):
    day: date
    facilities_reporting: int
    production_nm3: float | None
    consumption_nm3: float | None
    demand_nm3: float
    stock_nm3: float
    patients_low_flow: int
    patients_high_flow: int
    patients_ventilated: int


class DashboardOut(Schema):
    region: RegionOut
    kpis: KpisOut
    trend: list[TrendDayOut]


class DashboardQuery(Schema):
    region: str | None = Field(None, description="region code; default: your own region")
    day: Day | None = Field(None, description="local day; default: today in the country")
    days: int = Field(30, description="trend length in days: 14, 30 or 90")


def _scope(request: HttpRequest, code: str | None) -> services.DashboardScope:
    try:
        return services.resolve_scope(request.user, code)
    except services.DashboardError as exc:
        raise Http404(str(exc)) from exc


def _region(dash: services.DashboardScope) -> dict[str, str]:
    return {"code": dash.region.code, "name": dash.region.name, "level": dash.level}


@router.get(
    "/dashboard",
    response={200: DashboardOut, **READ_ERRORS},
    summary="A region's headline figures and daily trends",
    url_name="dashboard",
)
def get_dashboard(request: HttpRequest, query: Query[DashboardQuery]) -> Any:
    dash = _scope(request, query.region)
    now = timezone.now()
    day = query.day or dash.today(now)
    days = query.days if query.days in services.TREND_DAYS else 30
    k = services.kpis(dash, now, day=day)
    return {
        "region": _region(dash),
        "kpis": {
            **k.__dict__,
            "critical_hours": services.CRITICAL_HOURS,
            "warning_hours": services.WARNING_HOURS,
        },
        "trend": [t.__dict__ for t in services.trends(dash, day, days)],
    }


class FacilityRowOut(Schema):
    code: str
    name: str
    region: str
    priority: int
    band: str = Field(description="critical, warning, ok or unknown (no report yet)")
    autonomy_hours_now: float | None
    runs_out_at: Any
    demand_nm3_per_day: float | None
    patients_on_oxygen: int | None
    occupancy_percent: float | None
    report_date: date | None


class FacilityPageOut(Schema):
    region: RegionOut
    total: int
    page: int
    pages: int
    sort: str
    rows: list[FacilityRowOut]


class TableQuery(Schema):
    region: str | None = None
    sort: str = Field("autonomy", description=", ".join(services.SORTS))
    page: int = 1
    band: str | None = Field(None, description="critical, warning or unknown")


@router.get(
    "/dashboard/facilities",
    response={200: FacilityPageOut, **READ_ERRORS},
    summary="A region's facilities, least autonomy first (50 per page)",
    url_name="dashboard_facilities",
)
def get_facility_table(request: HttpRequest, query: Query[TableQuery]) -> Any:
    dash = _scope(request, query.region)
    table = services.facility_rows(
        dash, timezone.now(), sort=query.sort, page=query.page, band_filter=query.band
    )
    return {
        "region": _region(dash),
        "total": table.total,
        "page": table.page,
        "pages": table.pages,
        "sort": table.sort,
        "rows": [
            {
                "code": r.facility.code,
                "name": r.facility.name,
                "region": r.facility.region.name,
                "priority": r.facility.priority,
                "band": r.band,
                "autonomy_hours_now": None if r.hours_left is None else round(r.hours_left, 1),
                "runs_out_at": r.runs_out_at,
                "demand_nm3_per_day": r.status.demand_nm3_per_day if r.status else None,
                "patients_on_oxygen": r.patients_on_oxygen,
                "occupancy_percent": r.occupancy_percent,
                "report_date": r.report_date,
            }
            for r in table.rows
        ],
    }


class MapQuery(Schema):
    region: str | None = None


@router.get(
    "/dashboard/map",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="GeoJSON: facilities coloured by autonomy band, producers, open incidents",
    url_name="dashboard_map",
)
def get_map(request: HttpRequest, query: Query[MapQuery]) -> Any:
    dash = _scope(request, query.region)
    return services.map_features(dash, timezone.now())


class HistoryDayOut(Schema):
    day: date
    stock_nm3: float
    consumption_nm3: float | None
    demand_nm3_per_day: float
    patients_low_flow: int
    patients_high_flow: int
    patients_ventilated: int
    beds_occupied_oxygen: int | None


class HistoryQuery(Schema):
    days: int = Field(90, description="14, 30 or 90")


@router.get(
    "/dashboard/facilities/{code}/history",
    response={200: list[HistoryDayOut], **READ_ERRORS},
    summary="One facility's daily figures (days it did not report are absent)",
    url_name="dashboard_facility_history",
)
def get_facility_history(request: HttpRequest, code: str, query: Query[HistoryQuery]) -> Any:
    facility = get_visible(reg.Facility.objects.select_related("region"), request.user, code=code)
    dash = services.DashboardScope(region=facility.region, user=request.user)
    days = query.days if query.days in services.TREND_DAYS else 90
    return services.facility_history(facility, dash.today(timezone.now()), days)
