from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitrepConfig(AppConfig):
    name = "oxyflow.sitrep"
    label = "sitrep"
    verbose_name = _("Situation reports")
