"""Forms of the incident pages; the rules themselves live in :mod:`.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from oxyflow.incidents import services
from oxyflow.incidents.models import (
    Incident,
    IncidentKind,
    IncidentStatus,
    Severity,
    latitude_validators,
    longitude_validators,
)
from oxyflow.registry import models as reg


class SiteChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: reg.Site) -> str:
        return f"{obj.name} ({obj.code}) – {obj.region.name}"


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sites = SiteChoiceField(
        label=_("Sites affected"),
        queryset=reg.Site.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Plants, facilities or depots the obstacle affects (optional)."),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=reg.Region.objects.none(),
        required=False,
        help_text=_("Where the obstacle is. Left empty: the region of the first site."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude (°)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=latitude_validators,
        help_text=_("For an obstacle away from a site, e.g. a blocked road."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude (°)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        validators=longitude_validators,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = services.loggable_sites(user)  # type: ignore[attr-defined]
        self.fields["region"].queryset = services.placeable_regions(user).order_by("path")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("region") and not data.get("sites") and "region" not in self.errors:
            self.add_error("region", _("Give the region where the obstacle is, or link a site."))
        return data

    def incident_in(self) -> services.IncidentIn:
        data = self.cleaned_data
        return services.IncidentIn(
            kind=data["kind"],
            severity=data["severity"],
            title=data["title"],
            description=data["description"],
            region=data["region"],
            sites=list(data["sites"]),
            latitude=data["latitude"],
            longitude=data["longitude"],
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's errors on the fields they name."""
        for name, errors in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=services.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("nobody"),
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = services.assignable_users(incident)  # type: ignore[attr-defined]
        field.label_from_instance = _person  # type: ignore[attr-defined]
        if incident.assigned_to_id and not self.is_bound:
            self.initial["assignee"] = incident.assigned_to_id


def _person(user: Any) -> str:
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=IncidentStatus.choices)
    resolution = forms.CharField(
        label=_("How was the obstacle cleared?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        help_text=_("Why, for the history (e.g. why it is reopened)."),
    )


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
