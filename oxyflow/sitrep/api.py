"""The daily situation report under /api/v1/: the same report the page, the PDF and the
CSV render. Units are in the field names; labels and bases are in the request's
language (``Accept-Language`` or the language cookie)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from oxyflow.api import Day, ErrorOut, error_body
from oxyflow.dashboard import services
from oxyflow.sitrep import report as sitrep

router = Router(tags=["sitrep"])
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class RegionOut(Schema):
    code: str
    name: str
    level: str


class KeyFigureOut(Schema):
    key: str = Field(description="stable name of the figure, for scripts")
    label: str
    value: int | float | None
    unit: str
    basis: str


class AtRiskOut(Schema):
    code: str
    name: str
    region: str
    band: str = Field(description="critical or warning")
    autonomy_hours_now: float | None
    runs_out_at: datetime | None
    demand_nm3_per_day: float | None
    patients_on_oxygen: int | None
    report_date: date | None


class AlertOut(Schema):
    severity: str
    status: str
    text: str
    opened_at: datetime


class ProducerDayOut(Schema):
    code: str
    name: str
    region: str
    reported: bool
    produced_nm3: float | None = Field(description="None when the producer did not report")
    downtime_hours: float | None
    downtime_cause: str


class IncidentOut(Schema):
    id: int
    kind: str
    severity: str
    status: str
    title: str
    region: str
    sites: list[str]
    opened_at: datetime
    resolved_at: datetime | None
    open_hours: float


class RunOutOut(Schema):
    code: str
    name: str
    region: str
    runs_out_at: datetime
    autonomy_hours_now: float
    within_days: int


class WindowOut(Schema):
    within_days: int
    facilities: int


class ProjectedDayOut(Schema):
    ahead_days: int
    day: date
    patients: float
    patients_low: float
    patients_high: float
    demand_nm3_per_day: float | None
    demand_low_nm3_per_day: float | None
    demand_high_nm3_per_day: float | None


class CensusOut(Schema):
    too_few: bool = Field(description="fewer observed days than needed: no projection")
    history_days: int
    observed_days: int
    needed_days: int
    last_day: date | None
    last_patients: int | None
    current_demand_nm3_per_day: float
    interval_percent: int
    model: str
    rows: list[ProjectedDayOut]
    basis: str


class OutlookOut(Schema):
    running_out: list[RunOutOut]
    windows: list[WindowOut]
    census: CensusOut


class ProductionOut(Schema):
    total_nm3: float | None = Field(description="the dashboard's production for the day")
    producers: list[ProducerDayOut]
    deliveries: str


class SitrepOut(Schema):
    region: RegionOut
    day: date
    generated_at: datetime
    time_zone: str
    language: str
    facilities_reported: bool = Field(description="any facility report for the day")
    producers_reported: bool = Field(description="any producer report for the day")
    key_figures: list[KeyFigureOut]
    at_risk: list[AtRiskOut]
    at_risk_critical_total: int
    at_risk_warning_total: int
    alerts: list[AlertOut]
    production: ProductionOut
    incidents: list[IncidentOut]
    incidents_open_total: int
    outlook: OutlookOut


# oxyflow.api.Day refuses a query's "0" (a Unix timestamp to pydantic) and days before 2000.
QueryDay = Day


class SitrepQuery(Schema):
    region: str | None = Field(None, description="region code; default: your own region")
    day: QueryDay | None = Field(
        None, description="local day, YYYY-MM-DD; default: today in the country"
    )


@router.get(
    "/sitrep",
    response={200: SitrepOut, **READ_ERRORS},
    summary="A region's daily situation report (the figures of the PDF and CSV)",
    url_name="sitrep",
)
def get_sitrep(request: HttpRequest, query: Query[SitrepQuery]) -> Any:
    from oxyflow.api import api
    from oxyflow.sitrep.views import now

    try:
        found = sitrep.build(request.user, query.region, query.day, now())
    except services.DashboardError as exc:
        raise Http404(str(exc)) from exc
    except sitrep.ReportDayError as exc:
        return api.create_response(
            request,
            error_body(["query", "day"], str(exc), "value_error", str(query.day)),
            status=422,
        )
    return as_json(found)


def as_json(r: sitrep.SituationReport) -> dict[str, Any]:
    """The report as the API answers it."""
    return {
        "region": {"code": r.region_code, "name": r.region_name, "level": r.region_level},
        "day": r.day,
        "generated_at": r.generated_at,
        "time_zone": r.time_zone,
        "language": r.language,
        "facilities_reported": r.facilities_reported,
        "producers_reported": r.producers_reported,
        "key_figures": [f.__dict__ for f in r.key_figures],
        "at_risk": [{**f.__dict__, "region": f.region_name} for f in r.at_risk],
        "at_risk_critical_total": r.at_risk_critical_total,
        "at_risk_warning_total": r.at_risk_warning_total,
        "alerts": [
            {
                "severity": a.severity,
                "status": a.status,
                "text": a.text,
                "opened_at": a.opened_at,
            }
            for a in r.alerts
        ],
        "production": {
            "total_nm3": r.production_nm3,
            "producers": [{**p.__dict__, "region": p.region_name} for p in r.production],
            "deliveries": r.deliveries_note,
        },
        "incidents": [
            {**i.__dict__, "region": i.region_name, "sites": list(i.sites)} for i in r.incidents
        ],
        "incidents_open_total": r.incidents_open_total,
        "outlook": {
            "running_out": [{**x.__dict__, "region": x.region_name} for x in r.running_out],
            "windows": [{"within_days": d, "facilities": n} for d, n in r.running_out_counts],
            "census": {
                **r.census.__dict__,
                "rows": [row.__dict__ for row in r.census.rows],
                "basis": r.outlook_basis,
            },
        },
    }
