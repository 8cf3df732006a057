"""`oxyflow registry`: import or export the registry as CSV or XLSX from the command line."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from oxyflow.registry import transfer

KINDS = textwrap.fill(
    ", ".join(transfer.KINDS), width=80, initial_indent=" " * 23, subsequent_indent=" " * 23
)
EPILOG = f"""\
export  Write what a user may see, with the columns an import takes.
  --format {{csv,xlsx}}  xlsx: one sheet per kind; csv: one kind (UTF-8 with BOM).
  --kind K             A kind to export; repeat for several (xlsx; default all).
                       Required once for csv. Kinds, in import order:
{KINDS}
  --out FILE           Where to write the file.
  --as USERNAME        Export only what this user may see (default: everything).

import  Check every row; import all of them or, on any problem, none.
  FILE                 A .csv or .xlsx file; the extension decides the format.
  --kind K             What a CSV file holds (required for csv); for xlsx, read only
                       that sheet.
  --dry-run            Check only: report what would be created/updated, save nothing.
  --as USERNAME        Act with this user's scope (required; a superuser may change
                       everything). Changes are recorded in history as theirs, with
                       the reason "import FILE".
  Problems are printed one per line as "row N, sheet S, field F, value 'V': reason"
  and the command exits with status 1.

examples:
  oxyflow registry export --format xlsx --out registry.xlsx --as carim
  oxyflow registry export --format csv --kind facilities --out facilities.csv
  oxyflow registry import registry.xlsx --dry-run --as carim
  oxyflow registry import facilities.csv --kind facilities --as carim
"""


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Django's option order, with the description's line breaks kept."""


# The operator at the command line: without --as, an export holds the whole registry.
_EVERYTHING = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=True, pk=None)


class Command(BaseCommand):
    help = "Import or export the registry (regions, sites, organisations, fleet, contracts)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = _HelpFormatter
        parser.epilog = EPILOG
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export,import}")
        out = actions.add_parser("export", help="Write the registry to a CSV or XLSX file.")
        out.add_argument(
            "--format",
            choices=transfer.FORMATS,
            required=True,
            dest="fmt",
            help="xlsx: one sheet per kind; csv: one kind.",
        )
        out.add_argument(
            "--kind",
            action="append",
            choices=transfer.KINDS,
            metavar="K",
            default=[],
            help="A kind to export; repeat for several. Required once for csv.",
        )
        out.add_argument("--out", required=True, type=Path, help="The file to write.")
        out.add_argument("--as", dest="username", help="Export only what this user may see.")
        into = actions.add_parser("import", help="Check and import a CSV or XLSX file.")
        into.add_argument("file", type=Path, help="A .csv or .xlsx file.")
        into.add_argument(
            "--kind",
            choices=transfer.KINDS,
            metavar="K",
            help="What a CSV file holds; for xlsx, read only that sheet.",
        )
        into.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")
        into.add_argument(
            "--as",
            dest="username",
            required=True,
            help="Act with this user's scope and name in the history.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(options)
        else:
            self.import_(options)

    def user(self, username: str | None) -> Any:
        if username is None:
            return _EVERYTHING
        try:
            return get_user_model()._default_manager.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    def export(self, options: dict[str, Any]) -> None:
        kinds, fmt = options["kind"], options["fmt"]
        if fmt == "csv" and len(kinds) != 1:
            raise CommandError("A CSV export holds one kind: give exactly one --kind.")
        data = transfer.export(kinds, self.user(options["username"]), fmt)
        options["out"].write_bytes(data)
        self.stdout.write(f"Wrote {options['out']} ({len(data)} bytes).")

    def import_(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in transfer.FORMATS:
            raise CommandError("The file name must end in .csv or .xlsx.")
        user = self.user(options["username"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            result = transfer.import_file(
                data,
                fmt,
                user,
                kind=options["kind"],
                source=path.name,
                dry_run=options["dry_run"],
            )
        except transfer.ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(exc.problems)} problem(s) in {path.name}; nothing was imported."
            ) from None
        if result.dry_run:
            self.stdout.write("Dry run: the file is valid; nothing was saved. It would do:")
        for line in result.lines():
            self.stdout.write(line)
