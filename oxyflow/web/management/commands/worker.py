"""`oxyflow worker`: the embedded set-up's background process, scheduler and worker in one."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

logger = logging.getLogger(__name__)


def _schedule(tick: float) -> None:
    try:
        call_command("scheduler", "--tick", str(tick))
    finally:
        connection.close()


class Command(BaseCommand):
    help = (
        "Run background jobs in one process: the scheduler loop that enqueues periodic "
        "jobs (worker heartbeat, report reminders) and a worker on the database queue. "
        "The demo starts one. For a larger deployment run exactly one `oxyflow scheduler` "
        "and as many `oxyflow db_worker` processes as needed instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tick", type=float, default=5.0, help="Seconds between schedule checks (default 5)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # django-tasks has no scheduler: the loop runs beside the worker, in a thread with
        # its own database connection, and stops with the process.
        threading.Thread(target=_schedule, args=(options["tick"],), daemon=True).start()
        call_command("db_worker")
