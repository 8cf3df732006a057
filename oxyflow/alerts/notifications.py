"""Sending planned alert messages: email, SMS (through the gateway) and webhook.

:func:`send_pending` sends every pending :class:`~oxyflow.alerts.models.Notification`:
each row is claimed (pending → sending, one conditional update) before its message goes
out, so two runs never send it twice. A failure never raises: it is logged and recorded
on the row, which goes back to pending for the next run until
``OXYFLOW_ALERT_SEND_ATTEMPTS`` tries have failed. Each alert's history gets one
"notified" event per run that sent it something.

Messages are written in the platform's default language (users have no language of
their own yet), as the report reminders are.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from oxyflow.alerts import sms
from oxyflow.alerts.models import (
    Alert,
    AlertEvent,
    AlertStatus,
    Channel,
    EscalationLevel,
    EventKind,
    Notification,
    NotificationStatus,
)
from oxyflow.web.webhooks import post_json

logger = logging.getLogger(__name__)

WEBHOOK_EVENT = "alert.notification"
BATCH = 500
_OUTCOME_MAX_LENGTH = 200
# The measure of each kind of alert, named with its unit, in webhook bodies.
MEASURE_FIELDS = {
    "autonomy": "autonomy_hours",
    "report_late": "overdue_hours",
    "production_down": "production_drop_pct",
    "plausibility": "flag_count",
}


def send_pending(*, now: datetime) -> dict[str, int]:
    """Send every pending notification; return how many were sent and failed."""
    counts = {"sent": 0, "failed": 0}
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    sent_by_alert: dict[int, list[Notification]] = defaultdict(list)
    for pk in ids:
        claimed = Notification.objects.filter(pk=pk, status=NotificationStatus.PENDING).update(
            status=NotificationStatus.SENDING, attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # another run took it
        notification = Notification.objects.select_related("alert__site__region").get(pk=pk)
        overtaken = _overtaken(notification)
        if overtaken:
            notification.status = NotificationStatus.SKIPPED
            notification.outcome = overtaken[:_OUTCOME_MAX_LENGTH]
            notification.save(update_fields=["status", "outcome"])
            counts["skipped"] = counts.get("skipped", 0) + 1
            continue
        outcome, ok = _send(notification, now)
        notification.outcome = outcome[:_OUTCOME_MAX_LENGTH]
        if ok:
            notification.status = NotificationStatus.SENT
            notification.sent_at = now
            counts["sent"] += 1
            sent_by_alert[notification.alert_id].append(notification)
        else:
            counts["failed"] += 1
            retry = notification.attempts < settings.OXYFLOW_ALERT_SEND_ATTEMPTS
            notification.status = NotificationStatus.PENDING if retry else NotificationStatus.FAILED
        notification.save(update_fields=["status", "sent_at", "outcome"])
    AlertEvent.objects.bulk_create(
        AlertEvent(
            alert_id=alert_id,
            kind=EventKind.NOTIFIED,
            at=now,
            level=max(n.level for n in sent),
            text=", ".join(f"{n.get_channel_display()}: {n.recipient}" for n in sent),
        )
        for alert_id, sent in sent_by_alert.items()
    )
    return counts


def _overtaken(notification: Notification) -> str:
    """Why a message still waiting should not go out any more ("" if it should).

    A queue that has waited (a worker down for a while) must not send a warning after
    the critical message about the same alert, nor anything about a resolved alert.
    """
    alert = notification.alert
    if alert.status == AlertStatus.RESOLVED:
        return "not sent: the alert was resolved before the message went out"
    if notification.severity != alert.severity and (
        Notification.objects.filter(
            alert=alert,
            level=notification.level,
            channel=notification.channel,
            recipient=notification.recipient,
            severity=alert.severity,
        ).exists()
    ):
        return "not sent: replaced by the message at the alert's new severity"
    return ""


def _send(notification: Notification, now: datetime) -> tuple[str, bool]:
    alert = notification.alert
    with translation.override(settings.LANGUAGE_CODE):
        if notification.channel == Channel.EMAIL:
            return _email(notification, alert)
        if notification.channel == Channel.SMS:
            try:
                return sms.gateway().send(notification.recipient, sms_text(alert)), True
            except sms.SmsError as exc:
                logger.warning(
                    "SMS for alert %s to %s failed: %s", alert.pk, notification.recipient, exc
                )
                return f"error: {exc}", False
        return _webhook(notification, alert)


def alert_path(alert: Alert) -> str:
    return reverse("alerts:detail", args=[alert.pk])


def subject(alert: Alert) -> str:
    return _("[OxyFlow] %(severity)s: %(what)s") % {
        "severity": alert.get_severity_display().upper(),
        "what": alert.describe(),
    }


def sms_text(alert: Alert) -> str:
    return _("OxyFlow %(severity)s %(what)s. Acknowledge: %(path)s") % {
        "severity": alert.get_severity_display().upper(),
        "what": alert.describe(),
        "path": alert_path(alert),
    }


def _email(notification: Notification, alert: Alert) -> tuple[str, bool]:
    level = EscalationLevel(notification.level).label
    body = _(
        "%(what)s\n\n%(basis)s\n\nOpened at %(opened)s UTC; now at the %(level)s level. "
        "Acknowledge it in OxyFlow so that it stops escalating: %(path)s"
    ) % {
        "what": alert.describe(),
        "basis": alert.basis,
        "opened": f"{alert.opened_at:%Y-%m-%d %H:%M}",
        "level": level,
        "path": alert_path(alert),
    }
    footer = _("This message was sent automatically by OxyFlow.")
    message = EmailMessage(
        subject=subject(alert), body=f"{body}\n\n-- \n{footer}\n", to=[notification.recipient]
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("email for alert %s to %s failed: %s", alert.pk, notification.recipient, exc)
        return f"error: {type(exc).__name__}: {exc}", False
    return "sent", True


def webhook_payload(alert: Alert, level: int) -> dict[str, Any]:
    """The JSON body POSTed for an alert; the measure named with its unit."""
    return {
        "event": WEBHOOK_EVENT,
        "alert_id": alert.pk,
        "kind": alert.kind,
        "severity": alert.severity,
        "status": alert.status,
        "site": alert.site.code,
        "site_name": alert.site.name,
        "region": alert.site.region.code,
        "level": EscalationLevel(level).name.lower(),
        MEASURE_FIELDS.get(alert.kind, "value"): alert.value,
        "condition": alert.condition_key,
        "opened_at": alert.opened_at.isoformat(),
        "description": alert.describe(),
        "basis": alert.basis,
    }


def _webhook(notification: Notification, alert: Alert) -> tuple[str, bool]:
    outcome, ok = post_json(
        notification.recipient,
        webhook_payload(alert, notification.level),
        timeout=settings.OXYFLOW_ALERT_WEBHOOK_TIMEOUT_SECONDS,
    )
    if not ok:
        logger.warning("webhook for alert %s failed: %s", alert.pk, outcome)
    return outcome, ok
