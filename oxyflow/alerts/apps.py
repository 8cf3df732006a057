from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "oxyflow.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from oxyflow.accounts import scopes
        from oxyflow.alerts import checks  # noqa: F401 - registers the system checks
        from oxyflow.alerts.models import Alert, AlertEvent, AlertRule, Notification, OnCallShift

        # Alerts follow their site; rules and rosters are placed in a region.
        scopes.register_site_lookup(Alert, "site__")
        scopes.register_site_lookup(AlertEvent, "alert__site__")
        scopes.register_site_lookup(Notification, "alert__site__")
        for model in (AlertRule, OnCallShift):
            scopes.register_rule(
                model, lambda scope, edit: scopes.region_q(scope, "region__", edit=edit)
            )
