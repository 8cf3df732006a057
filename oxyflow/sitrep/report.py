"""The daily situation report of a region: one object the page, the PDF, the CSV and the
API all render, so the four never disagree with each other nor with the dashboard.

Every figure comes from :mod:`oxyflow.dashboard.services` (key figures, facilities at
risk, the census) or from :mod:`oxyflow.sitrep.figures` (production per producer,
facilities running out, the census projection), built on the same models. Labels and
bases are translated into the language active when :func:`build` runs: the reader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, get_language_bidi, gettext, ngettext

from oxyflow.core.calendars import EARLIEST_DAY, WorkingCalendar
from oxyflow.dashboard import services
from oxyflow.registry import models as reg
from oxyflow.reporting.services import site_calendar
from oxyflow.sitrep import figures
from oxyflow.sitrep.figures import CensusOutlook, ProducerDay, RunOut

# A list in the report shows at most this many rows; the report says how many there are.
LIST_LIMIT: Final = 100


class ReportDayError(ValueError):
    """The ``day`` asked for is not a day a report can be made for (a translated
    message naming the value and the rule)."""


def parse_day(text: str | None, today: date) -> date:
    """The report day from ``YYYY-MM-DD`` text; empty text: ``today``.

    Raises
    ------
    ReportDayError
        If the text is not a date, or names a day after ``today``.
    """
    if not text:
        return today
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ReportDayError(
            gettext("“%(value)s” is not a day: give it as YYYY-MM-DD, e.g. %(example)s.")
            % {"value": text[:40], "example": today.isoformat()}
        ) from None
    check_day(day, today)
    return day


def check_day(day: date, today: date) -> None:
    """Refuse a day after ``today`` (no report can exist for it) or before 2000."""
    if day < EARLIEST_DAY:
        raise ReportDayError(
            gettext("%(day)s is too early: give a day from %(earliest)s on.")
            % {"day": day.isoformat(), "earliest": EARLIEST_DAY.isoformat()}
        )
    if day > today:
        raise ReportDayError(
            gettext("%(day)s is in the future: today is %(today)s in this region.")
            % {"day": day.isoformat(), "today": today.isoformat()}
        )


@dataclass(frozen=True)
class KeyFigure:
    """One headline figure: ``key`` is stable (for scripts), ``label`` and ``basis`` are
    translated; ``value`` is ``None`` when nobody reported what it needs."""

    key: str
    label: str
    value: float | int | None
    unit: str
    basis: str
    decimals: int = 0

    @property
    def text(self) -> str:
        """The value for people, in the active language's number format."""
        return _n(self.value, self.decimals)


@dataclass(frozen=True)
class AtRiskFacility:
    code: str
    name: str
    region_name: str
    band: str
    band_label: str
    autonomy_hours_now: float | None
    runs_out_at: datetime | None
    demand_nm3_per_day: float | None
    patients_on_oxygen: int | None
    report_date: date | None


@dataclass(frozen=True)
class AlertLine:
    severity: str
    severity_label: str
    status: str
    status_label: str
    text: str
    opened_at: datetime


@dataclass(frozen=True)
class IncidentLine:
    id: int
    kind: str
    kind_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    title: str
    region_name: str
    sites: tuple[str, ...]
    opened_at: datetime
    resolved_at: datetime | None
    open_hours: float


@dataclass(frozen=True)
class SituationReport:
    """Everything the page, the PDF, the CSV and the API show; units in field names.

    Day figures (production, consumption, occupancy, patients, reports) are for the
    local ``day``; stock, autonomy, alerts and incidents are as of ``generated_at``
    (the latest reports), whatever the day.
    """

    region_code: str
    region_name: str
    region_level: str
    region_level_label: str
    day: date
    today: date
    time_zone: str
    generated_at: datetime
    reader: str
    language: str
    rtl: bool
    kpis: services.Kpis
    critical_hours: float
    warning_hours: float
    key_figures: tuple[KeyFigure, ...]
    facilities_reported: bool
    producers_reported: bool
    at_risk: tuple[AtRiskFacility, ...]
    at_risk_critical_total: int
    at_risk_warning_total: int
    alerts: tuple[AlertLine, ...]
    production: tuple[ProducerDay, ...]
    production_nm3: float | None
    incidents_open: tuple[IncidentLine, ...]
    incidents_open_total: int
    incidents_resolved: tuple[IncidentLine, ...]
    running_out: tuple[RunOut, ...]
    running_out_counts: tuple[tuple[int, int], ...]
    census: CensusOutlook

    @property
    def has_reports(self) -> bool:
        """Whether any facility or producer reported for the day."""
        return self.facilities_reported or self.producers_reported

    @property
    def at_risk_total(self) -> int:
        return self.at_risk_critical_total + self.at_risk_warning_total

    @property
    def incidents(self) -> tuple[IncidentLine, ...]:
        return self.incidents_open + self.incidents_resolved

    @property
    def deliveries_note(self) -> str:
        return deliveries_note()

    @property
    def outlook_basis(self) -> str:
        return outlook_basis(self)


def build(user: Any, region_code: str | None, day: date | None, now: datetime) -> SituationReport:
    """The situation report of region ``region_code`` (default: the user's region) for
    local ``day`` (default: today in the region's country), generated at ``now``.

    Raises
    ------
    DashboardError
        If the user may not look at that region (answered 404).
    ReportDayError
        If ``day`` is after today in the region's country.
    """
    dash = services.resolve_scope(user, region_code)
    return build_for(dash, day, now)


def build_for(dash: services.DashboardScope, day: date | None, now: datetime) -> SituationReport:
    """:func:`build` for a scope already resolved."""
    today = dash.today(now)
    day = day or today
    check_day(day, today)
    k = services.kpis(dash, now, day=day)
    critical = services.facility_rows(
        dash, now, page_size=LIST_LIMIT, band_filter=services.Band.CRITICAL
    )
    warning = services.facility_rows(
        dash, now, page_size=LIST_LIMIT, band_filter=services.Band.WARNING
    )
    at_risk = [_at_risk(r) for r in critical.rows]
    at_risk += [_at_risk(r) for r in warning.rows][: max(0, LIST_LIMIT - len(at_risk))]
    production = figures.production_by_producer(dash, day)
    runs = figures.running_out(dash, now)
    incidents_open, incidents_total = _open_incidents(dash, now)
    return SituationReport(
        region_code=dash.region.code,
        region_name=dash.region.name,
        region_level=dash.level,
        region_level_label=str(dash.region.get_level_display()),
        day=day,
        today=today,
        time_zone=_calendar(dash).time_zone,
        generated_at=now,
        reader=_reader(dash.user),
        language=get_language() or "en",
        rtl=get_language_bidi(),
        kpis=k,
        critical_hours=services.CRITICAL_HOURS,
        warning_hours=services.WARNING_HOURS,
        key_figures=tuple(key_figures(k)),
        facilities_reported=k.facilities_reporting > 0,
        producers_reported=k.producers_reporting > 0,
        at_risk=tuple(at_risk),
        at_risk_critical_total=critical.total,
        at_risk_warning_total=warning.total,
        alerts=tuple(_alerts(dash)),
        production=tuple(production),
        production_nm3=k.production_nm3_per_day,
        incidents_open=tuple(incidents_open),
        incidents_open_total=incidents_total,
        incidents_resolved=tuple(_resolved_incidents(dash, day, now)),
        running_out=tuple(runs[:LIST_LIMIT]),
        running_out_counts=tuple(
            (d, sum(1 for r in runs if r.within_days <= d)) for d in figures.RUN_OUT_DAYS
        ),
        census=figures.census_outlook(dash, day, current_demand_nm3_per_day=k.demand_nm3_per_day),
    )


def _calendar(dash: services.DashboardScope) -> WorkingCalendar:
    """The working calendar of the region's country (its time zone, its local days)."""
    country = dash.path.split("/", 1)[0]
    return site_calendar(reg.Site(region=reg.Region(path=f"{country}/")))


def _reader(user: Any) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full.strip() or user.get_username()


def _n(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return number_format(round(value, decimals), decimals, force_grouping=True)


def key_figures(k: services.Kpis) -> list[KeyFigure]:
    """The report's key figures, each with its unit and a translated basis."""
    day = date_format(k.day, "DATE_FORMAT")
    latest = ngettext(
        "latest reports of %(n)s of %(total)s facility",
        "latest reports of %(n)s of %(total)s facilities",
        k.facilities,
    ) % {
        "n": k.facilities_with_status,
        "total": k.facilities,
    }
    nm3_day = gettext("Nm³/day")
    facilities = gettext("facilities")
    return [
        KeyFigure(
            "production_nm3_per_day",
            gettext("Production"),
            k.production_nm3_per_day,
            nm3_day,
            ngettext(
                "%(n)s of %(total)s producer reported for %(day)s",
                "%(n)s of %(total)s producers reported for %(day)s",
                k.producers,
            )
            % {
                "n": k.producers_reporting,
                "total": k.producers,
                "day": day,
            },
        ),
        KeyFigure(
            "consumption_nm3_per_day",
            gettext("Consumption"),
            k.consumption_nm3_per_day,
            nm3_day,
            ngettext(
                "%(n)s of %(total)s facility reported it for %(day)s "
                "(or it was derived from its stock)",
                "%(n)s of %(total)s facilities reported it for %(day)s "
                "(or it was derived from their stock)",
                k.facilities,
            )
            % {"n": k.consumption_reported_by, "total": k.facilities, "day": day},
        ),
        KeyFigure(
            "demand_nm3_per_day",
            gettext("Census-based demand"),
            k.demand_nm3_per_day,
            nm3_day,
            latest,
        ),
        KeyFigure("stock_nm3", gettext("Usable stock"), k.stock_nm3, "Nm³", latest),
        KeyFigure(
            "stock_days",
            gettext("Stock in days of demand"),
            k.stock_days,
            gettext("days"),
            gettext("usable stock ÷ census-based demand"),
            decimals=1,
        ),
        KeyFigure(
            "occupancy_percent",
            gettext("Oxygen beds occupied"),
            k.occupancy_percent,
            "%",
            ngettext(
                "%(occupied)s occupied beds in the %(n)s facility that gave the figure "
                "for %(day)s (%(beds)s oxygen beds in all)",
                "%(occupied)s occupied beds in the %(n)s facilities that gave the figure "
                "for %(day)s (%(beds)s oxygen beds in all)",
                k.occupancy_basis_facilities,
            )
            % {
                "occupied": _n(k.beds_oxygen_occupied),
                "n": k.occupancy_basis_facilities,
                "day": day,
                "beds": _n(k.beds_oxygen),
            },
        ),
        KeyFigure(
            "patients_on_oxygen",
            gettext("Patients on oxygen"),
            k.patients_on_oxygen,
            gettext("patients"),
            ngettext(
                "%(n)s of %(total)s facility reported for %(day)s",
                "%(n)s of %(total)s facilities reported for %(day)s",
                k.facilities,
            )
            % {
                "n": k.facilities_reporting,
                "total": k.facilities,
                "day": day,
            },
        ),
        KeyFigure(
            "under_critical",
            gettext("Facilities under %(hours)s h of oxygen")
            % {"hours": _n(services.CRITICAL_HOURS)},
            k.under_critical,
            facilities,
            gettext("latest reports, at the time of this report"),
        ),
        KeyFigure(
            "under_warning",
            gettext("Facilities with %(low)s to %(high)s h of oxygen")
            % {"low": _n(services.CRITICAL_HOURS), "high": _n(services.WARNING_HOURS)},
            k.under_warning,
            facilities,
            gettext("latest reports, at the time of this report"),
        ),
        KeyFigure(
            "missing_reports",
            gettext("Reports missing"),
            k.missing_reports,
            gettext("reports"),
            gettext("of %(due)s due for %(day)s") % {"due": k.due_reports, "day": day},
        ),
        KeyFigure(
            "late_reports",
            gettext("Reports late"),
            k.late_reports,
            gettext("reports"),
            gettext("of %(due)s due for %(day)s") % {"due": k.due_reports, "day": day},
        ),
        KeyFigure(
            "alerts_critical",
            gettext("Critical alerts open"),
            k.alerts.get("critical", 0),
            gettext("alerts"),
            gettext("open or acknowledged, at the time of this report"),
        ),
        KeyFigure(
            "alerts_warning",
            gettext("Warning alerts open"),
            k.alerts.get("warning", 0),
            gettext("alerts"),
            gettext("open or acknowledged, at the time of this report"),
        ),
        KeyFigure(
            "open_incidents",
            gettext("Open incidents"),
            k.open_incidents,
            gettext("incidents"),
            gettext("open or in progress, at the time of this report"),
        ),
    ]


def band_label(band: str) -> str:
    labels = {
        services.Band.CRITICAL: gettext("critical"),
        services.Band.WARNING: gettext("warning"),
        services.Band.OK: gettext("enough"),
        services.Band.UNKNOWN: gettext("no report yet"),
    }
    return labels.get(band, band)


def _at_risk(row: services.FacilityRow) -> AtRiskFacility:
    return AtRiskFacility(
        code=row.facility.code,
        name=row.facility.name,
        region_name=row.facility.region.name,
        band=row.band,
        band_label=band_label(row.band),
        autonomy_hours_now=row.hours_left,
        runs_out_at=row.runs_out_at,
        demand_nm3_per_day=row.status.demand_nm3_per_day if row.status else None,
        patients_on_oxygen=row.patients_on_oxygen,
        report_date=row.report_date,
    )


def _alerts(dash: services.DashboardScope) -> list[AlertLine]:
    from oxyflow.alerts.services import open_alerts

    return [
        AlertLine(
            severity=str(a.severity),
            severity_label=str(a.get_severity_display()),
            status=str(a.status),
            status_label=str(a.get_status_display()),
            text=a.describe(),
            opened_at=a.opened_at,
        )
        for a in open_alerts(dash.user, dash.region)[:LIST_LIMIT]
    ]


def _incident(incident: Any, now: datetime) -> IncidentLine:
    return IncidentLine(
        id=incident.pk,
        kind=str(incident.kind),
        kind_label=str(incident.get_kind_display()),
        severity=str(incident.severity),
        severity_label=str(incident.get_severity_display()),
        status=str(incident.status),
        status_label=str(incident.get_status_display()),
        title=incident.title,
        region_name=incident.region.name,
        sites=tuple(link.site.name for link in incident.site_links.all()),
        opened_at=incident.opened_at,
        resolved_at=incident.resolved_at,
        open_hours=incident.time_open(now) / timedelta(hours=1),
    )


def _open_incidents(dash: services.DashboardScope, now: datetime) -> tuple[list[IncidentLine], int]:
    from oxyflow.incidents.services import open_incidents

    found = open_incidents(dash.user, dash.region)
    return [_incident(i, now) for i in found[:LIST_LIMIT]], found.count()


def _resolved_incidents(
    dash: services.DashboardScope, day: date, now: datetime
) -> list[IncidentLine]:
    """Incidents resolved during the local ``day`` (and not reopened since)."""
    from oxyflow.incidents.services import in_region, visible_incidents

    start, end = _calendar(dash).day_bounds(day)
    found = in_region(visible_incidents(dash.user), dash.region).filter(
        resolved_at__gte=start, resolved_at__lt=end
    )
    return [_incident(i, now) for i in found[:LIST_LIMIT]]


def deliveries_note() -> str:
    """What the report says of deliveries until shipments are tracked."""
    return gettext("Deliveries are not tracked yet: they will appear here with shipment tracking.")


def outlook_basis(report: SituationReport) -> str:
    """How the census outlook was made, in words, for all renderings."""
    census = report.census
    if census.too_few:
        return gettext(
            "Too few reports to project: %(observed)s of the last %(days)s days have a "
            "report; a projection needs %(needed)s."
        ) % {
            "observed": census.observed_days,
            "days": census.history_days,
            "needed": census.needed_days,
        }
    models = {
        "damped": gettext("a damped trend"),
        "drift": gettext("the recent growth rate"),
        "persistence": gettext("the last count carried forward"),
    }
    text = gettext(
        "Patients on oxygen summed over the facilities that reported each day "
        "(%(observed)s of the last %(days)s days), projected with %(model)s; "
        "low–high is the %(pct)s %% interval."
    ) % {
        "observed": census.observed_days,
        "days": census.history_days,
        "model": models.get(census.model, census.model),
        "pct": census.interval_percent,
    }
    if census.facilities_reporting_min != census.facilities_reporting_max:
        text += " " + gettext(
            "Between %(low)s and %(high)s facilities reported on those days: a day with "
            "fewer reports counts fewer patients, which bends the projection."
        ) % {"low": census.facilities_reporting_min, "high": census.facilities_reporting_max}
    if census.last_patients:
        text += " " + gettext(
            "Demand ≈ %(demand)s Nm³/day now (census-based, latest reports) × projected "
            "patients ÷ %(patients)s patients on %(day)s."
        ) % {
            "demand": _n(census.current_demand_nm3_per_day),
            "patients": _n(census.last_patients),
            "day": date_format(census.last_day, "DATE_FORMAT") if census.last_day else "—",
        }
    else:
        text += " " + gettext("No patient on the last reported day: no demand is implied.")
    return text
