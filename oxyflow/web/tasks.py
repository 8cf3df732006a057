"""Background jobs of the platform itself."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import TaskContext, task

from oxyflow.web.models import WorkerHeartbeat


@task(takes_context=True)
def heartbeat(context: TaskContext) -> str:
    """Record that a worker is serving the queue (shown by /healthz)."""
    worker_ids = context.task_result.worker_ids
    worker = worker_ids[-1] if worker_ids else "unknown"
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})
    return worker
