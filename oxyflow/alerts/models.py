"""Alerts on sites, their history and notifications; alert rules and the on-call roster.

An :class:`Alert` is opened by the engine (:mod:`oxyflow.alerts.engine`) when a
condition holds for a site, and is the only one of its kind for that site while it is
open or acknowledged (a partial unique constraint). It moves open → acknowledged →
resolved; each step, each upgrade, escalation and notification is an
:class:`AlertEvent`. A :class:`Notification` is one message to one recipient on one
channel, never sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from oxyflow.core import alerting
from oxyflow.registry.models import Region, RegionLevel, Site
from oxyflow.registry.models.common import no_nul


class AlertKind(models.TextChoices):
    AUTONOMY = "autonomy", _("Low autonomy")
    REPORT_LATE = "report_late", _("Report late")
    PRODUCTION_DOWN = "production_down", _("Production down")
    PLAUSIBILITY = "plausibility", _("Implausible report")


class Severity(models.TextChoices):
    WARNING = alerting.Severity.WARNING.value, _("Warning")
    CRITICAL = alerting.Severity.CRITICAL.value, _("Critical")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class EscalationLevel(models.IntegerChoices):
    FACILITY = alerting.Level.FACILITY.value, _("Site")
    DISTRICT = alerting.Level.DISTRICT.value, _("District")
    PROVINCE = alerting.Level.PROVINCE.value, _("Province")
    MINISTRY = alerting.Level.MINISTRY.value, _("Ministry")


# The escalation level a region's on-call people stand for.
LEVEL_OF_REGION: dict[str, EscalationLevel] = {
    RegionLevel.COMMUNE: EscalationLevel.DISTRICT,
    RegionLevel.DISTRICT: EscalationLevel.DISTRICT,
    RegionLevel.PROVINCE: EscalationLevel.PROVINCE,
    RegionLevel.COUNTRY: EscalationLevel.MINISTRY,
}


class AlertTransitionError(Exception):
    """A lifecycle step not allowed from the alert's current status."""

    def __init__(self, alert: Alert, action: str) -> None:
        self.alert = alert
        self.action = action
        super().__init__(
            gettext("Alert %(id)s is %(status)s: it cannot be %(action)s.")
            % {"id": alert.pk, "status": alert.get_status_display(), "action": action}
        )


class AlertRule(models.Model):
    """Thresholds and escalation of one region and below; the nearest region up decides.

    Without any rule, the ``OXYFLOW_ALERT_*`` settings apply.
    """

    region = models.OneToOneField(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="alert_rule"
    )
    autonomy_critical_hours = models.DecimalField(
        _("critical below (hours of autonomy)"),
        max_digits=6,
        decimal_places=1,
        default=8,
        validators=[MinValueValidator(0.1)],
    )
    autonomy_warning_hours = models.DecimalField(
        _("warning below (hours of autonomy)"),
        max_digits=6,
        decimal_places=1,
        default=24,
        validators=[MinValueValidator(0.1)],
    )
    production_drop_pct = models.DecimalField(
        _("production down by more than (%)"),
        max_digits=4,
        decimal_places=1,
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    report_late = models.BooleanField(_("alert on late reports"), default=True)
    plausibility = models.BooleanField(_("alert on implausible reports"), default=True)
    escalation_delay_minutes = models.PositiveIntegerField(
        _("escalate after (minutes unacknowledged)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)],
    )
    escalate_warnings = models.BooleanField(
        _("escalate warnings too"),
        default=False,
        help_text=_("Otherwise only critical alerts go beyond the site's own people."),
    )

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return f"{self.region}"

    def clean(self) -> None:
        if (
            self.autonomy_critical_hours is not None
            and self.autonomy_warning_hours is not None
            and self.autonomy_warning_hours < self.autonomy_critical_hours
        ):
            raise ValidationError(
                {
                    "autonomy_warning_hours": _(
                        "The warning threshold (%(warning)s h) must be at least the critical "
                        "one (%(critical)s h)."
                    )
                    % {
                        "warning": self.autonomy_warning_hours,
                        "critical": self.autonomy_critical_hours,
                    }
                }
            )


class Alert(models.Model):
    """A condition that holds (or held) for one site, and what people did about it."""

    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="alerts"
    )
    condition_key = models.CharField(
        _("condition"),
        max_length=100,
        help_text=_("What exactly holds, e.g. the report day that is late."),
    )
    value = models.FloatField(_("measured value"))
    unit = models.CharField(_("unit"), max_length=10)
    basis = models.TextField(_("basis"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    severity_since = models.DateTimeField(_("at this severity since"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True, validators=[no_nul])
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, default=EscalationLevel.FACILITY
    )
    escalation_step = models.PositiveSmallIntegerField(_("escalation step"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-opened_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints: ClassVar = [
            # One alert per condition: at most one open or acknowledged alert per kind
            # and site (a partial unique index, on SQLite and PostgreSQL alike).
            models.UniqueConstraint(
                fields=["kind", "site"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="uniq_active_alert_per_kind_site",
            )
        ]
        indexes: ClassVar = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.site_id} ({self.severity})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def value_text(self) -> str:
        """The measured value with its unit, e.g. ``6.5 h``."""
        if self.unit == "flags":
            n = int(self.value)
            return ngettext("%(n)s flag", "%(n)s flags", n) % {"n": n}
        return f"{number_format(round(self.value, 1), 1)} {self.unit}"

    def describe(self) -> str:
        """One translated line: what, where, how much."""
        words = {"site": self.site.name, "code": self.site.code, "value": self.value_text()}
        if self.kind == AlertKind.AUTONOMY:
            return gettext("%(site)s (%(code)s): %(value)s of oxygen left") % words
        if self.kind == AlertKind.REPORT_LATE:
            return gettext("%(site)s (%(code)s): daily report overdue by %(value)s") % words
        if self.kind == AlertKind.PRODUCTION_DOWN:
            return gettext("%(site)s (%(code)s): production down %(value)s") % words
        return gettext("%(site)s (%(code)s): latest report has %(value)s to review") % words

    def acknowledge(self, *, user: Any, now: datetime) -> AlertEvent:
        """Take the alert on: it stops escalating.

        Raises
        ------
        AlertTransitionError
            If the alert is not open.
        """
        if self.status != AlertStatus.OPEN:
            raise AlertTransitionError(self, gettext("acknowledged"))
        self.status = AlertStatus.ACKNOWLEDGED
        self.acknowledged_at = now
        self.acknowledged_by = user
        self.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
        return AlertEvent.objects.create(
            alert=self, kind=EventKind.ACKNOWLEDGED, at=now, by=user, level=self.escalation_level
        )

    def resolve(self, *, user: Any | None, now: datetime, note: str = "") -> AlertEvent:
        """Close the alert, by a person (``user``) or by the engine (``user`` None).

        Raises
        ------
        AlertTransitionError
            If the alert is already resolved.
        """
        if self.status == AlertStatus.RESOLVED:
            raise AlertTransitionError(self, gettext("resolved"))
        self.status = AlertStatus.RESOLVED
        self.resolved_at = now
        self.resolved_by = user
        self.resolution = note
        self.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        return AlertEvent.objects.create(
            alert=self,
            kind=EventKind.RESOLVED,
            at=now,
            by=user,
            level=self.escalation_level,
            text=note,
        )


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    UPGRADED = "upgraded", _("Upgraded")
    DOWNGRADED = "downgraded", _("Downgraded")
    ESCALATED = "escalated", _("Escalated")
    FALLBACK = "fallback", _("Nobody on duty")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REOPENED = "reopened", _("Opened again")
    RESOLVED = "resolved", _("Resolved")
    NOTIFIED = "notified", _("Notified")


class AlertEvent(models.Model):
    """One step in an alert's history."""

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=15, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=EscalationLevel.choices, default=EscalationLevel.FACILITY
    )
    text = models.TextField(_("details"), blank=True)

    class Meta:
        ordering: ClassVar = ["at", "pk"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        constraints: ClassVar = [
            # Concurrent evaluations may both insert an alert (one wins); its opening is
            # recorded once.
            models.UniqueConstraint(
                fields=["alert"], condition=Q(kind="opened"), name="uniq_alert_opened_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class OnCallShift(models.Model):
    """A person on duty for a region's alerts between two instants (weekends, holidays).

    The region's level gives the escalation level the person answers for (a district,
    a province, the country for the ministry). ``phone`` overrides the profile's number
    for SMS during the shift.
    """

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="on_call_shifts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person on duty"),
        on_delete=models.CASCADE,
        related_name="on_call_shifts",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    phone = models.CharField(
        _("phone for SMS (optional)"), max_length=30, blank=True, validators=[no_nul]
    )
    note = models.CharField(_("note"), max_length=200, blank=True, validators=[no_nul])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering: ClassVar = ["region__path", "starts_at"]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="on_call_ends_after_start"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["region", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.region_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def level(self) -> EscalationLevel:
        return LEVEL_OF_REGION[RegionLevel(self.region.level)]

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift must end after it starts.")})


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # Overtaken before it went out: the alert was resolved, or it changed severity and
    # the message at the new severity replaces this one.
    SKIPPED = "skipped", _("Not sent (overtaken)")


class Notification(models.Model):
    """One message about one alert to one recipient on one channel; never sent twice.

    Planned (pending) in the evaluation's transaction, sent after it by
    :func:`oxyflow.alerts.notifications.send_pending`. An upgrade to critical is a new
    message (``severity`` is part of the key).
    """

    alert = models.ForeignKey(
        Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="notifications"
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("planned at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["alert", "level", "severity", "channel", "recipient"],
                name="uniq_alert_notification",
            )
        ]
        indexes: ClassVar = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.channel} {self.recipient} ({self.status})"


class SmsMessage(models.Model):
    """The outbox of the development SMS gateway: what would have been sent."""

    number = models.CharField(_("number"), max_length=30)
    text = models.TextField(_("text"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering: ClassVar = ["-sent_at", "-pk"]
        verbose_name = _("SMS (development outbox)")
        verbose_name_plural = _("SMS (development outbox)")

    def __str__(self) -> str:
        return f"{self.number}: {self.text[:40]}"
