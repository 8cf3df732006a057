"""The phone-first daily report forms: what was typed, handed to the service as it is.

The forms check only what the service cannot (a date that is not a date, the name of
whoever phoned in the figures). Every rule on the figures themselves (counts ≥ 0, a
level within its tank, a unit that fits, a day not in the future, a reason for a
correction) lives in :mod:`oxyflow.reporting.services`, whose errors
:meth:`ReportForm.add_service_errors` puts back next to the field they name:
``lox_tanks.0.level`` is the level field of the first tank row that was sent.

Numbers are text fields with a numeric keyboard (``inputmode``), not ``type=number``,
so that what was typed comes back exactly as typed when the page is shown again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import number_format, sanitize_separators
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oxyflow.registry import models as reg
from oxyflow.reporting import services
from oxyflow.reporting.models import (
    Channel,
    DowntimeCause,
    FacilityReport,
    ProducerReport,
    PsaStatus,
)

LEVEL_UNIT_CHOICES = [
    # xgettext:no-python-format
    ("%", pgettext_lazy("tank level unit", "% full")),
    ("kg", pgettext_lazy("unit", "kg")),
    ("t", pgettext_lazy("unit", "t")),
    ("L", pgettext_lazy("unit", "L of liquid")),
    ("kL", pgettext_lazy("unit", "kL of liquid")),
]
CONSUMPTION_UNIT_CHOICES = [
    ("Nm3", pgettext_lazy("unit", "Nm³ of gas")),
    ("m3", pgettext_lazy("unit", "m³ of gas")),
    ("kg", pgettext_lazy("unit", "kg of liquid oxygen")),
    ("t", pgettext_lazy("unit", "t of liquid oxygen")),
    ("L", pgettext_lazy("unit", "L of liquid oxygen")),
    ("kL", pgettext_lazy("unit", "kL of liquid oxygen")),
]
MASS_UNIT_CHOICES = [c for c in LEVEL_UNIT_CHOICES if c[0] != "%"]
KEY_LENGTH = 200


def new_key() -> str:
    """A fresh submission key: one per rendered form, so a resend is recognised."""
    return uuid.uuid4().hex


def as_text(value: Decimal | int | None) -> str:
    """A stored figure as a person would type it: ``50``, not ``50.000``."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _count(label: Any, *, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _decimal(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _select(label: Any, choices: Sequence[tuple[str, Any]]) -> forms.CharField:
    # A text field shown as a select: a value outside the list (a tampered or outdated
    # page) reaches the service, whose message names the allowed units.
    return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))


def _number_text(value: str) -> str:
    """A decimal as typed in the user's language ("12,5" in French) as the service reads it."""
    value = value.strip()
    return str(sanitize_separators(value)) if value else ""


@dataclass(eq=False)
class Row:
    """One repeated row of a form: a tank, a cylinder type or a product.

    ``row["level"]`` (``{{ row.level }}`` in a template) is the bound field of that row.
    """

    form: forms.Form
    prefix: str
    label: str
    detail: str = ""
    hidden: str = ""
    names: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> forms.BoundField:
        if name not in self.names:
            raise KeyError(name)
        return self.form[f"{self.prefix}-{name}"]

    @property
    def key_field(self) -> forms.BoundField:
        return self.form[f"{self.prefix}-{self.hidden}"]

    @property
    def errors(self) -> list[str]:
        """Errors on the row's hidden identity field (an unknown type, a tank twice)."""
        return list(self.form.errors.get(f"{self.prefix}-{self.hidden}", []))

    def value(self, name: str) -> str:
        return str(self.form.data.get(f"{self.prefix}-{name}", "") or "")

    def is_blank(self) -> bool:
        return not any(self.value(n).strip() for n in self.names if n not in ("unit",))


class ReportForm(forms.Form):
    """What both report forms share: day, key, notes, on-behalf name and correction."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=KEY_LENGTH)
    report_date = forms.DateField(
        label=_("Day of the report"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reported_by_name = forms.CharField(
        label=_("Reported by (name, by phone)"),
        required=False,
        max_length=200,
        help_text=_("Who gave you these figures, e.g. “Dr Amina Saadi, phone call 08:40”."),
    )
    correction_reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A report for this day exists already; say what was wrong in it."),
    )

    # The repeated rows, named as the service input's lists ("lox_tanks", "cylinders").
    groups: tuple[str, ...] = ()

    def __init__(self, data: Mapping[str, Any] | None = None, *, on_behalf: bool, **kw: Any):
        super().__init__(data, **kw)
        self.on_behalf = on_behalf
        if not on_behalf:
            del self.fields["reported_by_name"]
        else:
            self.fields["reported_by_name"].widget.attrs["autocomplete"] = "off"
        self.rows: dict[str, list[Row]] = {group: [] for group in self.groups}
        # Which row each item the service received came from: "lox_tanks" → [0, 2].
        self.sent: dict[str, list[int]] = {group: [] for group in self.groups}

    def clean_reported_by_name(self) -> str:
        name: str = self.cleaned_data.get("reported_by_name", "").strip()
        if self.on_behalf and not name:
            raise forms.ValidationError(
                _("Name who gave you the figures: you are entering them on the site's behalf."),
                code="required",
            )
        return name

    def submission(self, user: Any, *, now: Any) -> services.Submission:
        """Who sends, how and under which key (call after ``is_valid()``)."""
        data = self.cleaned_data
        return services.Submission(
            user=user,
            key=data["submission_key"],
            channel=Channel.PHONE if self.on_behalf else Channel.FORM,
            reported_by_name=data.get("reported_by_name", ""),
            correction_reason=data.get("correction_reason", ""),
            now=now,
        )

    def day(self, default: date) -> date:
        """The day the form is about: the valid posted one, else ``default``."""
        day: date | None = getattr(self, "cleaned_data", {}).get("report_date")
        return day or default

    def _add_row(self, group: str, row: Row, fields: Mapping[str, forms.Field]) -> None:
        for name, f in fields.items():
            self.fields[f"{row.prefix}-{name}"] = f
        self.rows[group].append(row)

    def _sent_rows(self, group: str) -> list[Row]:
        """The rows with something typed in them, remembered in the order they are sent."""
        indexed = [(i, r) for i, r in enumerate(self.rows[group]) if not r.is_blank()]
        self.sent[group] = [i for i, _row in indexed]
        return [r for _i, r in indexed]

    def add_service_errors(self, errors: Mapping[str, Sequence[str]]) -> None:
        """Put the service's errors (by field path) on the matching fields of the form."""
        for path, messages in errors.items():
            name = self._field_for(path)
            for message in messages:
                self.add_error(name, message)
        if "submission_key" in errors:
            # A broken key cannot be fixed by the user: the next send gets a fresh one.
            self.data = self.data.copy()
            self.data["submission_key"] = new_key()

    def _field_for(self, path: str) -> str | None:
        parts = path.split(".")
        if len(parts) == 3 and parts[0] in self.sent and parts[1].isdigit():
            sent = self.sent[parts[0]]
            index = int(parts[1])
            if index < len(sent):
                row = self.rows[parts[0]][sent[index]]
                name = f"{row.prefix}-{parts[2]}"
                return name if name in self.fields else f"{row.prefix}-{row.hidden}"
        aliases = {"as_of": "report_date", "psa_output_unit": "psa_output"}
        name = aliases.get(path, path)
        return name if name in self.fields and name != "submission_key" else None


# --------------------------------------------------------------------------- facility


def cylinder_types_for(facility: reg.Facility) -> tuple[list[reg.CylinderType], list[int]]:
    """All cylinder types, the facility's first: its manifold type, then those it reported.

    Returns the ordered types and the ids of the facility's own (shown open).
    """
    own: list[int] = []
    if facility.manifold_cylinder_type_id:
        own.append(facility.manifold_cylinder_type_id)
    reported = (
        FacilityReport.objects.filter(facility=facility, is_current=True)
        .order_by("-report_date")
        .values_list("cylinders__cylinder_type_id", flat=True)[:200]
    )
    for type_id in reported:
        if type_id is not None and type_id not in own:
            own.append(type_id)
    types = list(reg.CylinderType.objects.all())
    order = {type_id: i for i, type_id in enumerate(own)}
    types.sort(key=lambda t: (order.get(t.pk, len(order)), t.water_capacity_l, t.code))
    return types, own


class FacilityReportForm(ReportForm):
    """A facility's day: census, beds, tank levels, cylinders, generation, consumption."""

    groups = ("lox_tanks", "cylinders")

    patients_low_flow = _count(_("Patients on low-flow oxygen"))
    patients_high_flow = _count(_("Patients on high-flow oxygen or NIV"))
    patients_ventilated = _count(_("Patients on invasive ventilation"))
    beds_occupied = _count(_("Beds occupied, total (optional)"))
    beds_occupied_oxygen = _count(_("Oxygen beds occupied (optional)"))
    beds_occupied_icu = _count(_("ICU beds occupied (optional)"))
    concentrators_in_use = _count(_("Concentrators in use"))
    concentrators_idle = _count(_("Concentrators idle"))
    concentrators_broken = _count(_("Concentrators broken"))
    psa_status = _select(_("PSA plant"), PsaStatus.choices)
    psa_output = _decimal(_("PSA plant output (Nm³/h)"))
    consumption = _decimal(
        _("Oxygen drawn from tanks and cylinders since the last report (optional)")
    )
    consumption_unit = _select(_("Unit of the oxygen used"), CONSUMPTION_UNIT_CHOICES)

    field_order = [
        "submission_key",
        "report_date",
        "patients_low_flow",
        "patients_high_flow",
        "patients_ventilated",
    ]

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        facility: reg.Facility,
        on_behalf: bool,
        tanks: Iterable[reg.LoxTank],
        cylinder_types: Iterable[reg.CylinderType],
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, on_behalf=on_behalf, initial=initial)
        self.facility = facility
        for i, tank in enumerate(tanks):
            row = Row(
                self,
                f"lox_tanks-{i}",
                tank.name,
                _("holds %(litres)s L of liquid, %(kg)s kg")
                % {
                    "litres": number_format(tank.capacity_liquid_l, 0, force_grouping=True),
                    "kg": number_format(tank.capacity_kg(), 0, force_grouping=True),
                },
                hidden="tank",
                names=("level", "unit"),
                extra={"tank": tank},
            )
            self._add_row(
                "lox_tanks",
                row,
                {
                    "tank": forms.CharField(
                        widget=forms.HiddenInput, required=False, initial=tank.name
                    ),
                    "level": _decimal(_("Level of %(tank)s") % {"tank": tank.name}),
                    "unit": _select(_("Unit of the level"), LEVEL_UNIT_CHOICES),
                },
            )
        for i, ctype in enumerate(cylinder_types):
            row = Row(
                self,
                f"cylinders-{i}",
                ctype.name,
                ctype.code,
                hidden="cylinder_type",
                names=("full", "empty", "used"),
                extra={"cylinder_type": ctype},
            )
            self._add_row(
                "cylinders",
                row,
                {
                    "cylinder_type": forms.CharField(
                        widget=forms.HiddenInput, required=False, initial=ctype.code
                    ),
                    "full": _count(pgettext_lazy("cylinders", "Full")),
                    "empty": _count(pgettext_lazy("cylinders", "Empty")),
                    "used": _count(_("Emptied since the last report (optional)")),
                },
            )

    def report_in(self) -> services.FacilityReportIn:
        """The typed figures as the service's input (call after ``is_valid()``)."""
        data = self.cleaned_data
        tanks = [
            services.TankLevelIn(
                _number_text(row.value("level")), row.value("unit"), row.key_field.value() or ""
            )
            for row in self._sent_rows("lox_tanks")
        ]
        cylinders = [
            services.CylindersIn(
                row.key_field.value() or "",
                row.value("full").strip(),
                row.value("empty").strip(),
                row.value("used").strip() or None,
            )
            for row in self._sent_rows("cylinders")
        ]
        return services.FacilityReportIn(
            report_date=data["report_date"],
            patients_low_flow=data["patients_low_flow"],
            patients_high_flow=data["patients_high_flow"],
            patients_ventilated=data["patients_ventilated"],
            beds_occupied=data["beds_occupied"] or None,
            beds_occupied_oxygen=data["beds_occupied_oxygen"] or None,
            beds_occupied_icu=data["beds_occupied_icu"] or None,
            lox_tanks=tanks,
            cylinders=cylinders,
            concentrators_in_use=data["concentrators_in_use"],
            concentrators_idle=data["concentrators_idle"],
            concentrators_broken=data["concentrators_broken"],
            psa_status=data["psa_status"] or PsaStatus.NONE,
            psa_output=_number_text(data["psa_output"]) or None,
            psa_output_unit="m3/h",
            consumption=_number_text(data["consumption"]) or None,
            consumption_unit=data["consumption_unit"],
            notes=data["notes"],
        )

    def own_cylinder_rows(self, own: Sequence[int]) -> tuple[list[Row], list[Row]]:
        """Cylinder rows of the facility's own types, and the others (shown folded)."""
        rows = self.rows["cylinders"]
        mine = [r for r in rows if r.extra["cylinder_type"].pk in own or not r.is_blank()]
        mine += [r for r in rows if r.errors and r not in mine]
        return mine, [r for r in rows if r not in mine]


def facility_initial(
    report: FacilityReport | None,
    *,
    day: date,
    key: str,
    tanks: Sequence[reg.LoxTank],
    cylinder_types: Sequence[reg.CylinderType],
    last: FacilityReport | None,
    facility: reg.Facility,
) -> dict[str, Any]:
    """What the form starts with: the day's current figures to correct, else only units."""
    initial: dict[str, Any] = {"submission_key": key, "report_date": day}
    template = report or last
    tank_units = {}
    if template is not None:
        tank_units = {t.tank_id: t.level_unit for t in template.tanks.all()}
    for i, tank in enumerate(tanks):
        initial[f"lox_tanks-{i}-unit"] = tank_units.get(tank.pk, "%")
    initial["consumption_unit"] = (template.consumption_unit if template else "") or "Nm3"
    initial["psa_status"] = (
        template.psa_status
        if template
        else (PsaStatus.RUNNING if facility.psa_output_nm3_per_h else PsaStatus.NONE)
    )
    if report is None:
        return initial
    for name in (
        "patients_low_flow",
        "patients_high_flow",
        "patients_ventilated",
        "beds_occupied",
        "beds_occupied_oxygen",
        "beds_occupied_icu",
        "concentrators_in_use",
        "concentrators_idle",
        "concentrators_broken",
    ):
        initial[name] = as_text(getattr(report, name))
    if report.psa_output_nm3_per_h:
        initial["psa_output"] = as_text(report.psa_output_nm3_per_h)
    initial["consumption"] = as_text(report.consumption_value)
    initial["notes"] = report.notes
    levels = {t.tank_id: t for t in report.tanks.all()}
    for i, tank in enumerate(tanks):
        if tank.pk in levels:
            initial[f"lox_tanks-{i}-level"] = as_text(levels[tank.pk].level_value)
    counts = {c.cylinder_type_id: c for c in report.cylinders.all()}
    for i, ctype in enumerate(cylinder_types):
        line = counts.get(ctype.pk)
        if line is not None:
            initial[f"cylinders-{i}-full"] = as_text(line.full)
            initial[f"cylinders-{i}-empty"] = as_text(line.empty)
            initial[f"cylinders-{i}-used"] = as_text(line.used)
    return initial


# --------------------------------------------------------------------------- producer


class ProducerReportForm(ReportForm):
    """A producer's day: per product produced, in stock, available tomorrow; downtime."""

    groups = ("lines",)

    downtime_hours = _decimal(_("Hours of downtime"))
    downtime_cause = _select(_("Cause of the downtime"), DowntimeCause.choices)

    field_order = ["submission_key", "report_date"]

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        products: Iterable[reg.Product],
        on_behalf: bool,
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, on_behalf=on_behalf, initial=initial)
        for i, product in enumerate(products):
            is_mass = product.unit_of_issue == reg.UnitOfIssue.KG
            unit_label = product.get_unit_of_issue_display()
            names = ("produced", "stock", "available_tomorrow", *(("unit",) if is_mass else ()))
            row = Row(
                self,
                f"lines-{i}",
                product.name,
                "" if is_mass else str(unit_label),
                hidden="product",
                names=names,
                extra={"product": product, "is_mass": is_mass},
            )
            fields: dict[str, forms.Field] = {
                "product": forms.CharField(
                    widget=forms.HiddenInput, required=False, initial=product.code
                ),
                "produced": _decimal(_("Produced in the day")),
                "stock": _decimal(_("In stock now")),
                "available_tomorrow": _decimal(_("Available for dispatch tomorrow")),
            }
            if is_mass:
                fields["unit"] = _select(pgettext_lazy("measurement", "Unit"), MASS_UNIT_CHOICES)
            self._add_row("lines", row, fields)

    def report_in(self) -> services.ProducerReportIn:
        """The typed figures as the service's input (call after ``is_valid()``)."""
        data = self.cleaned_data
        lines = [
            services.ProductLineIn(
                row.key_field.value() or "",
                _number_text(row.value("produced")),
                _number_text(row.value("stock")),
                _number_text(row.value("available_tomorrow")),
                row.value("unit"),
            )
            for row in self._sent_rows("lines")
        ]
        return services.ProducerReportIn(
            report_date=data["report_date"],
            lines=lines,
            downtime_hours=_number_text(data["downtime_hours"]) or 0,
            downtime_cause=data["downtime_cause"] or DowntimeCause.NONE,
            notes=data["notes"],
        )


def producer_initial(
    report: ProducerReport | None,
    *,
    day: date,
    key: str,
    products: Sequence[reg.Product],
) -> dict[str, Any]:
    """The day's current figures to correct, else an empty form for the day."""
    initial: dict[str, Any] = {"submission_key": key, "report_date": day}
    initial["downtime_cause"] = DowntimeCause.NONE
    if report is None:
        return initial
    initial["downtime_hours"] = as_text(report.downtime_hours)
    initial["downtime_cause"] = report.downtime_cause
    initial["notes"] = report.notes
    lines = {line.product_id: line for line in report.lines.all()}
    for i, product in enumerate(products):
        line = lines.get(product.pk)
        if line is None:
            continue
        initial[f"lines-{i}-produced"] = as_text(line.produced)
        initial[f"lines-{i}-stock"] = as_text(line.stock)
        initial[f"lines-{i}-available_tomorrow"] = as_text(line.available_tomorrow)
        initial[f"lines-{i}-unit"] = line.unit
    return initial
