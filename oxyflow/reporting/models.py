"""Daily reports from facilities and producers, tank telemetry and the reporting calendar.

A report is never overwritten: a second report for the same site and day is a
correction, stored as a new version that points at the one it supersedes, with who made
it and why. Exactly one version per site and day is current. Every figure is stored
normalised (its unit in the field name) beside what was typed (value and unit), so a
slip between kilolitres and tonnes can be seen and explained later.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from oxyflow.registry.models import CylinderType, Facility, LoxTank, Producer, Product, Region
from oxyflow.registry.models.common import no_nul


class Channel(models.TextChoices):
    FORM = "form", _("Web form")
    API = "api", _("API")
    UPLOAD = "upload", _("File upload")
    PHONE = "phone", _("By phone, entered on the site's behalf")


class ReportBase(models.Model):
    """What every daily report carries: its day, version, author and review state."""

    report_date = models.DateField(_("report day (local)"))
    as_of = models.DateTimeField(_("figures read at"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    # The version this one corrects (the model's own, in each concrete report).
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(
        _("reason for correction"), blank=True, validators=[no_nul]
    )
    received_at = models.DateTimeField(_("received at"))
    first_received_at = models.DateTimeField(_("first version received at"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_by_name = models.CharField(
        _("reported by (when entered on their behalf)"),
        max_length=200,
        blank=True,
        validators=[no_nul],
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    submission_key = models.CharField(_("submission key"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, validators=[no_nul])
    flags = models.JSONField(_("plausibility flags"), default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def needs_review(self) -> bool:
        return bool(self.flags) and self.reviewed_at is None


def version_constraints(site: str) -> list[models.UniqueConstraint]:
    """The rules every report model keeps per site (``site`` names its foreign key):
    versions numbered once per day, one current version per day, a key used once."""
    return [
        models.UniqueConstraint(
            fields=[site, "report_date", "version"], name=f"uniq_{site}_report_version"
        ),
        models.UniqueConstraint(
            fields=[site, "report_date"],
            condition=models.Q(is_current=True),
            name=f"uniq_current_{site}_report",
        ),
        models.UniqueConstraint(fields=[site, "submission_key"], name=f"uniq_{site}_report_key"),
    ]


class PsaStatus(models.TextChoices):
    NONE = "none", _("No PSA plant")
    RUNNING = "running", _("Running")
    REDUCED = "reduced", _("Running below capacity")
    DOWN = "down", _("Down")


class FacilityReport(ReportBase):
    """A facility's day: census, occupied beds, oxygen stock and consumption."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="reports"
    )
    patients_low_flow = models.PositiveIntegerField(_("patients on low-flow oxygen"))
    patients_high_flow = models.PositiveIntegerField(_("patients on high-flow oxygen or NIV"))
    patients_ventilated = models.PositiveIntegerField(_("patients on invasive ventilation"))
    beds_occupied = models.PositiveIntegerField(_("beds occupied, total"), null=True, blank=True)
    beds_occupied_oxygen = models.PositiveIntegerField(
        _("oxygen beds occupied"), null=True, blank=True
    )
    beds_occupied_icu = models.PositiveIntegerField(_("ICU beds occupied"), null=True, blank=True)
    concentrators_in_use = models.PositiveIntegerField(_("concentrators in use"), default=0)
    concentrators_idle = models.PositiveIntegerField(_("concentrators idle"), default=0)
    concentrators_broken = models.PositiveIntegerField(_("concentrators broken"), default=0)
    psa_status = models.CharField(
        _("PSA plant status"), max_length=10, choices=PsaStatus.choices, default=PsaStatus.NONE
    )
    psa_output_nm3_per_h = models.DecimalField(
        _("PSA plant output (Nm³/h)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    # Oxygen used since the previous report, as typed and in Nm³; blank: derived from
    # stock and receipts by the ledger.
    consumption_value = models.DecimalField(
        _("consumption since the last report"), max_digits=14, decimal_places=3, null=True
    )
    consumption_unit = models.CharField(_("consumption unit"), max_length=10, blank=True)
    consumption_nm3 = models.DecimalField(
        _("consumption since the last report (Nm³)"), max_digits=14, decimal_places=3, null=True
    )
    # Derived when the report is stored, so that lists and alerts need no recomputation.
    consumption_derived_nm3 = models.DecimalField(
        _("consumption derived from stock (Nm³)"), max_digits=14, decimal_places=3, null=True
    )
    census_demand_nm3_per_day = models.DecimalField(
        _("census-based demand (Nm³/day)"), max_digits=14, decimal_places=3, default=Decimal(0)
    )

    class Meta:
        ordering: ClassVar = ["-report_date", "facility", "-version"]
        verbose_name = _("facility report")
        verbose_name_plural = _("facility reports")
        constraints: ClassVar = version_constraints("facility")
        indexes: ClassVar = [models.Index(fields=["facility", "is_current", "-report_date"])]

    def __str__(self) -> str:
        return f"{self.facility.code} {self.report_date} v{self.version}"

    @property
    def patients_on_oxygen(self) -> int:
        return self.patients_low_flow + self.patients_high_flow + self.patients_ventilated

    @property
    def site(self) -> Facility:
        return self.facility


class FacilityReportTank(models.Model):
    """One LOX tank's level in a report: as typed and in kg of liquid."""

    report = models.ForeignKey(
        FacilityReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="tanks"
    )
    tank = models.ForeignKey(LoxTank, verbose_name=_("tank"), on_delete=models.PROTECT)
    level_value = models.DecimalField(_("level"), max_digits=12, decimal_places=3)
    level_unit = models.CharField(_("level unit"), max_length=10)
    level_kg = models.DecimalField(_("level (kg)"), max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = _("tank level")
        verbose_name_plural = _("tank levels")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "tank"], name="uniq_report_tank")
        ]

    def __str__(self) -> str:
        return f"{self.tank}: {self.level_value} {self.level_unit}"


class FacilityReportCylinders(models.Model):
    """Cylinders of one type in a report: full and empty on site, emptied since last."""

    report = models.ForeignKey(
        FacilityReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="cylinders",
    )
    cylinder_type = models.ForeignKey(
        CylinderType, verbose_name=_("cylinder type"), on_delete=models.PROTECT
    )
    full = models.PositiveIntegerField(_("full cylinders"))
    empty = models.PositiveIntegerField(_("empty cylinders"), default=0)
    used = models.PositiveIntegerField(_("cylinders emptied since the last report"), null=True)

    class Meta:
        verbose_name = _("cylinder count")
        verbose_name_plural = _("cylinder counts")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["report", "cylinder_type"], name="uniq_report_cylinder_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cylinder_type}: {self.full} full, {self.empty} empty"


class DowntimeCause(models.TextChoices):
    NONE = "none", _("No downtime")
    MAINTENANCE = "maintenance", _("Planned maintenance")
    BREAKDOWN = "breakdown", _("Breakdown")
    POWER = "power", _("Power cut")
    RAW_MATERIAL = "raw_material", _("Shortage of inputs")
    STAFF = "staff", _("Staff shortage")
    OTHER = "other", _("Other")


class ProducerReport(ReportBase):
    """A producer's day: production and stock by product, what it can send tomorrow."""

    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="reports"
    )
    downtime_hours = models.DecimalField(
        _("downtime (h)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    downtime_cause = models.CharField(
        _("downtime cause"), max_length=20, choices=DowntimeCause.choices, default="none"
    )

    class Meta:
        ordering: ClassVar = ["-report_date", "producer", "-version"]
        verbose_name = _("producer report")
        verbose_name_plural = _("producer reports")
        constraints: ClassVar = version_constraints("producer")

    def __str__(self) -> str:
        return f"{self.producer.code} {self.report_date} v{self.version}"

    @property
    def site(self) -> Producer:
        return self.producer


class ProducerReportLine(models.Model):
    """One product in a producer report, in the product's unit of issue."""

    report = models.ForeignKey(
        ProducerReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT)
    unit = models.CharField(_("unit"), max_length=10)
    produced = models.DecimalField(_("produced"), max_digits=14, decimal_places=3)
    stock = models.DecimalField(_("in stock"), max_digits=14, decimal_places=3)
    available_tomorrow = models.DecimalField(
        _("available for dispatch tomorrow"), max_digits=14, decimal_places=3
    )

    class Meta:
        verbose_name = _("production line")
        verbose_name_plural = _("production lines")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["report", "product"], name="uniq_report_product")
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.produced} {self.unit}"


class TankReading(models.Model):
    """A level sent by a tank sensor; the same sensor and time twice is stored once."""

    tank = models.ForeignKey(
        LoxTank, verbose_name=_("tank"), on_delete=models.PROTECT, related_name="readings"
    )
    sensor_id = models.CharField(_("sensor"), max_length=100, validators=[no_nul])
    measured_at = models.DateTimeField(_("measured at"))
    value = models.DecimalField(_("reading"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10)
    level_kg = models.DecimalField(_("level (kg)"), max_digits=12, decimal_places=3)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering: ClassVar = ["-measured_at"]
        verbose_name = _("tank reading")
        verbose_name_plural = _("tank readings")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tank", "sensor_id", "measured_at"], name="uniq_tank_reading"
            )
        ]
        indexes: ClassVar = [models.Index(fields=["tank", "-measured_at"])]

    def __str__(self) -> str:
        return f"{self.tank} {self.measured_at:%Y-%m-%d %H:%M}: {self.value} {self.unit}"


class ReportingRule(models.Model):
    """When the sites of a region report; the nearest region up the tree decides.

    Without any rule, every site reports daily by 10:00 local time, weekends and public
    holidays included.
    """

    region = models.OneToOneField(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="reporting_rule"
    )
    deadline = models.TimeField(_("deadline (local time)"))
    on_weekends = models.BooleanField(_("reports due on weekends"), default=True)
    on_holidays = models.BooleanField(_("reports due on public holidays"), default=True)

    class Meta:
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")

    def __str__(self) -> str:
        return f"{self.region}: {self.deadline:%H:%M}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Report due soon")
    MISSING = "missing", _("Report missing")


class Reminder(models.Model):
    """A reminder sent for one site's report of one day; never sent twice."""

    site = models.ForeignKey(
        "registry.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="+"
    )
    report_date = models.DateField(_("report day (local)"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.TextField(_("recipients"), blank=True)
    webhook_status = models.CharField(_("webhook result"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["-sent_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["site", "report_date", "kind"], name="uniq_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.report_date} {self.kind}"


class FacilityStatus(models.Model):
    """A facility's demand and autonomy as of its latest report (recomputed on each).

    A cache of the core engine's answer, so lists and alerts need no recomputation; it
    is rebuilt from the reports (``reporting.status.refresh_status``) at any time.
    """

    facility = models.OneToOneField(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="status"
    )
    computed_at = models.DateTimeField(_("computed at"))
    as_of = models.DateTimeField(_("stock read at"))
    report = models.ForeignKey(
        FacilityReport, verbose_name=_("based on report"), on_delete=models.PROTECT
    )
    demand_nm3_per_day = models.FloatField(_("demand (Nm³/day)"))
    demand_low_nm3_per_day = models.FloatField(_("demand, low (Nm³/day)"))
    demand_high_nm3_per_day = models.FloatField(_("demand, high (Nm³/day)"))
    demand_basis = models.TextField(_("demand basis"))
    calibration_factor = models.FloatField(_("calibration factor"))
    autonomy_hours = models.FloatField(_("autonomy (h)"))
    autonomy_low_hours = models.FloatField(_("autonomy, pessimistic (h)"))
    autonomy_high_hours = models.FloatField(_("autonomy, optimistic (h)"))
    horizon_hours = models.FloatField(_("horizon (h)"))
    runs_out_at = models.DateTimeField(_("runs out at"), null=True)
    limiting_factor = models.CharField(_("limiting factor"), max_length=30)
    usable_nm3 = models.FloatField(_("usable stock (Nm³)"))
    autonomy_basis = models.TextField(_("autonomy basis"))

    class Meta:
        verbose_name = _("facility status")
        verbose_name_plural = _("facility statuses")

    def __str__(self) -> str:
        return f"{self.facility_id}: {self.autonomy_hours:.0f} h"
