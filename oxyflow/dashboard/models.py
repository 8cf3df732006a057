"""Derived daily figures per facility, so a national dashboard reads one row per
facility and day instead of recomputing stock from tank and cylinder lines.

A snapshot, not a source: every row is rebuilt from the current report of its day
(``dashboard.snapshots.refresh``), on each ingest and at any time by
``oxyflow rebuild_dashboard``.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from oxyflow.registry.models import Facility
from oxyflow.reporting.models import FacilityReport


class FacilityDay(models.Model):
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("report day (local)"))
    report = models.ForeignKey(
        FacilityReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="+"
    )
    # The facility's region path when the row was built: trends of a region are one
    # prefix query (a facility moved to another region is rebuilt with it).
    region_path = models.CharField(_("region path"), max_length=400)
    patients_low_flow = models.PositiveIntegerField(_("patients on low-flow oxygen"))
    patients_high_flow = models.PositiveIntegerField(_("patients on high-flow oxygen or NIV"))
    patients_ventilated = models.PositiveIntegerField(_("patients on invasive ventilation"))
    beds_oxygen = models.PositiveIntegerField(_("beds with oxygen"))
    beds_occupied_oxygen = models.PositiveIntegerField(_("oxygen beds occupied"), null=True)
    consumption_nm3 = models.FloatField(_("consumption (Nm³)"), null=True)
    stock_nm3 = models.FloatField(_("stock on hand (Nm³)"))
    demand_nm3_per_day = models.FloatField(_("census-based demand (Nm³/day)"))

    class Meta:
        verbose_name = _("facility day")
        verbose_name_plural = _("facility days")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["facility", "day"], name="uniq_facility_day")
        ]
        indexes: ClassVar = [models.Index(fields=["day", "region_path"])]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.day}"

    @property
    def patients_on_oxygen(self) -> int:
        return self.patients_low_flow + self.patients_high_flow + self.patients_ventilated
