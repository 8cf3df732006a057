"""The situation report as CSV: one section per table, for spreadsheets.

Each section is a title row, a header row (translated, units in brackets) and its rows,
then an empty row. Numbers are plain (dot decimal, no grouping) so any spreadsheet reads
them whatever its locale; times are ISO 8601 in the region's time zone, with offset.
The caller prefixes a byte-order mark so Excel opens Arabic and Vietnamese as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from oxyflow.registry.transfer.sheets import FORMULA_START
from oxyflow.sitrep.report import SituationReport, deliveries_note, outlook_basis


def number(value: float | int | None) -> str:
    """A number as a spreadsheet reads it in any locale: ``1234.5``; empty for None."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}"


def _cell(value: object) -> object:
    """A CSV cell; text that a spreadsheet would run as a formula (an incident title
    such as ``=HYPERLINK(…)``) is quoted with ``'``, as the registry export does."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def csv_text(report: SituationReport) -> str:
    """The whole report as CSV text (without the byte-order mark)."""
    zone = ZoneInfo(report.time_zone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def when(value: datetime | date | None) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.astimezone(zone).isoformat(timespec="minutes")
        return value.isoformat()

    def section(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(c) for c in row])
        writer.writerow([])

    yes, no = gettext("yes"), gettext("no")
    section(
        gettext("Daily situation report"),
        [gettext("Item"), gettext("Value")],
        [
            [gettext("Region"), report.region_name],
            [gettext("Region code"), report.region_code],
            [gettext("Day"), report.day.isoformat()],
            [gettext("Generated at"), when(report.generated_at)],
            [gettext("Time zone"), report.time_zone],
            [gettext("Generated for"), report.reader],
            [gettext("Language"), report.language],
        ],
    )
    section(
        gettext("Key figures"),
        [gettext("Figure"), gettext("Value"), gettext("Unit"), gettext("Basis"), gettext("Key")],
        [[f.label, number(f.value), f.unit, f.basis, f.key] for f in report.key_figures],
    )
    section(
        gettext("Facilities at risk"),
        [
            gettext("Code"),
            gettext("Facility"),
            gettext("Region"),
            gettext("Band"),
            gettext("Oxygen left now (h)"),
            gettext("Runs out at"),
            gettext("Demand (Nm³/day)"),
            gettext("Patients on oxygen"),
            gettext("Latest report"),
        ],
        [
            [
                f.code,
                f.name,
                f.region_name,
                f.band_label,
                number(f.autonomy_hours_now),
                when(f.runs_out_at),
                number(f.demand_nm3_per_day),
                number(f.patients_on_oxygen),
                when(f.report_date),
            ]
            for f in report.at_risk
        ],
    )
    section(
        gettext("Production per producer"),
        [
            gettext("Code"),
            gettext("Producer"),
            gettext("Region"),
            gettext("Reported"),
            gettext("Produced (Nm³)"),
            gettext("Downtime (h)"),
            gettext("Downtime cause"),
        ],
        [
            [
                p.code,
                p.name,
                p.region_name,
                yes if p.reported else no,
                number(p.produced_nm3),
                number(p.downtime_hours),
                p.downtime_cause_label,
            ]
            for p in report.production
        ],
    )
    writer.writerow([gettext("Deliveries"), deliveries_note()])
    writer.writerow([])
    section(
        gettext("Incidents"),
        [
            gettext("Number"),
            gettext("Status"),
            gettext("Severity"),
            gettext("Kind"),
            gettext("Title"),
            gettext("Region"),
            gettext("Sites"),
            gettext("Opened at"),
            gettext("Resolved at"),
            gettext("Open for (h)"),
        ],
        [
            [
                i.id,
                i.status_label,
                i.severity_label,
                i.kind_label,
                i.title,
                i.region_name,
                "; ".join(i.sites),
                when(i.opened_at),
                when(i.resolved_at),
                number(i.open_hours),
            ]
            for i in report.incidents
        ],
    )
    section(
        gettext("Outlook: facilities running out"),
        [gettext("Within (days)"), gettext("Facilities")],
        report.running_out_counts,
    )
    section(
        gettext("Outlook: facilities running out, soonest first"),
        [
            gettext("Code"),
            gettext("Facility"),
            gettext("Region"),
            gettext("Within (days)"),
            gettext("Runs out at"),
            gettext("Oxygen left now (h)"),
        ],
        [
            [
                r.code,
                r.name,
                r.region_name,
                r.within_days,
                when(r.runs_out_at),
                number(r.autonomy_hours_now),
            ]
            for r in report.running_out
        ],
    )
    census = report.census
    section(
        gettext("Outlook: census projection"),
        [
            gettext("Days ahead"),
            gettext("Day"),
            gettext("Patients on oxygen (projected)"),
            gettext("Patients, low"),
            gettext("Patients, high"),
            gettext("Demand (Nm³/day)"),
            gettext("Demand, low (Nm³/day)"),
            gettext("Demand, high (Nm³/day)"),
        ],
        [
            *(
                [
                    row.ahead_days,
                    when(row.day),
                    number(row.patients),
                    number(row.patients_low),
                    number(row.patients_high),
                    number(row.demand_nm3_per_day),
                    number(row.demand_low_nm3_per_day),
                    number(row.demand_high_nm3_per_day),
                ]
                for row in census.rows
            ),
            [gettext("Basis"), outlook_basis(report)],
        ],
    )
    return out.getvalue()
