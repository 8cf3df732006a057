"""The alert engine: judge sites, open / upgrade / resolve alerts, escalate, plan messages.

Entry points:

- :func:`evaluate_facilities` and :func:`evaluate_producers` — after reports are stored,
  in the same transaction (the report paths call :func:`after_facility_reports` and
  :func:`after_producer_report`, which never refuse a report over an alert);
- :func:`evaluate_all` — the scheduled task, every few minutes: autonomy declining
  with time between reports, reports going late, escalations due, messages pending.

Work is per set of sites: the sites are locked (in primary-key order, as report
storing locks them, so neither waits on the other in a cycle), every source judges the
whole set in a few queries, and alerts, events and notifications are written in bulk.
Evaluating twice at the same instant changes nothing; an alert is the only open one of
its kind for its site (also enforced by a partial unique constraint).

Messages are planned as :class:`~oxyflow.alerts.models.Notification` rows in the
transaction and sent after it commits (:mod:`oxyflow.alerts.notifications`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from oxyflow.alerts import escalation
from oxyflow.alerts.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertEvent,
    AlertKind,
    AlertStatus,
    Channel,
    EventKind,
    Notification,
    Severity,
)
from oxyflow.alerts.rules import thresholds_for
from oxyflow.alerts.sources import SOURCES, Clear, ConditionSource, Finding
from oxyflow.core import alerting
from oxyflow.registry import models as reg

logger = logging.getLogger(__name__)

# Sites evaluated per transaction by the scheduled run.
CHUNK = 500
# Kinds whose site-level messages another module already sends: the report reminders
# (oxyflow.reporting.reminders) write to the site's people and its coordinators about a
# missing report. Such alerts are listed, and messaged only if they escalate.
SILENT_AT_SITE = frozenset({AlertKind.REPORT_LATE})
_UPDATED_FIELDS = [
    "severity",
    "severity_since",
    "value",
    "unit",
    "basis",
    "condition_key",
    "escalation_level",
    "escalation_step",
    "escalated_at",
    "status",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolution",
]


@dataclass
class Summary:
    """What one evaluation did (counts)."""

    opened: int = 0
    upgraded: int = 0
    downgraded: int = 0
    resolved: int = 0
    escalated: int = 0
    notifications: int = 0

    def add(self, other: Summary) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# ------------------------------------------------------------------------ entry points


def evaluate_facilities(facility_ids: Iterable[int], *, now: datetime) -> Summary:
    """Evaluate every condition of these facilities at ``now``; messages go out after commit."""
    summary = evaluate_sites(facility_ids, now=now)
    if summary.notifications:
        transaction.on_commit(_enqueue_sending)
    return summary


def evaluate_producers(producer_ids: Iterable[int], *, now: datetime) -> Summary:
    """Evaluate every condition of these producers at ``now``; messages go out after commit."""
    return evaluate_facilities(producer_ids, now=now)


def evaluate_all(*, now: datetime, send: bool = True) -> Summary:
    """Evaluate every reporting site and every open alert at ``now``, then send messages
    (``send=False`` leaves them queued for the worker).

    The scheduled task. One transaction per :data:`CHUNK` sites; safe to run twice or
    concurrently with report submissions.
    """
    from oxyflow.alerts import notifications

    ids = set(
        reg.Site.objects.filter(
            kind__in=(reg.SiteKind.FACILITY, reg.SiteKind.PRODUCER)
        ).values_list("pk", flat=True)
    )
    ids |= set(Alert.objects.filter(status__in=ACTIVE_STATUSES).values_list("site_id", flat=True))
    ordered = sorted(ids)
    summary = Summary()
    for start in range(0, len(ordered), CHUNK):
        summary.add(evaluate_sites(ordered[start : start + CHUNK], now=now))
    if send:
        notifications.send_pending(now=now)
    return summary


def after_facility_reports(facility_ids: Iterable[int], *, now: datetime) -> None:
    """The report path's hook: evaluate, but never refuse stored reports over an alert.

    A failure is logged and rolled back to a savepoint; the next scheduled run
    evaluates these facilities again.
    """
    ids = list(facility_ids)
    if not ids:
        return
    try:
        with transaction.atomic():
            evaluate_facilities(ids, now=now)
    except Exception:
        logger.exception("alert evaluation failed for facilities %s; the next run retries", ids)


def after_producer_report(producer_id: int, *, now: datetime) -> None:
    """The producer report path's hook (see :func:`after_facility_reports`)."""
    after_facility_reports([producer_id], now=now)


def _enqueue_sending() -> None:
    from oxyflow.alerts import tasks

    try:
        tasks.send_notifications.enqueue()
    except Exception:
        logger.exception("could not enqueue sending alert notifications")


# ------------------------------------------------------------------------ evaluation


def evaluate_sites(
    site_ids: Iterable[int],
    *,
    now: datetime,
    sources: Sequence[ConditionSource] = SOURCES,
) -> Summary:
    """Judge ``site_ids`` with every source and bring their alerts up to date, in one
    transaction; plan the messages due. Returns what changed."""
    ids = sorted(set(site_ids))
    summary = Summary()
    if not ids:
        return summary
    with transaction.atomic():
        sites = list(
            reg.Site.objects.select_for_update(of=("self",))
            .select_related("region")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        rules = thresholds_for(sites)
        today = now.date()
        live = [s for s in sites if s.retired_on is None or s.retired_on > today]
        active = {
            (a.kind, a.site_id): a
            for a in Alert.objects.select_for_update(of=("self",)).filter(
                site_id__in=ids, status__in=ACTIVE_STATUSES
            )
        }
        changed: dict[int, Alert] = {}
        events: list[AlertEvent] = []
        created: list[Alert] = []
        notify: dict[tuple[str, int], set[int]] = {}  # (kind, site) → steps to notify
        for source in sources:
            judged = [s for s in live if s.kind in source.site_kinds]
            if not judged:
                continue
            for site_id, judgement in source.judge(judged, rules, now).items():
                alert = active.get((source.kind, site_id))
                if isinstance(judgement, Finding):
                    if alert is None:
                        created.append(_new_alert(source.kind, site_id, judgement, now))
                        summary.opened += 1
                    else:
                        _update(alert, judgement, now, changed, events, notify, summary)
                elif alert is not None:
                    _close(alert, judgement, now, changed, events, summary)
        retired = {s.pk for s in sites} - {s.pk for s in live}
        for (_kind, site_id), alert in active.items():
            if site_id in retired and alert.status != AlertStatus.RESOLVED:
                _close(alert, Clear(_("the site is retired")), now, changed, events, summary)
        Alert.objects.bulk_create(created)
        for alert in created:
            active[(alert.kind, alert.site_id)] = alert
            events.append(AlertEvent(alert=alert, kind=EventKind.OPENED, at=now, text=alert.basis))
            notify[(alert.kind, alert.site_id)] = {0}
        _escalate(active, sites, rules, now, changed, events, notify, summary)
        if changed:
            Alert.objects.bulk_update(list(changed.values()), _UPDATED_FIELDS)
        plan = _plan(active, notify, sites, now, events)
        AlertEvent.objects.bulk_create(events)
        if plan:
            summary.notifications = len(
                Notification.objects.bulk_create(plan, ignore_conflicts=True)
            )
    return summary


def _new_alert(kind: str, site_id: int, finding: Finding, now: datetime) -> Alert:
    return Alert(
        kind=kind,
        severity=finding.severity.value,
        site_id=site_id,
        condition_key=finding.condition_key,
        value=finding.value,
        unit=finding.unit,
        basis=finding.basis,
        opened_at=now,
        severity_since=now,
    )


def _update(
    alert: Alert,
    finding: Finding,
    now: datetime,
    changed: dict[int, Alert],
    events: list[AlertEvent],
    notify: dict[tuple[str, int], set[int]],
    summary: Summary,
) -> None:
    old = alerting.Severity(alert.severity)
    new = finding.severity
    if new != old:
        upgrade = alerting.is_upgrade(old, new)
        alert.severity = new.value
        alert.severity_since = now
        events.append(
            AlertEvent(
                alert=alert,
                kind=EventKind.UPGRADED if upgrade else EventKind.DOWNGRADED,
                at=now,
                level=alert.escalation_level,
                text=_("%(old)s → %(new)s: %(basis)s")
                % {
                    "old": Severity(old.value).label,
                    "new": Severity(new.value).label,
                    "basis": finding.basis,
                },
            )
        )
        if upgrade:
            summary.upgraded += 1
            if alert.status == AlertStatus.ACKNOWLEDGED:
                # Taking charge of a warning is not taking charge of a critical alert: it
                # opens again, so it is announced and escalates (the acknowledgement
                # stays in the history).
                alert.status = AlertStatus.OPEN
                alert.acknowledged_at = None
                alert.acknowledged_by = None
                events.append(
                    AlertEvent(
                        alert=alert,
                        kind=EventKind.REOPENED,
                        at=now,
                        level=alert.escalation_level,
                        text=_("Open again: it became critical after it was acknowledged."),
                    )
                )
            # Everyone the alert has reached hears that it became critical.
            notify[(alert.kind, alert.site_id)] = set(range(alert.escalation_step + 1))
        else:
            summary.downgraded += 1
        changed[alert.pk] = alert
    values = (finding.value, finding.unit, finding.basis, finding.condition_key)
    if values != (alert.value, alert.unit, alert.basis, alert.condition_key):
        alert.value, alert.unit, alert.basis, alert.condition_key = values
        changed[alert.pk] = alert


def _close(
    alert: Alert,
    clear: Clear,
    now: datetime,
    changed: dict[int, Alert],
    events: list[AlertEvent],
    summary: Summary,
) -> None:
    note = _("Resolved automatically: %(why)s.") % {"why": clear.reason}
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = now
    alert.resolution = note
    events.append(
        AlertEvent(
            alert=alert, kind=EventKind.RESOLVED, at=now, level=alert.escalation_level, text=note
        )
    )
    changed[alert.pk] = alert
    summary.resolved += 1


def _escalate(
    active: dict[tuple[str, int], Alert],
    sites: Sequence[reg.Site],
    rules: dict[int, alerting.Thresholds],
    now: datetime,
    changed: dict[int, Alert],
    events: list[AlertEvent],
    notify: dict[tuple[str, int], set[int]],
    summary: Summary,
) -> None:
    """Move open alerts up their ladder where the delay has passed unacknowledged."""
    candidates = []
    for alert in active.values():
        if alert.status != AlertStatus.OPEN:
            continue
        rule = rules.get(alert.site_id)
        if rule is None:
            continue
        if alert.severity != Severity.CRITICAL and not rule.escalate_warnings:
            continue
        # The longest ladder has 4 steps; only alerts that may be due need their ladder.
        step = alerting.escalation_step(
            since=alert.severity_since,
            now=now,
            delay=rule.escalation_delay,
            top=len(alerting.Level) - 1,
            acknowledged=False,
            current=alert.escalation_step,
        )
        if step > alert.escalation_step:
            candidates.append(alert)
    if not candidates:
        return
    site_by_id = {s.pk: s for s in sites}
    ladders = escalation.ladders([site_by_id[a.site_id] for a in candidates], now)
    for alert in candidates:
        ladder = ladders[alert.site_id]
        step = alerting.escalation_step(
            since=alert.severity_since,
            now=now,
            delay=rules[alert.site_id].escalation_delay,
            top=len(ladder) - 1,
            acknowledged=False,
            current=alert.escalation_step,
        )
        if step <= alert.escalation_step:
            continue
        steps = notify.setdefault((alert.kind, alert.site_id), set())
        for reached in range(alert.escalation_step + 1, step + 1):
            rung = ladder[reached]
            steps.add(reached)
            events.append(
                AlertEvent(
                    alert=alert,
                    kind=EventKind.ESCALATED,
                    at=now,
                    level=rung.level,
                    text=_("Not acknowledged: escalated to %(level)s%(region)s.")
                    % {
                        "level": rung.level.label,
                        "region": f" ({rung.region.name})" if rung.region else "",
                    },
                )
            )
        alert.escalation_step = step
        alert.escalation_level = ladder[step].level
        alert.escalated_at = now
        changed[alert.pk] = alert
        summary.escalated += 1


def _plan(
    active: dict[tuple[str, int], Alert],
    notify: dict[tuple[str, int], set[int]],
    sites: Sequence[reg.Site],
    now: datetime,
    events: list[AlertEvent],
) -> list[Notification]:
    """The messages owed for the steps just reached (and the fallbacks, in history)."""
    wanted = [
        (active[key], steps)
        for key, steps in notify.items()
        if key in active and active[key].status == AlertStatus.OPEN and steps
    ]
    if not wanted:
        return []
    site_by_id = {s.pk: s for s in sites}
    ladders = escalation.ladders(
        list({a.site_id: site_by_id[a.site_id] for a, _s in wanted}.values()), now
    )
    webhook = settings.OXYFLOW_ALERT_WEBHOOK_URL
    plan: list[Notification] = []
    for alert, steps in wanted:
        ladder = ladders[alert.site_id]
        for step in sorted(steps):
            if step >= len(ladder):
                continue
            rung = ladder[step]
            if step == 0 and alert.kind in SILENT_AT_SITE:
                continue

            if rung.fallback:
                text = (
                    _("Nobody on duty for %(region)s: written to its coordinators instead.")
                    if rung.people
                    else _("Nobody on duty for %(region)s and no coordinator to write to.")
                )
                events.append(
                    AlertEvent(
                        alert=alert,
                        kind=EventKind.FALLBACK,
                        at=now,
                        level=rung.level,
                        text=text % {"region": rung.fallback},
                    )
                )
            recipients: list[tuple[str, str, int | None]] = []
            for person in rung.people:
                if person.email:
                    recipients.append((Channel.EMAIL, person.email, person.user_id))
                if person.phone:
                    recipients.append((Channel.SMS, person.phone, person.user_id))
            if webhook:
                recipients.append((Channel.WEBHOOK, webhook, None))
            plan.extend(
                Notification(
                    alert=alert,
                    level=rung.level,
                    severity=alert.severity,
                    channel=channel,
                    recipient=recipient,
                    user_id=user_id,
                    created_at=now,
                )
                for channel, recipient, user_id in recipients
            )
    return plan
