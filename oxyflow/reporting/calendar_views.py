"""The coordinator's page of daily reports not received: who to call, and a way in.

Lists, per region, the sites of the user's scope whose report for a day is missing,
late or still pending, with the deadline in the site's local time and zone, the
contacts' phone numbers and a link to enter the report on the site's behalf.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from oxyflow.accounts import scopes
from oxyflow.core.reporting import ReportStatus
from oxyflow.registry import models as reg
from oxyflow.reporting import calendar, views

# In the order the page shows them, most urgent first; the words of the report pages.
STATUS_LABELS: dict[ReportStatus, str] = {
    status: capfirst(views.STATUS_LABELS[status])
    for status in (
        ReportStatus.MISSING,
        ReportStatus.LATE,
        ReportStatus.PENDING,
        ReportStatus.ON_TIME,
        ReportStatus.NOT_DUE,
    )
}
# The statuses listed site by site, most urgent first; the others are only counted.
LISTED = (ReportStatus.MISSING, ReportStatus.LATE, ReportStatus.PENDING)
STATUS_CSS = {ReportStatus.MISSING: "gap", ReportStatus.LATE: "retired"}


def entry_url(site: reg.Site, day: date) -> str:
    """Where a coordinator enters a site's report for ``day`` on its behalf."""
    return f"/reports/{site.kind}/{quote(site.code)}/new/?{urlencode({'date': day.isoformat()})}"


@dataclass(frozen=True)
class Row:
    site_day: calendar.SiteDay
    label: str
    css: str
    deadline: str
    received: str
    contacts: list[reg.Contact]
    entry_url: str


def _local_time(instant: datetime, zone: str, day: date) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%H:%M}" if local.date() == day else f"{local:%Y-%m-%d %H:%M}"


def _parse_day(raw: str, today: date) -> tuple[date | None, str]:
    """The requested day, or ``None`` (today) with the reason it was refused."""
    if not raw:
        return None, ""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return None, _("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": raw}
    if day > today:
        return None, _("%(day)s is in the future; showing today.") % {"day": day.isoformat()}
    return day, ""


@login_required
def missing_reports(request: HttpRequest) -> HttpResponse:
    scope = scopes.scope_for(request.user)
    if scope.role is None and not scope.superuser:
        raise Http404
    now = timezone.now()
    # Local days are at most a day ahead of UTC: a date beyond that is in the future.
    day, error = _parse_day(request.GET.get("date", ""), now.date() + timedelta(days=1))
    sites = calendar.reporting_sites(on=day or now.date() - timedelta(days=1))
    sites = scopes.visible(sites, request.user)
    if scope.regional and scope.region_path:
        # Suppliers outside the region are visible for context; its coordinator calls them.
        sites = sites.filter(region__path__startswith=scope.region_path)
    regions = scopes.visible(reg.Region.objects.active(), request.user).exclude(
        level=reg.RegionLevel.COMMUNE
    )
    region_code = request.GET.get("region", "")
    if region_code:
        root = regions.filter(code=region_code).first()
        if root is None:
            region_code = ""
        else:
            sites = sites.filter(region__path__startswith=root.path)
    site_days = calendar.statuses(sites, day, now)
    listed = [s for s in site_days if s.status in LISTED]
    ids = [s.site.pk for s in listed]
    contacts: dict[int, list[reg.Contact]] = defaultdict(list)
    for contact in reg.Contact.objects.filter(site_id__in=ids).exclude(phone=""):
        contacts[contact.site_id].append(contact)
    can_enter = set(
        scopes.editable(reg.Site.objects.filter(pk__in=ids), request.user).values_list(
            "pk", flat=True
        )
    )
    groups: dict[int, list[Row]] = defaultdict(list)
    urgency = {status: i for i, status in enumerate(LISTED)}
    for s in sorted(listed, key=lambda s: (s.site.region.path, urgency[s.status], s.site.code)):
        groups[s.site.region_id].append(
            Row(
                site_day=s,
                label=str(STATUS_LABELS[s.status]),
                css=STATUS_CSS.get(s.status, ""),
                deadline=_local_time(s.deadline, s.time_zone, s.day),
                received=_local_time(s.received_at, s.time_zone, s.day) if s.received_at else "",
                contacts=contacts[s.site.pk],
                entry_url=entry_url(s.site, s.day)
                if s.outstanding and s.site.pk in can_enter
                else "",
            )
        )
    days = sorted({s.day for s in site_days})
    found = calendar.counts(site_days)
    context: dict[str, Any] = {
        "day": day,
        "days": days,
        "date_value": (day or (days[-1] if days else now.date())).isoformat(),
        "error": error,
        "regions": regions,
        "region_code": region_code,
        "counts": [(status, label, found[status]) for status, label in STATUS_LABELS.items()],
        "total": len(site_days),
        "groups": [
            {"region": rows[0].site_day.site.region, "rows": rows} for rows in groups.values()
        ],
    }
    return render(request, "reporting/missing.html", context)
