"""The reporting calendar: which sites owe a daily report, and where each one stands.

The ORM side of :mod:`oxyflow.core.reporting`: each site's rule is the nearest
:class:`~oxyflow.reporting.models.ReportingRule` up the region tree (as
:func:`oxyflow.reporting.services.reporting_rule` decides, here for many sites at once),
its calendar its country's (weekends and public holidays, through
:class:`~oxyflow.core.calendars.WorkingCalendar`), and its report's arrival the first
version's ``first_received_at`` — a correction never makes an on-time report late.

Only active facilities and producers report; depots never do. A site retired on a day
no longer reports from that day on.

Every function reads the reports of many sites in one query, whatever their number, so
a dashboard may call them for a whole country.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from oxyflow.core import reporting as rules
from oxyflow.core.reporting import ReportStatus
from oxyflow.registry import models as reg
from oxyflow.reporting import services
from oxyflow.reporting.models import FacilityReport, ProducerReport, ReportingRule

# The kinds of site that send a daily report.
REPORTING_KINDS: tuple[str, ...] = (reg.SiteKind.FACILITY, reg.SiteKind.PRODUCER)
# Statuses of a site that has not (or not on time) sent its report.
OUTSTANDING: frozenset[ReportStatus] = frozenset({ReportStatus.PENDING, ReportStatus.MISSING})
BEHIND: frozenset[ReportStatus] = frozenset({ReportStatus.LATE, ReportStatus.MISSING})


@dataclass(frozen=True)
class SiteDay:
    """Where one site's report for one local day stands at a given instant.

    ``deadline`` is the UTC instant of the day's deadline (given even when no report is
    due); ``received_at`` the arrival of the report's first version, or ``None``.
    """

    site: reg.Site
    day: date
    status: ReportStatus
    rule: rules.ReportingRule
    time_zone: str
    deadline: datetime
    received_at: datetime | None

    @property
    def local_deadline(self) -> datetime:
        """The deadline in the site's time zone."""
        return self.deadline.astimezone(ZoneInfo(self.time_zone))

    @property
    def utc_offset(self) -> str:
        """The zone's offset from UTC at the deadline, as ``UTC+01:00``."""
        offset = self.local_deadline.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else 0
        sign = "+" if minutes >= 0 else "-"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    @property
    def outstanding(self) -> bool:
        """Due and not received (yet)."""
        return self.status in OUTSTANDING


def reporting_sites(
    region: reg.Region | None = None, *, on: date | None = None
) -> models.QuerySet[reg.Site]:
    """Facilities and producers that report, in ``region`` and below (else everywhere).

    ``on``: keep the sites still active on that local day (retired later or never);
    without it, only sites not retired at all.
    """
    retired = Q(retired_on__isnull=True)
    if on is not None:
        retired |= Q(retired_on__gt=on)
    sites = reg.Site.objects.filter(retired, kind__in=REPORTING_KINDS).select_related("region")
    if region is not None:
        sites = sites.filter(region__path__startswith=region.path)
    return sites.order_by("region__path", "code")


def _reports(site: reg.Site, day: date) -> bool:
    return site.kind in REPORTING_KINDS and (site.retired_on is None or site.retired_on > day)


def _ancestor_codes(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


def rules_for(sites: Iterable[reg.Site]) -> dict[int, rules.ReportingRule]:
    """Each site's rule (site pk → rule), from the nearest region up that has one.

    One query for all sites; the same answer as ``services.reporting_rule`` site by site.
    """
    sites = list(sites)
    by_path = rules_by_path({site.region.path for site in sites})
    return {site.pk: by_path[site.region.path] for site in sites}


def rules_by_path(paths: Iterable[str]) -> dict[str, rules.ReportingRule]:
    """The rule of a site placed at each region path (one query for all of them)."""
    paths = set(paths)
    codes = {code for path in paths for code in _ancestor_codes(path)}
    found = {
        code: rules.ReportingRule(deadline, on_weekends, on_holidays)
        for code, deadline, on_weekends, on_holidays in ReportingRule.objects.filter(
            region__code__in=codes
        ).values_list("region__code", "deadline", "on_weekends", "on_holidays")
    }
    return {
        path: next(
            (found[c] for c in reversed(_ancestor_codes(path)) if c in found),
            rules.ReportingRule(),
        )
        for path in paths
    }


def status_counts(
    sites: models.QuerySet[reg.Site], day: date, now: datetime
) -> dict[ReportStatus, int]:
    """``counts(statuses(sites, day, now))`` without loading a site: for a whole country.

    One query of (region path, kind, retired on, first arrival) per site — the arrival a
    subquery on the reports' (site, day, version) index — then the rule and the calendar
    once per region path.
    """

    def first(model: type[models.Model], site_field: str) -> Subquery:
        return Subquery(
            model._default_manager.filter(
                **{site_field: OuterRef("pk")}, report_date=day, version=1
            )
            .order_by()
            .values("first_received_at")[:1]
        )

    rows = list(
        sites.select_related(None)
        .order_by()
        .annotate(
            received=Coalesce(
                first(FacilityReport, "facility_id"), first(ProducerReport, "producer_id")
            )
        )
        # pk first: the queryset may be DISTINCT (scopes.visible).
        .values_list("pk", "region__path", "kind", "retired_on", "received")
    )
    paths = {path for _pk, path, _kind, _retired, _at in rows}
    site_rules = rules_by_path(paths)
    calendars = {
        path: services.site_calendar(reg.Site(region=reg.Region(path=path))) for path in paths
    }
    seen = Counter(
        rules.report_status(site_rules[path], calendars[path], day, received_at=received, now=now)
        for _pk, path, kind, retired_on, received in rows
        if kind in REPORTING_KINDS and (retired_on is None or retired_on > day)
    )
    return {status: seen.get(status, 0) for status in ReportStatus}


def first_received(
    sites: Iterable[reg.Site], days: Iterable[date]
) -> dict[tuple[int, date], datetime]:
    """When the first version of each site's report of each day arrived.

    (site pk, day) → instant, for the pairs that have a report; one query (a union of
    facility and producer reports).
    """
    facility_ids = [s.pk for s in sites if s.kind == reg.SiteKind.FACILITY]
    producer_ids = [s.pk for s in sites if s.kind == reg.SiteKind.PRODUCER]
    days = sorted(set(days))
    if not days or not (facility_ids or producer_ids):
        return {}
    # order_by() drops the models' default ordering, which a compound query refuses.
    facility_rows = (
        FacilityReport.objects.filter(facility_id__in=facility_ids, report_date__in=days, version=1)
        .order_by()
        .values_list("facility_id", "report_date", "first_received_at")
    )
    producer_rows = (
        ProducerReport.objects.filter(producer_id__in=producer_ids, report_date__in=days, version=1)
        .order_by()
        .values_list("producer_id", "report_date", "first_received_at")
    )
    rows = facility_rows.union(producer_rows, all=True)
    # A facility and a producer never share a primary key: both extend Site.
    return {(site_id, day): received for site_id, day, received in rows}


def statuses(sites: Iterable[reg.Site], day: date | None, now: datetime) -> list[SiteDay]:
    """Each reporting site's status for local ``day`` at the aware instant ``now``.

    ``day`` ``None``: each site's current day in its own time zone. Sites that do not
    report that day (depots, sites retired by then) are left out; the order of
    ``sites`` is kept. Load sites with ``select_related("region")``.
    """
    days: dict[int, date] = {}
    calendars = {}
    kept: list[reg.Site] = []
    for site in sites:
        calendar = services.site_calendar(site)
        site_day = day if day is not None else calendar.local_date(now)
        if not _reports(site, site_day):
            continue
        kept.append(site)
        days[site.pk] = site_day
        calendars[site.pk] = calendar
    site_rules = rules_for(kept)
    received = first_received(kept, days.values())
    result = []
    for site in kept:
        calendar, rule, site_day = calendars[site.pk], site_rules[site.pk], days[site.pk]
        arrived = received.get((site.pk, site_day))
        result.append(
            SiteDay(
                site=site,
                day=site_day,
                status=rules.report_status(rule, calendar, site_day, received_at=arrived, now=now),
                rule=rule,
                time_zone=calendar.time_zone,
                deadline=rules.deadline_at(rule, calendar, site_day),
                received_at=arrived,
            )
        )
    return result


def region_statuses(region: reg.Region, day: date | None, now: datetime) -> list[SiteDay]:
    """:func:`statuses` of the reporting sites of ``region`` and below."""
    # Without a day, a lower bound of every local "today" (zones are within a day of
    # UTC); statuses() then keeps exactly the sites that report on their own day.
    on = day if day is not None else now.date() - timedelta(days=1)
    return statuses(reporting_sites(region, on=on), day, now)


def late_sites(region: reg.Region, now: datetime) -> list[SiteDay]:
    """Sites of ``region`` and below whose report for today (local) is missing or late."""
    return [s for s in region_statuses(region, None, now) if s.status in BEHIND]


def missing_sites(region: reg.Region, now: datetime) -> list[SiteDay]:
    """Sites of ``region`` and below whose report for today is past its deadline."""
    return [s for s in region_statuses(region, None, now) if s.status == ReportStatus.MISSING]


def counts(site_days: Sequence[SiteDay]) -> dict[ReportStatus, int]:
    """How many sites are in each status (every status present, zero included)."""
    found = Counter(s.status for s in site_days)
    return {status: found.get(status, 0) for status in ReportStatus}
