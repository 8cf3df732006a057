"""Reports in the admin are read-only: they arrive through the form, API or upload, and
corrections are new versions, so nothing here may change a stored figure."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oxyflow.accounts.admin_scoping import ScopedModelAdmin
from oxyflow.reporting import models as rep


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TankInline(ReadOnlyInline):
    model = rep.FacilityReportTank


class CylinderInline(ReadOnlyInline):
    model = rep.FacilityReportCylinders


class LineInline(ReadOnlyInline):
    model = rep.ProducerReportLine


class ReadOnlyAdmin(ScopedModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(rep.FacilityReport)
class FacilityReportAdmin(ReadOnlyAdmin):
    list_display = (
        "facility",
        "report_date",
        "version",
        "is_current",
        "patients_low_flow",
        "patients_high_flow",
        "patients_ventilated",
        "channel",
        "received_at",
    )
    list_filter = ("is_current", "channel", "report_date")
    search_fields = ("facility__code", "facility__name")
    inlines = (TankInline, CylinderInline)


@admin.register(rep.ProducerReport)
class ProducerReportAdmin(ReadOnlyAdmin):
    list_display = ("producer", "report_date", "version", "is_current", "channel", "received_at")
    list_filter = ("is_current", "channel", "report_date")
    search_fields = ("producer__code", "producer__name")
    inlines = (LineInline,)


@admin.register(rep.TankReading)
class TankReadingAdmin(ReadOnlyAdmin):
    list_display = ("tank", "sensor_id", "measured_at", "value", "unit", "level_kg")


@admin.register(rep.ReportingRule)
class ReportingRuleAdmin(ScopedModelAdmin):
    list_display = ("region", "deadline", "on_weekends", "on_holidays")
