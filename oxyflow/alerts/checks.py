"""System checks of the alert settings (ids ``oxyflow.alerts.E001``…)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def check_sms_gateway(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    path = settings.OXYFLOW_SMS_GATEWAY
    try:
        gateway = import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"OXYFLOW_SMS_GATEWAY={path!r} cannot be imported: {exc}",
                hint="Give the dotted path of a class with a send(number, text) method, e.g. "
                "oxyflow.alerts.sms.DevelopmentSmsGateway.",
                id="oxyflow.alerts.E001",
            )
        ]
    if not callable(getattr(gateway, "send", None)):
        return [
            Error(
                f"OXYFLOW_SMS_GATEWAY={path!r} has no send(number, text) method.",
                id="oxyflow.alerts.E002",
            )
        ]
    return []
