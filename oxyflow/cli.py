"""The ``oxyflow`` command: ``demo``, ``serve`` and every Django management command."""

from __future__ import annotations

import os
import sys

OVERVIEW = """\
usage: oxyflow <command> [options]

OxyFlow coordinates medical oxygen supply: registry of regions, facilities, producers
and fleet; daily reports; autonomy; planning.

Main commands:
  demo      Create or migrate the embedded SQLite database, load the demo region
            (Batna wilaya, Algeria and Binh Phuoc province, Viet Nam, as in 2021),
            create one demo user per role, print their logins and serve the site on
            http://127.0.0.1:8000.  Options: --port P, --host H, --reset, --no-serve.
  serve     Production-style server (gunicorn + whitenoise): collects static files,
            optionally migrates, serves.  Options: --host, --port, --workers,
            --threads, --migrate.
  registry  Import or export the registry as CSV or XLSX (see `oxyflow registry --help`).
  worker    Background jobs: report reminders, alert evaluation, the task queue.
  route     Solve a CVRPLIB vehicle-routing instance (PyVRP); JSON with --format json.
  migrate, createsuperuser, check, shell, ...
            Every Django management command works through this entry
            (`oxyflow help` lists them all).

Run `oxyflow <command> --help` for the options of one command.
Configuration comes from environment variables: see the README.
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oxyflow.settings")
    if len(args) < 2 or args[1] in ("-h", "--help"):
        sys.stdout.write(OVERVIEW)
        return
    from oxyflow.conf import ConfigError

    try:
        from django.core.management import execute_from_command_line

        args[0] = "oxyflow"
        execute_from_command_line(args)
    except ConfigError as exc:
        sys.stderr.write(f"oxyflow: configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
