"""Which alert rule applies to a site: the nearest region up with one, else the settings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings

from oxyflow.alerts.models import AlertRule
from oxyflow.core import alerting
from oxyflow.registry import models as reg


def default_thresholds() -> alerting.Thresholds:
    """The rule for every site no region rule covers (``OXYFLOW_ALERT_*`` settings)."""
    return alerting.Thresholds(
        autonomy_critical_hours=float(settings.OXYFLOW_ALERT_AUTONOMY_CRITICAL_HOURS),
        autonomy_warning_hours=float(settings.OXYFLOW_ALERT_AUTONOMY_WARNING_HOURS),
        production_drop_pct=float(settings.OXYFLOW_ALERT_PRODUCTION_DROP_PCT),
        report_late=settings.OXYFLOW_ALERT_REPORT_LATE,
        plausibility=settings.OXYFLOW_ALERT_PLAUSIBILITY,
        escalation_delay=timedelta(minutes=settings.OXYFLOW_ALERT_ESCALATION_MINUTES),
        escalate_warnings=settings.OXYFLOW_ALERT_ESCALATE_WARNINGS,
    )


def thresholds_of(rule: AlertRule) -> alerting.Thresholds:
    return alerting.Thresholds(
        autonomy_critical_hours=float(rule.autonomy_critical_hours),
        autonomy_warning_hours=float(rule.autonomy_warning_hours),
        production_drop_pct=float(rule.production_drop_pct),
        report_late=rule.report_late,
        plausibility=rule.plausibility,
        escalation_delay=timedelta(minutes=rule.escalation_delay_minutes),
        escalate_warnings=rule.escalate_warnings,
    )


def thresholds_for(sites: Iterable[reg.Site]) -> dict[int, alerting.Thresholds]:
    """Each site's thresholds (site pk → thresholds); one query for any number of sites.

    Load the sites with ``select_related("region")``.
    """
    sites = list(sites)
    codes = {code for s in sites for code in s.region.path.split("/") if code}
    found = {
        rule.region.code: thresholds_of(rule)
        for rule in AlertRule.objects.filter(region__code__in=codes).select_related("region")
    }
    default = default_thresholds()
    result: dict[int, alerting.Thresholds] = {}
    for site in sites:
        chain = reversed([c for c in site.region.path.split("/") if c])
        rule = next((found[c] for c in chain if c in found), None)
        result[site.pk] = rule if rule is not None else default
    return result
