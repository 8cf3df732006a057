"""Registry pages: sites, regions, fleet, contracts — all filtered by the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oxyflow.accounts import scopes
from oxyflow.registry import models as reg
from oxyflow.registry import services
from oxyflow.reporting import views as reporting_views
from oxyflow.scenarios import network

PAGE_SIZE = 50


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    qs = scopes.visible(reg.Site.objects.select_related("region", "organisation"), request.user)
    kind = request.GET.get("kind", "")
    if kind in reg.SiteKind.values:
        qs = qs.filter(kind=kind)
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(name_local__icontains=text)
        )
    region_code = request.GET.get("region", "")
    regions = scopes.visible(reg.Region.objects.active(), request.user).exclude(
        level=reg.RegionLevel.COMMUNE
    )
    if region_code:
        root = regions.filter(code=region_code).first()
        if root is not None:
            qs = qs.filter(region__path__startswith=root.path)
    if request.GET.get("retired") != "1":
        qs = qs.filter(retired_on__isnull=True)
    page = Paginator(qs.order_by("kind", "name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/site_list.html",
        {
            "page": page,
            "kinds": reg.SiteKind.choices,
            "kind": kind,
            "q": text,
            "regions": regions,
            "region_code": region_code,
            "total": qs.count(),
        },
    )


@login_required
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    site = services.get_visible(
        reg.Site.objects.select_related("region", "organisation"), request.user, code=code
    )
    specific = site.specific()
    context: dict[str, Any] = {
        "site": site,
        "specific": specific,
        "ancestors": [*site.region.ancestors(), site.region],
        "contacts": site.contacts.all(),
        "can_edit": scopes.can_edit(request.user, site),
        "history": change_history(specific),
    }
    if isinstance(specific, reg.Facility):
        context["tanks"] = specific.lox_tanks.all()
        context["concentrators"] = specific.concentrators.all()
        context["contracts"] = scopes.visible(
            specific.contracts.select_related("producer", "product"), request.user
        )
        context["outlook"] = reporting_views.facility_outlook(specific, request.user)
    elif isinstance(specific, reg.Producer):
        context["capacities"] = specific.capacities.select_related("product")
        context["contracts"] = scopes.visible(
            specific.contracts.select_related("facility", "product"), request.user
        )
    return render(request, "registry/site_detail.html", context)


HISTORY_ROWS = 20


def change_history(obj: Any) -> list[dict[str, Any]]:
    """The latest versions of a record, each with the fields it changed (old → new)."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date")[: HISTORY_ROWS + 1]
    )
    rows = []
    for record, previous in zip(records, [*records[1:], None], strict=False):
        changes = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                label = obj._meta.get_field(change.field).verbose_name
                changes.append({"field": label, "old": change.old, "new": change.new})
        rows.append({"record": record, "changes": changes})
    return rows[:HISTORY_ROWS]


class FacilityForm(forms.ModelForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        help_text=gettext_lazy("Kept in the change history."),
    )

    class Meta:
        model = reg.Facility
        fields = [
            "name",
            "name_local",
            "facility_type",
            "region",
            "organisation",
            "latitude",
            "longitude",
            "address",
            "beds_total",
            "beds_oxygen",
            "beds_icu",
            "priority",
            "has_cylinder_manifold",
            "manifold_cylinder_type",
            "psa_output_nm3_per_h",
            "notes",
        ]


class ProducerForm(forms.ModelForm):
    reason = FacilityForm.base_fields["reason"]

    class Meta:
        model = reg.Producer
        fields = [
            "name",
            "name_local",
            "producer_type",
            "ownership",
            "region",
            "organisation",
            "latitude",
            "longitude",
            "address",
            "lox_storage_kg",
            "cylinder_storage_count",
            "notes",
        ]


class DepotForm(forms.ModelForm):
    reason = FacilityForm.base_fields["reason"]

    class Meta:
        model = reg.Depot
        fields = [
            "name",
            "name_local",
            "region",
            "organisation",
            "latitude",
            "longitude",
            "address",
            "notes",
        ]


FORMS: dict[type[reg.Site], type[forms.ModelForm]] = {
    reg.Facility: FacilityForm,
    reg.Producer: ProducerForm,
    reg.Depot: DepotForm,
}


@login_required
def site_edit(request: HttpRequest, code: str) -> HttpResponse:
    site = services.get_editable(reg.Site.objects.all(), request.user, code=code)
    specific = site.specific()
    form_class = FORMS[type(specific)]
    allowed = services.allowed_fields(request.user, specific)
    # Work on a fresh copy so a failed validation never leaves the shown object half-changed.
    instance = type(specific).objects.get(pk=specific.pk)
    form = form_class(request.POST or None, instance=instance)
    # Choices: the regions the user may place sites in, plus the current one (kept even
    # when the field is read-only for this user, so the form still validates).
    placeable = scopes.editable(reg.Region.objects.active(), request.user).values("pk")
    if scopes.scope_for(request.user).role == scopes.Role.COORDINATOR:
        placeable = scopes.visible(reg.Region.objects.active(), request.user).values("pk")
    form.fields["region"].queryset = reg.Region.objects.filter(
        Q(pk__in=placeable) | Q(pk=instance.region_id)
    )
    visible_organisations = scopes.visible(reg.Organisation.objects.all(), request.user)
    form.fields["organisation"].queryset = reg.Organisation.objects.filter(
        Q(pk__in=visible_organisations.values("pk")) | Q(pk=instance.organisation_id)
    )
    for name, field in form.fields.items():
        if allowed is not None and name not in allowed and name != "reason":
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name != "reason" and not form.fields[name].disabled
        }
        fresh = type(specific).objects.get(pk=specific.pk)
        try:
            services.update(
                request.user, fresh, changes, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": fresh.name})
            return redirect("registry:site", code=site.code)
    return render(request, "registry/site_form.html", {"form": form, "site": site})


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    regions = list(
        scopes.visible(reg.Region.objects.select_related("successor"), request.user).exclude(
            level=reg.RegionLevel.COMMUNE
        )
    )
    depth0 = min((r.path.count("/") for r in regions), default=0)
    for region in regions:
        region.indent = region.path.count("/") - depth0  # type: ignore[attr-defined]
    return render(request, "registry/region_list.html", {"regions": regions})


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = services.get_visible(
        reg.Region.objects.select_related("parent", "successor"), request.user, code=code
    )
    children = scopes.visible(region.children.all(), request.user)
    sites = scopes.visible(
        reg.Site.objects.filter(region__path__startswith=region.path).select_related("region"),
        request.user,
    ).order_by("kind", "name")
    country = reg.Country.objects.filter(region__code=region.path.split("/", 1)[0]).first()
    return render(
        request,
        "registry/region_detail.html",
        {
            "region": region,
            "children": children,
            "sites": sites,
            "country": country,
            "predecessors": region.predecessors.all(),
            "capacity": _district_capacity_table(region, request.user),
            "outlook": reporting_views.region_outlook(region, request.user),
        },
    )


def _district_capacity_table(region: reg.Region, user: Any) -> dict[str, Any] | None:
    """Supply capacity per district of a province (or of a district itself), or None.

    ``district_capacities`` reads every facility under the region, so it is shown only
    to users who see the whole region (superuser, or a regional role over it); supplier
    codes are limited to the producers the user may see, the rest counted.
    """
    if region.level not in (reg.RegionLevel.PROVINCE, reg.RegionLevel.DISTRICT):
        return None
    scope = scopes.scope_for(user)
    sees_whole_region = scope.superuser or (
        scope.regional
        and scope.region_path is not None
        and region.path.startswith(scope.region_path)
    )
    if not sees_whole_region:
        return None
    conditions = network.reference_conditions(region)
    day = network.local_today(region)
    capacities = network.district_capacities(region, on_day=day, conditions=conditions)
    all_suppliers = set().union(*(c.suppliers for c in capacities))
    visible_suppliers = set(
        scopes.visible(reg.Producer.objects.filter(code__in=all_suppliers), user).values_list(
            "code", flat=True
        )
    )
    rows = [
        {
            "district": c,
            "suppliers": sorted(c.suppliers & visible_suppliers),
            "hidden_suppliers": len(c.suppliers - visible_suppliers),
        }
        for c in capacities
    ]
    fields = (
        "beds_oxygen",
        "beds_icu",
        "onsite_nm3_per_day",
        "storage_nm3",
        "contracted_nm3_per_day",
        "transport_nm3_per_day",
    )
    totals = {name: sum(getattr(c, name) for c in capacities) for name in fields}
    return {
        "rows": rows,
        "totals": totals,
        "suppliers": len(all_suppliers),
        "conditions": network.describe_conditions(conditions),
        "day": day,
        "speed_km_per_h": network.LOADED_KM_PER_H,
        "handling_h": network.HANDLING_H,
        "can_run_scenario": region.retired_on is None,
    }


@login_required
def fleet(request: HttpRequest) -> HttpResponse:
    vehicles = scopes.visible(
        reg.Vehicle.objects.select_related("organisation", "home_depot").prefetch_related(
            "cylinder_capacities__cylinder_type"
        ),
        request.user,
    )
    return render(request, "registry/fleet.html", {"vehicles": vehicles})


@login_required
def contracts(request: HttpRequest) -> HttpResponse:
    rows = scopes.visible(
        reg.SupplyContract.objects.select_related("producer", "facility", "product"), request.user
    )
    return render(request, "registry/contracts.html", {"contracts": rows})
