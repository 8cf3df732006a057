"""Daily report pages: the phone-first forms, a report with its versions, the lists.

Also what the facility and region pages show of demand, autonomy and the census
projection (:func:`facility_outlook`, :func:`region_outlook`). Every figure comes from
the :class:`~oxyflow.reporting.models.FacilityStatus` cache and from
:func:`oxyflow.core.projection.project`, so pages, API and alerts agree. Permissions go
through :mod:`oxyflow.accounts.scopes` only: a site out of sight is 404, a form for a
site one may only read is 403.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language_bidi, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.accounts.models import Role
from oxyflow.core import projection
from oxyflow.core import reporting as rules
from oxyflow.registry import models as reg
from oxyflow.registry.services import get_editable, get_visible
from oxyflow.reporting import services
from oxyflow.reporting.forms import (
    FacilityReportForm,
    ProducerReportForm,
    cylinder_types_for,
    facility_initial,
    new_key,
    producer_initial,
)
from oxyflow.reporting.models import (
    FacilityReport,
    FacilityStatus,
    ProducerReport,
)
from oxyflow.reporting.status import hours_left
from oxyflow.scenarios.views import Chart, nice_ticks

# Days per page of a site's report list.
LIST_DAYS: Final = 14
# Days of census history a projection is fitted on, and how far it looks ahead.
CENSUS_DAYS: Final = 28
PROJECTION_DAYS: Final = 14
PROJECTION_ROWS: Final = (1, 3, 7, 14)
CHART_HISTORY_DAYS: Final = 14
# Fewer observed days than this and no projection is shown (the core would only repeat
# the last count).
MIN_PROJECTION_DAYS: Final = projection.MIN_DAYS_DRIFT
# In a region's total, a facility's missing day counts its previous report for this long.
CARRY_DAYS: Final = 2

STATUS_LABELS: Final = {
    rules.ReportStatus.NOT_DUE: pgettext_lazy("report status", "not due"),
    rules.ReportStatus.PENDING: pgettext_lazy("report status", "pending"),
    rules.ReportStatus.ON_TIME: pgettext_lazy("report status", "on time"),
    rules.ReportStatus.LATE: pgettext_lazy("report status", "late"),
    rules.ReportStatus.MISSING: pgettext_lazy("report status", "missing"),
}
LIMITING_LABELS: Final = {
    "none": gettext_lazy("stock lasts the whole horizon"),
    "lox": gettext_lazy("liquid oxygen runs out (cylinders already used up or none)"),
    "cylinders": gettext_lazy("cylinders run out (liquid oxygen already used up or none)"),
    "demand_exceeds_generation": gettext_lazy(
        "no usable stock, and demand exceeds on-site generation"
    ),
    "no_stock": gettext_lazy("no usable stock and no on-site generation"),
}


def now() -> datetime:
    """The pages' clock (tests set their own)."""
    return timezone.now()


def _on_behalf(user: Any) -> bool:
    """Coordinators and the ministry enter reports for a site, named by who phoned them in."""
    scope = scopes.scope_for(user)
    return scope.superuser or scope.role in (Role.MINISTRY, Role.COORDINATOR)


def _day_param(request: HttpRequest, name: str, default: date) -> date:
    """A day from the query string (``?date=2021-08-09``), else ``default``."""
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return default


def _tell(request: HttpRequest, outcome: services.Outcome, flags: list[str]) -> None:
    report = outcome.report
    day = date_format(report.report_date)
    if not outcome.created:
        messages.info(request, _("This form had been sent already: here is the report it stored."))
        return
    if report.version > 1:
        messages.success(
            request,
            _("Correction saved: version %(version)s of the report for %(day)s.")
            % {"version": report.version, "day": day},
        )
    else:
        messages.success(request, _("Report for %(day)s saved.") % {"day": day})
    for text in flags:
        messages.warning(request, _("Accepted, but please check: %(flag)s") % {"flag": text})


def _number(value: float, decimals: int = 0) -> str:
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def describe_flag(flag: dict[str, Any], tank_names: list[str]) -> str:
    """A plausibility flag in the reader's language, naming the field and the figures."""
    code = flag.get("code")
    value, expected = float(flag.get("value", 0)), float(flag.get("expected", 0))
    path = str(flag.get("field", ""))
    parts = path.split(".")
    if parts[0] == "lox_tanks" and len(parts) == 3 and parts[1].isdigit():
        index = int(parts[1])
        name = tank_names[index] if index < len(tank_names) else parts[1]
        where = _("Level of %(tank)s") % {"tank": name}
    elif path == "consumption":
        where = _("Oxygen used (from stock and made on site)")
    else:
        where = path
    figures = {"field": where, "value": _number(value, 1), "expected": _number(expected, 1)}
    if code == rules.FlagCode.CONSUMPTION_HIGH:
        return _(
            "%(field)s: %(value)s Nm³/day is more than %(ratio)s times the census-based "
            "demand of %(expected)s Nm³/day."
        ) % {**figures, "ratio": _number(rules.HIGH_CONSUMPTION_RATIO)}
    if code == rules.FlagCode.CONSUMPTION_LOW:
        return _(
            "%(field)s: %(value)s Nm³/day is less than %(ratio)s times the census-based "
            "demand of %(expected)s Nm³/day."
        ) % {**figures, "ratio": number_format(rules.LOW_CONSUMPTION_RATIO, decimal_pos=1)}
    if code == rules.FlagCode.KG_ENTERED_AS_TONNES:
        return (
            _(
                "%(field)s: %(value)s kg is about 1,000 times more than the expected "
                "%(expected)s kg. Check the unit (kg, t, L, kL)."
            )
            % figures
        )
    if code == rules.FlagCode.TONNES_ENTERED_AS_KG:
        return (
            _(
                "%(field)s: %(value)s kg is about 1,000 times less than the expected "
                "%(expected)s kg. Check the unit (kg, t, L, kL)."
            )
            % figures
        )
    return str(flag.get("message", ""))


def facility_flags(report: FacilityReport) -> list[str]:
    names = [line.tank.name for line in report.tanks.select_related("tank").order_by("pk")]
    return [describe_flag(flag, names) for flag in report.flags]


# ------------------------------------------------------------------------------ forms


@login_required
def facility_report_new(request: HttpRequest, code: str) -> HttpResponse:
    """The phone-first daily report of a facility; ``?date=`` for another day."""
    facility = get_editable(
        reg.Facility.objects.select_related("region", "manifold_cylinder_type"),
        request.user,
        code=code,
    )
    clock = now()
    today = services.site_calendar(facility).local_date(clock)
    tanks = list(facility.lox_tanks.all())
    types, own = cylinder_types_for(facility)
    on_behalf = _on_behalf(request.user)
    options = {"facility": facility, "on_behalf": on_behalf, "tanks": tanks}
    if request.method == "POST":
        form = FacilityReportForm(request.POST, cylinder_types=types, **options)
        if form.is_valid():
            try:
                outcome = services.submit_facility_report(
                    facility=facility,
                    data=form.report_in(),
                    submission=form.submission(request.user, now=clock),
                )
            except services.ReportRejected as exc:
                form.add_service_errors(exc.errors)
            else:
                report = outcome.report
                assert isinstance(report, FacilityReport)
                _tell(request, outcome, facility_flags(report))
                return redirect("reporting:facility_report", report_id=report.pk)
        day = form.day(today)
        current = _current(FacilityReport, facility=facility, report_date=day)
    else:
        day = _day_param(request, "date", today)
        current = _current(FacilityReport, facility=facility, report_date=day)
        initial = facility_initial(
            current,
            day=day,
            key=new_key(),
            tanks=tanks,
            cylinder_types=types,
            last=FacilityReport.objects.filter(facility=facility, is_current=True).first(),
            facility=facility,
        )
        form = FacilityReportForm(None, cylinder_types=types, initial=initial, **options)
    own_rows, other_rows = form.own_cylinder_rows(own)
    return render(
        request,
        "reporting/facility_form.html",
        {
            "facility": facility,
            "form": form,
            "day": day,
            "current": current,
            "own_cylinder_rows": own_rows,
            "other_cylinder_rows": other_rows,
            "zone": services.site_calendar(facility).time_zone,
        },
    )


@login_required
def producer_report_new(request: HttpRequest, code: str) -> HttpResponse:
    """A producer's daily report: one row per product it has a capacity for."""
    producer = get_editable(reg.Producer.objects.select_related("region"), request.user, code=code)
    clock = now()
    today = services.site_calendar(producer).local_date(clock)
    products = [
        c.product
        for c in producer.capacities.select_related("product").order_by(
            "product__kind", "product__code"
        )
    ]
    on_behalf = _on_behalf(request.user)
    if request.method == "POST":
        form = ProducerReportForm(request.POST, products=products, on_behalf=on_behalf)
        if form.is_valid():
            try:
                outcome = services.submit_producer_report(
                    producer=producer,
                    data=form.report_in(),
                    submission=form.submission(request.user, now=clock),
                )
            except services.ReportRejected as exc:
                form.add_service_errors(exc.errors)
            else:
                _tell(request, outcome, [])
                return redirect("reporting:producer_report", report_id=outcome.report.pk)
        day = form.day(today)
        current = _current(ProducerReport, producer=producer, report_date=day)
    else:
        day = _day_param(request, "date", today)
        current = _current(ProducerReport, producer=producer, report_date=day)
        initial = producer_initial(current, day=day, key=new_key(), products=products)
        form = ProducerReportForm(None, products=products, on_behalf=on_behalf, initial=initial)
    return render(
        request,
        "reporting/producer_form.html",
        {
            "producer": producer,
            "form": form,
            "day": day,
            "current": current,
            "zone": services.site_calendar(producer).time_zone,
        },
    )


def _current(model: type[FacilityReport] | type[ProducerReport], **lookup: Any) -> Any:
    """The current version of a site's day, if it has been reported."""
    return model.objects.filter(is_current=True, **lookup).select_related("entered_by").first()


# ---------------------------------------------------------------------------- reports


def _versions(report: FacilityReport | ProducerReport) -> list[Any]:
    site_field = "facility" if isinstance(report, FacilityReport) else "producer"
    return list(
        type(report)
        .objects.filter(
            **{f"{site_field}_id": getattr(report, f"{site_field}_id")},
            report_date=report.report_date,
        )
        .select_related("entered_by")
        .order_by("-version")
    )


@login_required
def facility_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """One version of a facility's day, its figures with units, flags and version history."""
    report = get_object_or_404(
        scopes.visible(
            FacilityReport.objects.select_related("facility__region", "entered_by"),
            request.user,
        ),
        pk=report_id,
    )
    facility = report.facility
    tanks = []
    for line in report.tanks.select_related("tank").order_by("pk"):
        capacity = line.tank.capacity_kg()
        share = float(line.level_kg) / capacity * 100 if capacity else None
        tanks.append({"line": line, "share": share})
    cylinders = [
        {"line": line, "nm3": line.full * line.cylinder_type.content_nm3()}
        for line in report.cylinders.select_related("cylinder_type").order_by("pk")
    ]
    return render(
        request,
        "reporting/facility_report.html",
        {
            "report": report,
            "facility": facility,
            "tanks": tanks,
            "cylinders": cylinders,
            "cylinders_nm3": sum(c["nm3"] for c in cylinders),
            "lox_kg": sum(t["line"].level_kg for t in tanks),
            "flags": facility_flags(report),
            "versions": _versions(report),
            "can_edit": scopes.can_edit(request.user, facility),
            "zone": services.site_calendar(facility).time_zone,
        },
    )


@login_required
def producer_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """One version of a producer's day with its version history."""
    report = get_object_or_404(
        scopes.visible(
            ProducerReport.objects.select_related("producer__region", "entered_by"),
            request.user,
        ),
        pk=report_id,
    )
    return render(
        request,
        "reporting/producer_report.html",
        {
            "report": report,
            "producer": report.producer,
            "lines": report.lines.select_related("product").order_by("product__code"),
            "versions": _versions(report),
            "can_edit": scopes.can_edit(request.user, report.producer),
            "zone": services.site_calendar(report.producer).time_zone,
        },
    )


def _list_days(request: HttpRequest, today: date) -> list[date]:
    """The days of one page of a list, newest first, ending at ``?until=`` or today."""
    until = min(_day_param(request, "until", today), today)
    return [until - timedelta(days=i) for i in range(LIST_DAYS)]


def _status(site: reg.Site, report: Any, day: date, clock: datetime) -> dict[str, Any]:
    state = rules.report_status(
        services.reporting_rule(site),
        services.site_calendar(site),
        day,
        received_at=report.first_received_at if report is not None else None,
        now=clock,
    )
    return {"code": state.value, "label": STATUS_LABELS[state]}


@login_required
def facility_reports(request: HttpRequest, code: str) -> HttpResponse:
    """A facility's recent days: census, stock, consumption, flags, on time or late."""
    facility = get_visible(reg.Facility.objects.select_related("region"), request.user, code=code)
    clock = now()
    today = services.site_calendar(facility).local_date(clock)
    days = _list_days(request, today)
    reports = {
        r.report_date: r
        for r in FacilityReport.objects.filter(
            facility=facility, is_current=True, report_date__range=(days[-1], days[0])
        ).prefetch_related("tanks", "cylinders")
    }
    rows = []
    for day in days:
        report = reports.get(day)
        row: dict[str, Any] = {
            "day": day,
            "report": report,
            "status": _status(facility, report, day, clock),
        }
        if report is not None:
            row["lox_kg"] = sum(t.level_kg for t in report.tanks.all())
            row["cylinders_full"] = sum(c.full for c in report.cylinders.all())
            used = report.consumption_nm3
            row["consumption_nm3"] = used if used is not None else report.consumption_derived_nm3
            row["derived"] = used is None
        rows.append(row)
    return render(
        request,
        "reporting/facility_reports.html",
        {
            "facility": facility,
            "rows": rows,
            "earlier": days[-1] - timedelta(days=1),
            "later": days[0] + timedelta(days=LIST_DAYS) if days[0] < today else None,
            "has_tanks": facility.lox_tanks.exists(),
            "can_edit": scopes.can_edit(request.user, facility),
        },
    )


@login_required
def producer_reports(request: HttpRequest, code: str) -> HttpResponse:
    """A producer's recent days: production, stock, availability, downtime, on time or late."""
    producer = get_visible(reg.Producer.objects.select_related("region"), request.user, code=code)
    clock = now()
    today = services.site_calendar(producer).local_date(clock)
    days = _list_days(request, today)
    reports = {
        r.report_date: r
        for r in ProducerReport.objects.filter(
            producer=producer, is_current=True, report_date__range=(days[-1], days[0])
        ).prefetch_related("lines__product")
    }
    rows = [
        {"day": d, "report": reports.get(d), "status": _status(producer, reports.get(d), d, clock)}
        for d in days
    ]
    return render(
        request,
        "reporting/producer_reports.html",
        {
            "producer": producer,
            "rows": rows,
            "earlier": days[-1] - timedelta(days=1),
            "later": days[0] + timedelta(days=LIST_DAYS) if days[0] < today else None,
            "can_edit": scopes.can_edit(request.user, producer),
        },
    )


# ------------------------------------------------------------ facility and region pages


def facility_outlook(facility: reg.Facility, user: Any) -> dict[str, Any]:
    """Demand, autonomy and census projection for the facility page (site visible to user)."""
    clock = now()
    calendar = services.site_calendar(facility)
    status = FacilityStatus.objects.select_related("report").filter(facility=facility).first()
    outlook: dict[str, Any] = {
        "status": status,
        "zone": calendar.time_zone,
        "can_report": scopes.can_edit(user, facility),
    }
    if status is None:
        return outlook
    end = status.report.report_date
    census = dict(
        (r.report_date, float(r.patients_on_oxygen))
        for r in FacilityReport.objects.filter(
            facility=facility,
            is_current=True,
            report_date__range=(end - timedelta(days=CENSUS_DAYS - 1), end),
        ).only("report_date", "patients_low_flow", "patients_high_flow", "patients_ventilated")
    )
    outlook.update(
        {
            "hours_left": hours_left(status, clock),
            "covered": status.runs_out_at is None,
            "limiting": LIMITING_LABELS.get(status.limiting_factor, status.limiting_factor),
            "projection": census_projection(census, end),
        }
    )
    return outlook


def region_outlook(region: reg.Region, user: Any) -> dict[str, Any]:
    """The region's facilities in the user's scope, least autonomy first, with totals."""
    clock = now()
    facilities = list(
        scopes.visible(
            reg.Facility.objects.active().filter(region__path__startswith=region.path), user
        ).select_related("region", "status__report")
    )
    rows = []
    for facility in facilities:
        status: FacilityStatus | None = getattr(facility, "status", None)
        left = hours_left(status, clock) if status is not None else None
        rows.append({"facility": facility, "status": status, "hours_left": left})
    rows.sort(key=lambda r: (r["hours_left"] is None, r["hours_left"] or 0.0, r["facility"].name))
    reporting = [r["status"] for r in rows if r["status"] is not None]
    ends = [s.report.report_date for s in reporting]
    projection_view = None
    if ends:
        end = max(ends)
        projection_view = census_projection(
            _region_census([f.pk for f in facilities], end), end, summed=True
        )
    return {
        "rows": rows,
        "reporting": len(reporting),
        "demand_nm3_per_day": sum(s.demand_nm3_per_day for s in reporting),
        "demand_low_nm3_per_day": sum(s.demand_low_nm3_per_day for s in reporting),
        "demand_high_nm3_per_day": sum(s.demand_high_nm3_per_day for s in reporting),
        "patients": sum(s.report.patients_on_oxygen for s in reporting),
        "projection": projection_view,
        "carry_days": CARRY_DAYS,
    }


def _region_census(facility_ids: list[int], end: date) -> dict[date, float]:
    """Daily patients on oxygen summed over facilities; a facility's missing day counts its
    previous report for up to :data:`CARRY_DAYS` days. Days nobody reported are left out."""
    start = end - timedelta(days=CENSUS_DAYS - 1 + CARRY_DAYS)
    per_facility: dict[int, dict[date, int]] = {}
    for facility_id, day, low, high, ventilated in FacilityReport.objects.filter(
        facility_id__in=facility_ids, is_current=True, report_date__range=(start, end)
    ).values_list(
        "facility_id",
        "report_date",
        "patients_low_flow",
        "patients_high_flow",
        "patients_ventilated",
    ):
        per_facility.setdefault(facility_id, {})[day] = low + high + ventilated
    totals: dict[date, float] = {}
    for offset in range(CENSUS_DAYS):
        day = end - timedelta(days=offset)
        if not any(day in days for days in per_facility.values()):
            continue
        total = 0
        for days in per_facility.values():
            for back in range(CARRY_DAYS + 1):
                if day - timedelta(days=back) in days:
                    total += days[day - timedelta(days=back)]
                    break
        totals[day] = float(total)
    return totals


def census_projection(
    census: dict[date, float], end: date, *, summed: bool = False
) -> dict[str, Any]:
    """Patients on oxygen 1 to 14 days after ``end``, from up to 28 days of history."""
    days = [end - timedelta(days=CENSUS_DAYS - 1 - i) for i in range(CENSUS_DAYS)]
    series = [census.get(day) for day in days]
    observed = sum(value is not None for value in series)
    if observed < MIN_PROJECTION_DAYS:
        return {"too_few": True, "observed": observed, "needed": MIN_PROJECTION_DAYS}
    result = projection.project(series, PROJECTION_DAYS)
    rows = [
        {
            "ahead": h,
            "day": end + timedelta(days=h),
            "value": result.values[h - 1],
            "low": result.low[h - 1],
            "high": result.high[h - 1],
        }
        for h in PROJECTION_ROWS
    ]
    return {
        "too_few": False,
        "observed": observed,
        "end": end,
        "rows": rows,
        "result": result,
        "interval_pct": round(result.interval * 100),
        "summed": summed,
        "chart": projection_chart(days, series, result, rtl=get_language_bidi()),
    }


def projection_chart(
    days: list[date], series: list[float | None], result: projection.Projection, *, rtl: bool
) -> Chart:
    """Bars of the reported census, then the projection's median and its band, per day."""
    days, series = days[-CHART_HISTORY_DAYS:], series[-CHART_HISTORY_DAYS:]
    start, end, top, bottom, slot, plot_h = 48.0, 12.0, 12.0, 24.0, 14.0, 140.0
    count = len(days) + len(result.values)
    width = start + end + slot * count
    chart = Chart(
        width,
        top + plot_h + bottom,
        _("Patients on oxygen: reported, then projected"),
        _(
            "Bars: patients on oxygen reported each day. After the dashed line: the "
            "projected count (line) and its %(pct)s %% interval (shaded), one per day."
        )
        % {"pct": round(result.interval * 100)},
        rtl,
    )
    seen = [v for v in series if v is not None]
    ticks = nice_ticks(max([*seen, *result.high, 1.0]), count=4)
    scale = plot_h / ticks[-1]
    base = top + plot_h
    for tick in ticks:
        y = base - tick * scale
        chart.line(start, y, width - end, y, "grid")
        chart.text(start - 5, y + 4, _number(tick), anchor="end", css="tick")
    for i, (day, value) in enumerate(zip(days, series, strict=True)):
        if value is not None:
            title = _("%(day)s: %(count)s reported") % {
                "day": date_format(day, "SHORT_DATE_FORMAT"),
                "count": _number(value),
            }
            chart.rect(
                start + i * slot + 2,
                base - value * scale,
                slot - 4,
                value * scale,
                "oxf-observed",
                title,
            )
    last = days[-1]
    for h, (value, low, high) in enumerate(
        zip(result.values, result.low, result.high, strict=True)
    ):
        x = start + (len(days) + h) * slot
        title = _("%(day)s: %(count)s projected (%(low)s–%(high)s)") % {
            "day": date_format(last + timedelta(days=h + 1), "SHORT_DATE_FORMAT"),
            "count": _number(value),
            "low": _number(low),
            "high": _number(high),
        }
        chart.rect(
            x + 1, base - high * scale, slot - 2, max((high - low) * scale, 1.0), "oxf-band", title
        )
        chart.line(x + 1, base - value * scale, x + slot - 1, base - value * scale, "oxf-median")
    divider = start + len(days) * slot
    chart.line(divider, top, divider, base, "oxf-divider")
    chart.line(start, base, width - end, base, "axis")
    chart.line(start, top, start, base, "axis")
    horizon = last + timedelta(days=len(result.values))
    for x, day, anchor in (
        (start, days[0], "start"),
        (divider, last, "middle"),
        (width - end, horizon, "end"),
    ):
        chart.text(x, base + 15, date_format(day, "MONTH_DAY_FORMAT"), anchor=anchor, css="tick")
    return chart
