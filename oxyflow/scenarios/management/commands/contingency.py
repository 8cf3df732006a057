"""`oxyflow contingency`: which districts of a region go short if one producer stops."""

from __future__ import annotations

import json
from argparse import ArgumentTypeError
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oxyflow.core.contingency import DEFAULT_HORIZON_DAYS, DEFAULT_NEAREST_SOURCES
from oxyflow.core.demand import DemandError
from oxyflow.core.scenarios import ScenarioError
from oxyflow.scenarios.cli_options import add_population_options, region_option
from oxyflow.scenarios.contingency import MAX_HORIZON_DAYS, ContingencyRequest, run
from oxyflow.scenarios.stdout import c_stdout_to_stderr


def _count(name: str, low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number within bounds; argparse reports a refusal."""

    def parse(text: str) -> int:
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            raise ArgumentTypeError(f"{name}={text!r} is invalid: give a whole number") from None
        if value < low or (high is not None and value > high):
            rule = f"at least {low}" if high is None else f"between {low} and {high}"
            raise ArgumentTypeError(f"{name}={text!r} is invalid: must be {rule}")
        return value

    return parse


class Command(BaseCommand):
    help = (
        "N-1 contingency for a region: spread N patients over its districts, supply them "
        "from the country's producers within their capacity and the fleet's transport, then "
        "remove each producer in turn and report which districts go short, by how much "
        "(Nm³/day) and from which day their storage runs out. Runs as the operator, with "
        "full visibility: every producer is named (the API hides those the caller may not "
        "see). JSON output prints nothing else on stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="Region code, e.g. DZ-05.")
        parser.add_argument(
            "--patients",
            required=True,
            type=_count("--patients", 0),
            help="Patients under treatment in the region, e.g. 2000.",
        )
        add_population_options(parser)
        parser.add_argument(
            "--horizon-days",
            type=_count("--horizon-days", 1, MAX_HORIZON_DAYS),
            default=DEFAULT_HORIZON_DAYS,
            help=f"Days ahead in which storage is drawn down (1-{MAX_HORIZON_DAYS}, "
            f"default {DEFAULT_HORIZON_DAYS}).",
        )
        parser.add_argument(
            "--nearest",
            type=_count("--nearest", 1),
            default=DEFAULT_NEAREST_SOURCES,
            help=f"Nearest producers linked to each district besides its contracted "
            f"suppliers (default {DEFAULT_NEAREST_SOURCES}).",
        )
        parser.add_argument(
            "--format",
            default="table",
            choices=("table", "json"),
            help="Output format (default table).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_option(options["region"])
        request = ContingencyRequest(
            patients=options["patients"],
            profile=options["profile"],
            mix=options["mix"],
            severe_share=options["severe_share"],
            spread=options["spread"],
            conditions=options["conditions"],
            horizon_days=options["horizon_days"],
            nearest=options["nearest"],
        )
        try:
            # HiGHS writes a banner to fd 1 on its first solver in a process.
            with c_stdout_to_stderr():
                result = run(request, region)
        except (ScenarioError, DemandError) as exc:
            raise CommandError(str(exc)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self._table(result)

    def _table(self, result: dict[str, Any]) -> None:
        out = self.stdout.write
        out(
            f"{result['patients']:,} patients in {result['region']}; gas in Nm³ at "
            f"{result['reference_conditions']} conditions; horizon {result['horizon_days']} days"
        )
        out("\nDistricts (all producers up):")
        shortage = {d["code"]: d["shortage_m3_per_day"] for d in result["baseline"]["districts"]}
        self._rows(
            [
                [
                    d["code"],
                    f"{d['need_m3_per_day']:,}",
                    f"{d['onsite_m3_per_day']:,}",
                    f"{d['supplied_m3_per_day']:,}",
                    f"{shortage[d['code']]:,}",
                    f"{d['storage_m3']:,}",
                ]
                for d in result["districts"]
            ],
            ("district", "need Nm³/day", "on-site", "supplied", "short", "storage Nm³"),
        )
        out("\nIf one producer stops (largest shortfall first):")
        rows = []
        for outage in result["outages"]:
            if not outage["districts_short"]:
                continue
            for index, row in enumerate(outage["districts_short"]):
                rows.append(
                    [
                        outage["code"] if index == 0 else "",
                        row["code"],
                        f"{row['shortfall_m3_per_day']:,}",
                        f"{row['baseline_shortfall_m3_per_day']:,}",
                        "—" if row["short_from_day"] is None else str(row["short_from_day"]),
                    ]
                )
        if rows:
            self._rows(
                rows, ("producer stopped", "district", "short Nm³/day", "baseline", "from day")
            )
        else:
            out("  no district goes short")
        harmless = sum(1 for o in result["outages"] if o["added_shortfall_m3_per_day"] == 0)
        out(
            f"\n{harmless} of {len(result['outages'])} producers can stop without adding "
            "to the shortage."
        )
        out("\nBasis: " + result["basis"])

    def _rows(self, rows: list[list[str]], header: tuple[str, ...]) -> None:
        cells = [list(header), *rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
        for line in cells:
            self.stdout.write(
                "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
            )
