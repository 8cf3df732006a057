"""Condition sources: each judges a set of sites for one kind of alert.

A source looks at many sites at once (a handful of queries, whatever their number) and
answers, per site it could judge, either a :class:`Finding` (the condition holds: open
or keep the alert) or a :class:`Clear` (it does not: resolve an open alert, saying
why). A site it cannot judge (no data yet) is left out of the answer and its alert, if
any, stays as it is.

The sources, in :data:`SOURCES`:

- :class:`AutonomySource` — hours of autonomy left at ``now`` (from the facility's
  status, declining with time between reports);
- :class:`ReportLateSource` — today's report (or yesterday's) missing past its deadline;
- :class:`ProductionSource` — a producer's latest day below its baseline;
- :class:`PlausibilitySource` — the latest facility report has flags not yet reviewed.

Delivery overdue arrives with shipments: a ``DeliverySource`` judging the facilities
whose expected delivery is past will be added here, with its kind in
:class:`~oxyflow.alerts.models.AlertKind`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final, Protocol

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from oxyflow.alerts.models import AlertKind
from oxyflow.core import alerting
from oxyflow.core.reporting import ReportStatus
from oxyflow.registry import models as reg
from oxyflow.reporting import calendar, status
from oxyflow.reporting.models import FacilityStatus, ProducerReport, ProducerReportLine

# Days of a producer's earlier reports its recent average is taken over, and how many
# of them it needs before the average replaces the declared capacity as the baseline.
BASELINE_DAYS: Final = 7
BASELINE_MIN_REPORTS: Final = 3
# A producer's latest report older than this is not judged (the late-report alert is).
PRODUCTION_STALE_DAYS: Final = 3


@dataclass(frozen=True)
class Finding:
    """The condition holds: how severe, the measure with its unit, and why."""

    severity: alerting.Severity
    value: float
    unit: str
    basis: str
    condition_key: str


@dataclass(frozen=True)
class Clear:
    """The condition does not hold; ``reason`` ends up in an open alert's resolution."""

    reason: str


Judgement = Finding | Clear


class ConditionSource(Protocol):
    """What the engine asks of a source (see the module's list)."""

    kind: AlertKind
    site_kinds: tuple[str, ...]

    def judge(
        self,
        sites: Sequence[reg.Site],
        rules: Mapping[int, alerting.Thresholds],
        now: datetime,
    ) -> dict[int, Judgement]:
        """Site pk → judgement, for the sites of ``sites`` this source can judge."""
        ...


def _h(hours: float) -> str:
    return f"{number_format(round(hours, 1), 1)} h"


class AutonomySource:
    kind = AlertKind.AUTONOMY
    site_kinds = (reg.SiteKind.FACILITY,)

    def judge(
        self,
        sites: Sequence[reg.Site],
        rules: Mapping[int, alerting.Thresholds],
        now: datetime,
    ) -> dict[int, Judgement]:
        result: dict[int, Judgement] = {}
        for row in FacilityStatus.objects.filter(facility_id__in=[s.pk for s in sites]):
            rule = rules[row.facility_id]
            hours = status.hours_left(row, now)
            severity = alerting.autonomy_severity(hours, rule)
            if severity is None:
                result[row.facility_id] = Clear(
                    _("autonomy %(hours)s, not below %(limit)s")
                    % {"hours": _h(hours), "limit": _h(rule.autonomy_warning_hours)}
                )
                continue
            limit = (
                rule.autonomy_critical_hours
                if severity == alerting.Severity.CRITICAL
                else rule.autonomy_warning_hours
            )
            basis = _(
                "%(hours)s of oxygen left at %(now)s (below %(limit)s): %(computed)s h as of "
                "%(as_of)s, limited by %(factor)s. %(basis)s"
            ) % {
                "hours": _h(hours),
                "now": f"{now:%Y-%m-%d %H:%M} UTC",
                "limit": _h(limit),
                "computed": number_format(round(row.autonomy_hours, 1), 1),
                "as_of": f"{row.as_of:%Y-%m-%d %H:%M} UTC",
                "factor": row.limiting_factor,
                "basis": row.autonomy_basis,
            }
            result[row.facility_id] = Finding(severity, round(hours, 2), "h", basis, "autonomy")
        return result


class PlausibilitySource:
    kind = AlertKind.PLAUSIBILITY
    site_kinds = (reg.SiteKind.FACILITY,)

    def judge(
        self,
        sites: Sequence[reg.Site],
        rules: Mapping[int, alerting.Thresholds],
        now: datetime,
    ) -> dict[int, Judgement]:
        result: dict[int, Judgement] = {}
        rows = FacilityStatus.objects.filter(facility_id__in=[s.pk for s in sites]).values_list(
            "facility_id",
            "report_id",
            "report__flags",
            "report__reviewed_at",
            "report__report_date",
        )
        for facility_id, report_id, flags, reviewed_at, day in rows:
            if not rules[facility_id].plausibility:
                result[facility_id] = Clear(_("alerts on implausible reports are turned off"))
            elif flags and reviewed_at is None:
                messages = "; ".join(str(f.get("message", f.get("code", ""))) for f in flags)
                basis = _("Report of %(day)s: %(messages)s") % {
                    "day": day.isoformat(),
                    "messages": messages,
                }
                result[facility_id] = Finding(
                    alerting.Severity.WARNING,
                    float(len(flags)),
                    "flags",
                    basis,
                    f"report:{report_id}",
                )
            else:
                result[facility_id] = Clear(_("the latest report has no flag left to review"))
        return result


class ReportLateSource:
    kind = AlertKind.REPORT_LATE
    site_kinds = (reg.SiteKind.FACILITY, reg.SiteKind.PRODUCER)

    def judge(
        self,
        sites: Sequence[reg.Site],
        rules: Mapping[int, alerting.Thresholds],
        now: datetime,
    ) -> dict[int, Judgement]:
        result: dict[int, Judgement] = {}
        judged = [s for s in sites if rules[s.pk].report_late]
        for site in sites:
            if not rules[site.pk].report_late:
                result[site.pk] = Clear(_("alerts on late reports are turned off"))
        today = calendar.statuses(judged, None, now)
        # Before today's deadline, yesterday's missing report still counts: the alert
        # does not close at midnight only to open again at the deadline.
        earlier: dict[date, list[reg.Site]] = defaultdict(list)
        for site_day in today:
            if site_day.status == ReportStatus.MISSING:
                result[site_day.site.pk] = self._finding(site_day, now)
            elif site_day.status in (ReportStatus.PENDING, ReportStatus.NOT_DUE):
                earlier[site_day.day - timedelta(days=1)].append(site_day.site)
            else:
                result[site_day.site.pk] = Clear(
                    _("the report for %(day)s arrived") % {"day": site_day.day.isoformat()}
                )
        for day, group in earlier.items():
            for site_day in calendar.statuses(group, day, now):
                if site_day.status == ReportStatus.MISSING:
                    result[site_day.site.pk] = self._finding(site_day, now)
                else:
                    result[site_day.site.pk] = Clear(_("no report is overdue"))
        return result

    @staticmethod
    def _finding(site_day: calendar.SiteDay, now: datetime) -> Finding:
        overdue = (now - site_day.deadline) / timedelta(hours=1)
        basis = _("The report for %(day)s was due by %(deadline)s (%(zone)s).") % {
            "day": site_day.day.isoformat(),
            "deadline": f"{site_day.local_deadline:%Y-%m-%d %H:%M}",
            "zone": f"{site_day.time_zone}, {site_day.utc_offset}",
        }
        return Finding(
            alerting.Severity.WARNING,
            round(overdue, 2),
            "h",
            basis,
            f"report:{site_day.day.isoformat()}",
        )


class ProductionSource:
    """A producer's latest day against its baseline, product by product; the worst
    product decides. Baseline: the average of the previous :data:`BASELINE_DAYS` days'
    reports when there are at least :data:`BASELINE_MIN_REPORTS`, else the declared
    capacity per day (registry); with neither, the product is not judged."""

    kind = AlertKind.PRODUCTION_DOWN
    site_kinds = (reg.SiteKind.PRODUCER,)

    def judge(
        self,
        sites: Sequence[reg.Site],
        rules: Mapping[int, alerting.Thresholds],
        now: datetime,
    ) -> dict[int, Judgement]:
        ids = [s.pk for s in sites]
        since = now.date() - timedelta(days=BASELINE_DAYS + PRODUCTION_STALE_DAYS + 1)
        reports = list(
            ProducerReport.objects.filter(
                producer_id__in=ids, is_current=True, report_date__gte=since
            )
            .order_by("producer_id", "-report_date")
            .values_list("pk", "producer_id", "report_date")
        )
        by_producer: dict[int, list[tuple[int, date]]] = defaultdict(list)
        for pk, producer_id, day in reports:
            by_producer[producer_id].append((pk, day))
        produced: dict[int, dict[int, Decimal]] = defaultdict(dict)  # report → product → qty
        names: dict[int, tuple[str, str]] = {}
        for report_id, product_id, qty, code, unit in ProducerReportLine.objects.filter(
            report_id__in=[r[0] for r in reports]
        ).values_list("report_id", "product_id", "produced", "product__code", "unit"):
            produced[report_id][product_id] = qty
            names[product_id] = (code, unit)
        capacity = {
            (c.producer_id, c.product_id): c.capacity_per_day
            for c in reg.ProducerCapacity.objects.filter(producer_id__in=ids)
        }
        stale = now.date() - timedelta(days=PRODUCTION_STALE_DAYS)
        result: dict[int, Judgement] = {}
        for producer_id, history in by_producer.items():
            latest_id, latest_day = history[0]
            if latest_day < stale:
                continue
            rule = rules[producer_id]
            worst: tuple[float, str] | None = None
            for product_id, qty in produced[latest_id].items():
                earlier = [
                    produced[pk][product_id]
                    for pk, _day in history[1 : BASELINE_DAYS + 1]
                    if product_id in produced[pk]
                ]
                code, unit = names[product_id]
                if len(earlier) >= BASELINE_MIN_REPORTS:
                    baseline = float(sum(earlier)) / len(earlier)
                    against = _("the average of the %(n)s days before, %(value)s %(unit)s") % {
                        "n": len(earlier),
                        "value": number_format(round(baseline, 1), 1),
                        "unit": unit,
                    }
                elif (producer_id, product_id) in capacity:
                    baseline = float(capacity[(producer_id, product_id)])
                    against = _("the declared capacity, %(value)s %(unit)s/day") % {
                        "value": number_format(round(baseline, 1), 1),
                        "unit": unit,
                    }
                else:
                    continue
                drop = alerting.production_drop_pct(float(qty), baseline)
                if drop is None:
                    continue
                text = _("%(product)s: %(qty)s %(unit)s on %(day)s against %(against)s") % {
                    "product": code,
                    "qty": number_format(round(float(qty), 1), 1),
                    "unit": unit,
                    "day": latest_day.isoformat(),
                    "against": against,
                }
                if worst is None or drop > worst[0]:
                    worst = (drop, text)
            if worst is None:
                continue
            severity = alerting.production_severity(worst[0], rule)
            if severity is None:
                result[producer_id] = Clear(
                    _("production down %(drop)s %%, not more than %(limit)s %%")
                    % {
                        "drop": number_format(round(worst[0], 1), 1),
                        "limit": number_format(rule.production_drop_pct, 0),
                    }
                )
            else:
                result[producer_id] = Finding(
                    severity, round(worst[0], 1), "%", worst[1], f"report:{latest_id}"
                )
        return result


SOURCES: tuple[ConditionSource, ...] = (
    AutonomySource(),
    PlausibilitySource(),
    ReportLateSource(),
    ProductionSource(),
)
