"""The scenario page's form: the same inputs and bounds as ``POST /api/v1/scenarios``.

The form only checks types and bounds; the domain rules stay in the core, whose typed
errors the view puts back on the matching field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from oxyflow.accounts import scopes
from oxyflow.registry import models as reg
from oxyflow.scenarios.services import ScenarioRequest

MAX_PATIENTS = 10_000_000
MAX_SCENARIOS = 20

# Number errors name the value and the rule; the error summary adds the field's label.
NUMBER_ERRORS = {
    "invalid": _("“%(value)s” is not a number."),
    "min_value": _("%(value)s is below the minimum of %(limit_value)s."),
    "max_value": _("%(value)s is above the maximum of %(limit_value)s."),
}


class NumberField(forms.FloatField):
    """A float field whose errors quote the value as it was typed ("120", not "120.0")."""

    default_error_messages = NUMBER_ERRORS

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except ValidationError as exc:
            for error in exc.error_list:
                if error.code in NUMBER_ERRORS:
                    error.params = {**(error.params or {}), "value": str(value).strip()}
            raise


def parse_patients(text: str) -> tuple[int, ...]:
    """Comma-separated patient counts, each 0–10,000,000, at most 20 of them.

    Spaces and underscores inside a number are ignored ("10 000" is ten thousand).

    Raises
    ------
    ValidationError
        Naming the first value that is not a whole number or is out of range.
    """
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise ValidationError(
            _("Give at least one number of patients, e.g. 1000,5000,10000."), code="required"
        )
    if len(parts) > MAX_SCENARIOS:
        raise ValidationError(
            ngettext(
                "Give at most %(limit)s patient counts; you gave %(count)s.",
                "Give at most %(limit)s patient counts; you gave %(count)s.",
                len(parts),
            ),
            code="max_scenarios",
            params={"limit": MAX_SCENARIOS, "count": len(parts)},
        )
    values = []
    for part in parts:
        cleaned = "".join(part.split()).replace("_", "")
        if not cleaned.lstrip("-").isdigit() or not cleaned.isascii():
            raise ValidationError(
                _("“%(value)s” is not a whole number of patients."),
                code="invalid",
                params={"value": part.strip()},
            )
        value = int(cleaned)
        if not 0 <= value <= MAX_PATIENTS:
            raise ValidationError(
                _("%(value)s is out of range: each count must be between 0 and %(limit)s."),
                code="out_of_range",
                params={
                    "value": part.strip(),
                    "limit": number_format(MAX_PATIENTS, force_grouping=True),
                },
            )
        values.append(value)
    return tuple(values)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: reg.Region) -> str:
        return f"{obj.name} ({obj.code})"


class CylinderTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: reg.CylinderType) -> str:
        return f"{obj.name} ({obj.code})"


class ScenarioForm(forms.Form):
    """Inputs of one scenario run; field names are those of ``ScenarioRequest``."""

    patients = forms.CharField(
        label=_("Patients under treatment"),
        max_length=400,
        help_text=_("One or more counts separated by commas, e.g. 1000,5000,10000."),
        # A list of numbers reads left to right in Arabic too.
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    region = RegionChoiceField(
        label=_("Region"),
        queryset=reg.Region.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("None (totals only)"),
        help_text=_("Spread the patients over its districts and compare with their supply."),
        error_messages={"invalid_choice": _("“%(value)s” is not a region in your scope.")},
    )
    profile = forms.ChoiceField(
        label=_("Flow profile"),
        choices=[("who", _("WHO ESFT")), ("india", _("India 2021"))],
        initial="who",
    )
    mix = forms.ChoiceField(
        label=_("Severity mix"),
        choices=[
            ("esft", _("All cases, WHO ESFT mix")),
            ("oxygen", _("Oxygen patients only")),
        ],
        initial="esft",
        help_text=_(
            "All cases: mild, moderate, severe and critical in the WHO ESFT shares 40/40/15/5. "
            "Oxygen patients only: severe and critical, split by the severe share."
        ),
    )
    severe_share = NumberField(
        label=_("Severe share"),
        min_value=0,
        max_value=1,
        initial=0.75,
        help_text=_("With oxygen patients only: the share that is severe, from 0 to 1."),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    hfnc_l_per_min = NumberField(
        label=_("High-flow nasal cannula (L/min)"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=_("Optional: flow for high-flow patients, up to 60 L/min."),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    reserve_days = NumberField(
        label=_("Reserve (days)"),
        min_value=0,
        max_value=90,
        initial=3,
        help_text=_("Days of storage to plan for, from 0 to 90."),
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    spread = forms.ChoiceField(
        label=_("Spread over districts by"),
        choices=[("population", _("Population")), ("beds", _("Oxygen beds"))],
        initial="population",
    )
    conditions = forms.ChoiceField(
        label=_("Gas reference conditions"),
        choices=[("", _("Country default")), *reg.LoxReference.choices],
        required=False,
        initial="",
    )
    cylinder_type = CylinderTypeChoiceField(
        label=_("Cylinder type"),
        queryset=reg.CylinderType.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("None (no cylinder count)"),
        error_messages={"invalid_choice": _("“%(value)s” is not a registered cylinder type.")},
    )

    def __init__(self, data: Any = None, *, user: Any) -> None:
        if data is not None:
            # A bookmark may carry only some fields: the others take their defaults.
            data = data.copy()
            for name, field in self.base_fields.items():
                if name not in data and field.initial is not None:
                    data[name] = str(field.initial)
        super().__init__(data)
        self.fields["region"].queryset = scenario_regions(user)
        self.fields["cylinder_type"].queryset = scopes.visible(
            reg.CylinderType.objects.order_by("code"), user
        )

    def clean_patients(self) -> tuple[int, ...]:
        return parse_patients(self.cleaned_data["patients"])

    def scenario_request(self) -> ScenarioRequest:
        """The validated inputs as the core's request (call after ``is_valid()``)."""
        data = self.cleaned_data
        cylinder = data["cylinder_type"]
        return ScenarioRequest(
            patients=data["patients"],
            profile=data["profile"],
            mix=data["mix"],
            severe_share=data["severe_share"],
            hfnc_l_per_min=data["hfnc_l_per_min"],
            reserve_days=data["reserve_days"],
            spread=data["spread"],
            conditions=data["conditions"] or None,
            cylinder_type=cylinder.code if cylinder else None,
        )


def scenario_regions(user: Any) -> QuerySet[reg.Region]:
    """Active provinces and districts the user may see: the regions a scenario can spread over."""
    return scopes.visible(
        reg.Region.objects.active().filter(
            level__in=[reg.RegionLevel.PROVINCE, reg.RegionLevel.DISTRICT]
        ),
        user,
    ).order_by("path")
