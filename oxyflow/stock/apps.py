from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "oxyflow.stock"
    label = "stock"
    verbose_name = _("Stock ledger")
