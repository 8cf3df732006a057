"""`oxyflow serve`: the production-style server (gunicorn workers, whitenoise static)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def run_gunicorn(*, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from oxyflow.wsgi import application

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 60)

        def load(self) -> Any:
            return application

    _App().run()


class Command(BaseCommand):
    help = "Serve OxyFlow with gunicorn (static files through whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default 127.0.0.1; 0.0.0.0 for all).",
        )
        parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000).")
        parser.add_argument("--workers", type=int, default=2, help="Worker processes (default 2).")
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per worker (default 4)."
        )
        parser.add_argument(
            "--migrate", action="store_true", help="Apply database migrations before serving."
        )

    # The deployment checks run in handle(), where a failure stops the start.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.check(include_deployment_checks=True, fail_level=checks.ERROR)
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving OxyFlow on http://{options['host']}:{options['port']}/")
        run_gunicorn(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
        )
