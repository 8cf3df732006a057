"""The on-call roster form and the alert list filters."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from oxyflow.alerts import services
from oxyflow.alerts.models import AlertKind, AlertStatus, Severity
from oxyflow.registry import models as reg
from oxyflow.reporting.services import site_calendar


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Open or acknowledged")), *AlertStatus.choices, ("all", _("All"))],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All")), *Severity.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *AlertKind.choices]
    )


def region_time_zone(region: reg.Region) -> str:
    """The time zone of a region's country (its reporting calendar's)."""
    return site_calendar(reg.Site(region=region)).time_zone


class ShiftForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)  # type: ignore[arg-type]
    person = forms.ModelChoiceField(label=_("Person on duty"), queryset=None)  # type: ignore[arg-type]
    starts_at = forms.DateTimeField(
        label=_("Starts at (the region's local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at (the region's local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    phone = forms.CharField(
        label=_("Phone for SMS (optional)"),
        required=False,
        max_length=30,
        help_text=_("Otherwise the number of the person's profile."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = services.roster_regions(user)  # type: ignore[attr-defined]
        self.fields["person"].queryset = services.roster_people(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region = data.get("region")
        if region is not None:
            # The times typed are the region's wall-clock times (a weekend shift starts at
            # 08:00 in Batna, not at 08:00 UTC).
            zone = ZoneInfo(region_time_zone(region))
            for name in ("starts_at", "ends_at"):
                if data.get(name) is not None:
                    data[name] = data[name].replace(tzinfo=None).replace(tzinfo=zone)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A shift must end after it starts."))
        for name in ("phone", "note"):
            if "\x00" in data.get(name, ""):
                self.add_error(name, _("This text may not contain the NUL character."))
        return data
