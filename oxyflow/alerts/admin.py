"""Alert rules are set here (thresholds per region); alerts, notifications and the SMS
outbox are read here; the on-call roster has its own page (and is here too)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from oxyflow.accounts.admin_scoping import ScopedModelAdmin
from oxyflow.alerts import models as m


class ReadOnlyScopedAdmin(ScopedModelAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.AlertRule)
class AlertRuleAdmin(ScopedModelAdmin):
    list_display = (
        "region",
        "autonomy_critical_hours",
        "autonomy_warning_hours",
        "production_drop_pct",
        "report_late",
        "plausibility",
        "escalation_delay_minutes",
        "escalate_warnings",
    )
    search_fields = ("region__code", "region__name")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        from oxyflow.accounts import scopes

        scope = scopes.scope_for(request.user)
        return scope.superuser or scope.role in ("ministry", "coordinator")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a region's rule hands it back to the rule above (or the defaults).
        return self.has_change_permission(request, obj)


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = m.AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "by", "level", "text")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Alert)
class AlertAdmin(ReadOnlyScopedAdmin):
    list_display = ("site", "kind", "severity", "status", "value", "unit", "opened_at")
    list_filter = ("status", "severity", "kind")
    search_fields = ("site__code", "site__name")
    inlines = (EventInline,)


@admin.register(m.Notification)
class NotificationAdmin(ReadOnlyScopedAdmin):
    list_display = ("alert", "level", "channel", "recipient", "status", "sent_at", "outcome")
    list_filter = ("status", "channel")


@admin.register(m.OnCallShift)
class OnCallShiftAdmin(ScopedModelAdmin):
    list_display = ("region", "user", "starts_at", "ends_at", "phone")
    list_filter = ("region__level",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        from oxyflow.accounts import scopes

        scope = scopes.scope_for(request.user)
        return scope.superuser or scope.role in ("ministry", "coordinator")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)


@admin.register(m.SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("sent_at", "number", "text")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
