from __future__ import annotations

from django.contrib import admin

from oxyflow.accounts.admin_scoping import ScopedAdmin
from oxyflow.accounts.models import ApiToken, Profile


@admin.register(Profile)
class ProfileAdmin(ScopedAdmin):
    list_display = ("user", "role", "region", "organisation")
    list_filter = ("role",)
    filter_horizontal = ("facilities",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Superusers only: role users hold no Django model permissions for it."""

    list_display = ("name", "user", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "hint", "created_at", "last_used_at")
