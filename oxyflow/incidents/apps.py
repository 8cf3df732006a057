from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "oxyflow.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from oxyflow.accounts import scopes
        from oxyflow.incidents import models, services

        scopes.register_rule(models.Incident, services.scope_rule)
        # Comments, events and site links are seen and changed with their incident.
        for child in (models.IncidentComment, models.IncidentEvent, models.IncidentSite):
            scopes.register_rule(child, services.child_scope_rule)
