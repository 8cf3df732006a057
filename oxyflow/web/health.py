"""/healthz: database reachable, migrations applied, worker seen recently."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and is fully migrated; 503 otherwise.

    The worker is reported (last heartbeat, stale or not) but does not fail the check:
    the platform serves reports and pages without it; only background jobs wait.
    """
    body: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"ok": True, "vendor": connection.vendor}
    except DatabaseError as exc:
        body["database"] = {"ok": False, "error": exc.__class__.__name__}
        return JsonResponse({"status": "unhealthy", **body}, status=503)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    body["migrations"] = {
        "ok": not pending,
        "pending": [f"{m.app_label}.{m.name}" for m, _ in pending],
    }
    healthy = healthy and not pending
    from oxyflow.web.models import WorkerHeartbeat

    try:
        last = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except DatabaseError:
        last = None
    stale_after = timedelta(seconds=settings.OXYFLOW_WORKER_STALE_SECONDS)
    body["worker"] = {
        "last_seen": last.seen_at.isoformat() if last else None,
        "name": last.worker if last else None,
        "recent": bool(last and timezone.now() - last.seen_at <= stale_after),
        "stale_after_s": settings.OXYFLOW_WORKER_STALE_SECONDS,
    }
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **body}, status=200 if healthy else 503
    )
