"""Dashboard pages: a region's map, headline figures, trends and facility table, and one
facility's history. Every figure comes from :mod:`oxyflow.dashboard.services`, the
same functions the API answers with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from oxyflow.accounts import scopes
from oxyflow.dashboard import services
from oxyflow.registry import models as reg
from oxyflow.registry.services import get_visible
from oxyflow.reporting.models import FacilityReport


def now() -> datetime:
    """The pages' clock (tests set their own)."""
    return timezone.now()


def _int(value: str | None, default: int, allowed: tuple[int, ...] | None = None) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    if allowed is not None and number not in allowed:
        return default
    return number


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = scopes.scope_for(request.user)
    if not (scope.superuser or scope.regional):
        # Site staff have no region to look at: their facilities are their dashboard.
        if scope.facility_ids:
            first = reg.Facility.objects.filter(pk__in=scope.facility_ids).order_by("name")
            facility = first.first()
            if facility is not None:
                return redirect("dashboard:facility", code=facility.code)
        return redirect("web:home")
    try:
        dash = services.resolve_scope(request.user, request.GET.get("region"))
    except services.DashboardError as exc:
        raise Http404(str(exc)) from exc
    clock = now()
    day = dash.today(clock)
    days = _int(request.GET.get("days"), 30, services.TREND_DAYS)
    band = request.GET.get("band") or None
    if band not in (None, *services.Band.__dict__.values()):
        band = None
    table = services.facility_rows(
        dash,
        clock,
        sort=request.GET.get("sort", "autonomy"),
        page=_int(request.GET.get("page"), 1),
        band_filter=band,
    )
    trend = services.trends(dash, day, days)
    context: dict[str, Any] = {
        "dash": dash,
        "region": dash.region,
        "crumbs": services.breadcrumbs(dash),
        "children": services.subregions(dash),
        "kpis": services.kpis(dash, clock, day=day),
        "trend": trend,
        "trend_days": days,
        "trend_choices": services.TREND_DAYS,
        "trend_data": _trend_json(trend),
        "table": table,
        "band": band or "",
        "bands": services.Band,
        "critical_hours": services.CRITICAL_HOURS,
        "warning_hours": services.WARNING_HOURS,
        "alerts": _top_alerts(dash),
        "map_config": {
            "features": reverse("api-v1:dashboard_map") + f"?region={dash.region.code}",
            "tiles": settings.OXYFLOW_MAP_TILE_URL,
            "attribution": settings.OXYFLOW_MAP_TILE_ATTRIBUTION,
            "facility_url": reverse("dashboard:facility", args=["CODE"]),
            "incident_url": _incident_url(),
        },
        "now": clock,
    }
    return render(request, "dashboard/dashboard.html", context)


def _incident_url() -> str:
    return reverse("incidents:detail", args=[0]).replace("/0/", "/ID/")


def _top_alerts(dash: services.DashboardScope) -> list[Any]:
    from oxyflow.alerts.services import open_alerts

    return list(open_alerts(dash.user, dash.region).order_by("severity", "-opened_at")[:10])


def _trend_json(trend: list[services.TrendDay]) -> dict[str, Any]:
    """Chart series; a day nobody reported is a gap (None), never a zero."""

    def series(values: list[Any]) -> list[Any]:
        return [v if t.facilities_reporting else None for t, v in zip(trend, values, strict=True)]

    return {
        "days": [t.day.isoformat() for t in trend],
        "production_nm3": [t.production_nm3 for t in trend],
        "consumption_nm3": series([t.consumption_nm3 for t in trend]),
        "demand_nm3": series([round(t.demand_nm3, 1) for t in trend]),
        "stock_nm3": series([round(t.stock_nm3, 1) for t in trend]),
        "patients_low_flow": series([t.patients_low_flow for t in trend]),
        "patients_high_flow": series([t.patients_high_flow for t in trend]),
        "patients_ventilated": series([t.patients_ventilated for t in trend]),
        "facilities_reporting": [t.facilities_reporting for t in trend],
    }


@login_required
def facility(request: HttpRequest, code: str) -> HttpResponse:
    site = get_visible(
        reg.Facility.objects.select_related("region", "status__report"), request.user, code=code
    )
    clock = now()
    status = getattr(site, "status", None)
    row = services._row(site, clock)
    days = _int(request.GET.get("days"), 90, services.TREND_DAYS)
    day = services.DashboardScope(region=site.region, user=request.user).today(clock)
    history = services.facility_history(site, day, days)
    reports = FacilityReport.objects.filter(facility=site).order_by("-report_date", "-version")[:30]
    from oxyflow.alerts.services import open_alerts
    from oxyflow.incidents.services import can_log, incidents_for_site

    context = {
        "site": site,
        "status": status,
        "row": row,
        "history": history,
        "history_data": {
            "days": [h.day.isoformat() for h in history],
            "stock_nm3": [round(h.stock_nm3, 1) for h in history],
            "consumption_nm3": [h.consumption_nm3 for h in history],
            "demand_nm3": [round(h.demand_nm3_per_day, 1) for h in history],
            "patients_low_flow": [h.patients_low_flow for h in history],
            "patients_high_flow": [h.patients_high_flow for h in history],
            "patients_ventilated": [h.patients_ventilated for h in history],
        },
        "trend_days": days,
        "trend_choices": services.TREND_DAYS,
        "reports": reports,
        "alerts": open_alerts(request.user).filter(site=site),
        "incidents": incidents_for_site(request.user, site),
        "can_log_incident": can_log(request.user),
        "can_report": scopes.can_edit(request.user, site),
        "critical_hours": services.CRITICAL_HOURS,
        "warning_hours": services.WARNING_HOURS,
        "now": clock,
    }
    return render(request, "dashboard/facility.html", context)
