"""Background jobs of daily reporting, enqueued by `oxyflow scheduler`."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone
from django_tasks import task

from oxyflow.reporting import reminders
from oxyflow.reporting.models import ReminderKind


@task()
def check_reports() -> dict[str, int]:
    """Send the report reminders due now, in every country's local day.

    Returns how many reminders of each kind were sent (``{"due_soon": 2, "missing":
    0}``). Running it again, or twice at once, sends nothing twice.
    """
    sent = reminders.send_due_reminders(now=timezone.now())
    found = Counter(reminder.kind for reminder in sent)
    return {kind: found.get(kind, 0) for kind in ReminderKind.values}
