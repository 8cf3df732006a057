"""Sending SMS through a pluggable gateway.

``OXYFLOW_SMS_GATEWAY`` names the class (a dotted path) implementing
:class:`SmsGateway`; the default, :class:`DevelopmentSmsGateway`, sends nothing: it
logs each message and keeps it in the :class:`~oxyflow.alerts.models.SmsMessage`
outbox (visible in the admin). A production gateway (an operator's HTTP API) is a class
with the same ``send`` method, configured by its own settings.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# A single SMS; longer texts are cut (operators split or refuse them).
MAX_LENGTH = 160


class SmsError(Exception):
    """The gateway did not accept a message (the notification is retried later)."""


class SmsGateway(Protocol):
    def send(self, number: str, text: str) -> str:
        """Send ``text`` to ``number``; return the gateway's reference.

        Raises
        ------
        SmsError
            If the message was not accepted.
        """
        ...


class DevelopmentSmsGateway:
    """Sends nothing: logs the message and keeps it in the outbox table."""

    def send(self, number: str, text: str, *, now: datetime | None = None) -> str:
        from oxyflow.alerts.models import SmsMessage

        message = SmsMessage.objects.create(
            number=number, text=text[:MAX_LENGTH], sent_at=now or timezone.now()
        )
        logger.info("SMS (development gateway, not sent) to %s: %s", number, text)
        return f"dev-outbox:{message.pk}"


@lru_cache(maxsize=4)
def _gateway(path: str) -> SmsGateway:
    gateway: SmsGateway = import_string(path)()
    return gateway


def gateway() -> SmsGateway:
    """The configured gateway (one instance per process and setting)."""
    return _gateway(settings.OXYFLOW_SMS_GATEWAY)
