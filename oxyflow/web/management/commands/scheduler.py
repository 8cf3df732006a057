"""`oxyflow scheduler`: enqueue periodic background jobs; `oxyflow db_worker` runs them."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from oxyflow.web.scheduler import SCHEDULE, due_jobs

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue periodic jobs (worker heartbeat every minute, report reminders every 15 "
        "minutes) on the task queue. Run one scheduler per deployment, and one or more "
        "`oxyflow db_worker` processes to execute the jobs (or `oxyflow worker`, both in one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every job once, then exit."
        )
        parser.add_argument(
            "--tick", type=float, default=5.0, help="Seconds between schedule checks (default 5)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        last_run: dict[str, datetime] = {}
        while True:
            now = timezone.now()
            for job in due_jobs(SCHEDULE, last_run, now):
                job.enqueue()
                last_run[job.name] = now
                logger.info("enqueued %s", job.name)
            if options["once"]:
                return
            time.sleep(options["tick"])
