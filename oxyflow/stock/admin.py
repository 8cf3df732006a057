"""The ledger in the admin: read-only, scoped to the user's sites; reviews are the one write."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from oxyflow.accounts import scopes
from oxyflow.accounts.admin_scoping import ScopedModelAdmin
from oxyflow.stock import services
from oxyflow.stock.models import Balance, Movement


class ReadOnlyLedgerAdmin(ScopedModelAdmin):
    """Nothing is added, changed or deleted here: stock moves only through the services."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Movement)
class MovementAdmin(ReadOnlyLedgerAdmin):
    list_display = (
        "occurred_at",
        "site",
        "product",
        "kind",
        "signed_quantity",
        "needs_review",
        "source",
    )
    list_filter = ("kind", "needs_review")
    list_select_related = ("site", "product")
    search_fields = ("site__code", "site__name", "product__code", "source")
    date_hierarchy = "occurred_at"
    actions = ("mark_reviewed",)

    @admin.display(description=_("quantity"), ordering="quantity")
    def signed_quantity(self, obj: Movement) -> str:
        return obj.quantity_display

    def has_review_permission(self, request: HttpRequest) -> bool:
        return scopes.editable(Movement.objects.all(), request.user).exists()

    @admin.action(description=_("Mark reviewed"), permissions=["review"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Movement]) -> None:
        # Reviewing is a change: only movements of sites the user may edit.
        pending = scopes.editable(queryset, request.user).filter(reviewed_at__isnull=True)
        count = 0
        for movement in pending:
            services.mark_reviewed(movement=movement, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d movement marked reviewed.",
                "%(count)d movements marked reviewed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(Balance)
class BalanceAdmin(ReadOnlyLedgerAdmin):
    list_display = ("site", "product", "stock", "last_movement", "updated_at")
    list_select_related = ("site", "product", "last_movement")
    search_fields = ("site__code", "site__name", "product__code")

    @admin.display(description=_("stock"), ordering="quantity")
    def stock(self, obj: Balance) -> str:
        return obj.quantity_display
