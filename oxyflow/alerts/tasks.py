"""Background jobs of the alert engine, enqueued by `oxyflow scheduler` and by reports."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from oxyflow.alerts import engine, notifications


@task()
def evaluate_alerts() -> dict[str, int]:
    """Evaluate every site and open alert now, then send the messages due.

    Returns what changed (``{"opened": 1, "resolved": 0, …}``). Running it again, or
    twice at once, opens nothing twice and sends nothing twice.
    """
    return engine.evaluate_all(now=timezone.now()).as_dict()


@task()
def send_notifications() -> dict[str, int]:
    """Send the pending alert messages (``{"sent": n, "failed": m}``)."""
    return notifications.send_pending(now=timezone.now())
