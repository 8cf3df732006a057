from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from oxyflow.web.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_migrations_without_login() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["migrations"] == {"ok": True, "pending": []}


def test_healthz_says_when_no_worker_has_been_seen() -> None:
    worker = Client().get("/healthz").json()["worker"]
    assert worker["last_seen"] is None
    assert worker["recent"] is False


def test_healthz_tells_a_recent_worker_from_a_stale_one() -> None:
    WorkerHeartbeat.objects.create(worker="w1", seen_at=timezone.now() - timedelta(seconds=30))
    assert Client().get("/healthz").json()["worker"]["recent"] is True
    WorkerHeartbeat.objects.filter(worker="w1").update(seen_at=timezone.now() - timedelta(hours=1))
    assert Client().get("/healthz").json()["worker"]["recent"] is False


@pytest.mark.django_db(transaction=True)
def test_a_worker_serving_the_queue_shows_as_recent_in_healthz() -> None:
    from django.core.management import call_command

    call_command("scheduler", "--once")
    call_command("db_worker", "--batch", "--no-startup-delay", "--worker-id", "test-worker")
    worker = Client().get("/healthz").json()["worker"]
    assert worker["name"] == "test-worker"
    assert worker["recent"] is True


def test_the_scheduler_enqueues_a_job_again_only_after_its_period() -> None:
    from oxyflow.web.scheduler import SCHEDULE, due_jobs

    now = timezone.now()
    assert [j.name for j in due_jobs(SCHEDULE, {}, now)] == [
        "heartbeat",
        "check_reports",
        "evaluate_alerts",
    ]
    recent = {
        "heartbeat": now - timedelta(seconds=30),
        "check_reports": now,
        "evaluate_alerts": now - timedelta(minutes=4),
    }
    assert due_jobs(SCHEDULE, recent, now) == []
    late = {**recent, "heartbeat": now - timedelta(minutes=1)}
    assert [j.name for j in due_jobs(SCHEDULE, late, now)] == ["heartbeat"]
    later = {**recent, "evaluate_alerts": now - timedelta(minutes=5)}
    assert [j.name for j in due_jobs(SCHEDULE, later, now)] == ["evaluate_alerts"]


def test_the_worker_command_runs_the_scheduler_beside_the_queue_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from django.core.management import call_command

    from oxyflow.web.management.commands import worker

    calls: list[tuple[str, ...]] = []
    scheduled = threading.Event()

    def record(*args: str) -> None:
        calls.append(args)
        if args[0] == "scheduler":
            scheduled.set()

    monkeypatch.setattr(worker, "call_command", record)
    call_command("worker", "--tick", "1")
    assert scheduled.wait(5)
    assert ("db_worker",) in calls
    assert ("scheduler", "--tick", "1.0") in calls
