"""`oxyflow scenario`: oxygen and supplies for N patients, optionally per district."""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oxyflow.core.demand import DemandError
from oxyflow.core.scenarios import ScenarioError
from oxyflow.scenarios.cli_options import add_population_options, region_option
from oxyflow.scenarios.services import ScenarioRequest, run

TABLE_COLUMNS = (
    ("patients", "patients"),
    ("severe", "severe"),
    ("critical", "critical"),
    ("oxygen_m3_per_day", "O2 Nm³/day"),
    ("oxygen_m3_per_day_low", "low"),
    ("oxygen_m3_per_day_high", "high"),
    ("lox_tonnes_per_day", "LOX t/day"),
    ("concentrators", "concentrators"),
    ("psa_m3_per_h", "PSA Nm³/h"),
    ("storage_kg", "reserve kg"),
    ("oxygen_beds", "O2 beds"),
    ("icu_beds", "ICU beds"),
)
DISTRICT_COLUMNS = (
    ("code", "district"),
    ("patients", "patients"),
    ("oxygen_m3_per_day", "need Nm³/day"),
    ("available_m3_per_day", "available Nm³/day"),
    ("gap_m3_per_day", "gap Nm³/day"),
    ("binding_constraint", "binding"),
    ("reserve_days_available", "reserve days"),
)


def patient_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is invalid: give whole numbers separated by commas, e.g. 1000,5000"
        ) from None
    return values


class Command(BaseCommand):
    help = (
        "Oxygen, LOX, cylinders, concentrators, PSA capacity, reserve storage, beds and PPE "
        "needed for N patients under treatment (WHO ESFT severity mix by default). With "
        "--region, patients are spread over the region's districts and set against the "
        "registered supply, transport and storage (gap table). JSON output prints nothing else "
        "on stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients",
            required=True,
            type=patient_list,
            help="Patients under treatment, comma-separated, e.g. 1000,5000,10000.",
        )
        parser.add_argument(
            "--region", help="Region code: spread over its districts and compare with supply."
        )
        add_population_options(parser)
        parser.add_argument(
            "--hfnc",
            type=float,
            help="High-flow nasal cannula flow in L/min (up to 60) for high-flow patients.",
        )
        parser.add_argument(
            "--reserve-days",
            type=float,
            default=3.0,
            help="Days of reserve storage to plan for (default 3).",
        )
        parser.add_argument(
            "--cylinder-type",
            help="Cylinder type code: count cylinders per day and in circulation.",
        )
        parser.add_argument(
            "--format",
            default="table",
            choices=("table", "csv", "json"),
            help="Output format (default table).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        region = region_option(options["region"]) if options["region"] else None
        request = ScenarioRequest(
            patients=options["patients"],
            profile=options["profile"],
            mix=options["mix"],
            severe_share=options["severe_share"],
            hfnc_l_per_min=options["hfnc"],
            reserve_days=options["reserve_days"],
            spread=options["spread"],
            conditions=options["conditions"],
            cylinder_type=options["cylinder_type"],
        )
        try:
            result = run(request, region)
        except (ScenarioError, DemandError) as exc:
            raise CommandError(str(exc)) from None
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            self._csv(result)
        else:
            self._table(result)

    def _csv(self, result: dict[str, Any]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "scenario_patients",
                "area",
                *[key for key, _label in TABLE_COLUMNS],
                "gap_m3_per_day",
                "binding_constraint",
            ]
        )
        for scenario in result["scenarios"]:
            writer.writerow(
                [scenario["patients"], "total", *[scenario[k] for k, _ in TABLE_COLUMNS], "", ""]
            )
            for district in scenario["districts"]:
                writer.writerow(
                    [
                        scenario["patients"],
                        district["code"],
                        *[district[k] for k, _ in TABLE_COLUMNS],
                        district["gap_m3_per_day"],
                        district["binding_constraint"],
                    ]
                )

    def _table(self, result: dict[str, Any]) -> None:
        self.stdout.write(f"Reference conditions: {result['reference_conditions']} (m³ are Nm³)")
        self._rows([s for s in result["scenarios"]], TABLE_COLUMNS)
        for scenario in result["scenarios"]:
            if scenario["districts"]:
                self.stdout.write(
                    f"\n{scenario['patients']} patients in {result['region']}, per district:"
                )
                self._rows(scenario["districts"], DISTRICT_COLUMNS)
        self.stdout.write("\nBasis: " + result["scenarios"][0]["basis"])

    def _rows(self, rows: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> None:
        cells = [[label for _key, label in columns]]
        cells += [
            [
                "—"
                if row[key] is None
                else f"{row[key]:,}"
                if isinstance(row[key], int | float)
                else str(row[key])
                for key, _label in columns
            ]
            for row in rows
        ]
        widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
        for line in cells:
            self.stdout.write(
                "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
            )
