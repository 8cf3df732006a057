"""Enqueue periodic jobs on time: django-tasks has no scheduler of its own.

The schedule is a list of (job, period); :func:`due_jobs` is pure so it is tested
without sleeping, and the management command `oxyflow scheduler` loops over it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from oxyflow.alerts import tasks as alert_tasks
from oxyflow.reporting import tasks as reporting_tasks
from oxyflow.web import tasks


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    period: timedelta
    enqueue: Callable[[], Any]


SCHEDULE: tuple[PeriodicJob, ...] = (
    PeriodicJob("heartbeat", timedelta(minutes=1), lambda: tasks.heartbeat.enqueue()),
    # Report reminders: "due soon" and "missing" emails and webhooks, never twice.
    PeriodicJob(
        "check_reports",
        timedelta(minutes=15),
        lambda: reporting_tasks.check_reports.enqueue(),
    ),
    # Alerts: autonomy declining between reports, late reports, escalations, messages.
    PeriodicJob(
        "evaluate_alerts", timedelta(minutes=5), lambda: alert_tasks.evaluate_alerts.enqueue()
    ),
)


def due_jobs(
    schedule: Iterable[PeriodicJob], last_run: dict[str, datetime], now: datetime
) -> list[PeriodicJob]:
    """The jobs whose period has elapsed since they were last enqueued (or never were)."""
    return [
        job
        for job in schedule
        if job.name not in last_run or now - last_run[job.name] >= job.period
    ]
