"""`oxyflow demo`: a working platform with the demo region, in one command."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from oxyflow.dashboard import demo as coordination
from oxyflow.registry import demo
from oxyflow.reporting import demo as report_history
from oxyflow.web.management.commands.serve import run_gunicorn


class Command(BaseCommand):
    help = (
        "Create or migrate the database (SQLite under OXYFLOW_DATA_DIR unless DATABASE_URL "
        "is set), load the demo region (Batna, Algeria and Binh Phuoc, Viet Nam, 2021; "
        "illustrative numbers), create one demo user per role, submit the last 14 days of "
        "daily reports, print the logins and serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=8000, help="TCP port to serve on (default 8000)."
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to serve on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Erase every row in the database first, then load the demo afresh.",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the demo and exit without serving."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        summary = demo.load()
        self.stdout.write(self.style.SUCCESS(summary.describe()))
        self.stdout.write(self.style.SUCCESS(report_history.load().describe()))
        self.stdout.write(self.style.SUCCESS(coordination.load().describe()))
        self.stdout.write("\nDemo logins (password for all: %s):" % demo.DEMO_PASSWORD)
        for login in summary.logins:
            self.stdout.write(f"  {login.username:<22} {login.role_label}: {login.scope}")
        if options["no_serve"]:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"\nServing on http://{options['host']}:{options['port']}/  (Ctrl+C stops)"
        )
        # Reminders, heartbeats and other periodic jobs run in a background process.
        worker = subprocess.Popen(
            [sys.executable, "-c", "from oxyflow.cli import main; main()", "worker"],
            env=os.environ.copy(),
        )
        try:
            run_gunicorn(host=options["host"], port=options["port"], workers=2, threads=4)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
