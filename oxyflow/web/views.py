"""The landing page: what the user's scope holds."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oxyflow.accounts import scopes
from oxyflow.registry import models as reg


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scopes.scope_for(request.user)
    sites = scopes.visible(reg.Site.objects.active(), request.user)
    # order_by() clears the default ordering, which would otherwise split the groups.
    by_kind = dict(sites.order_by().values_list("kind").annotate(n=Count("pk", distinct=True)))
    facilities = scopes.visible(reg.Facility.objects.active(), request.user)
    beds = facilities.aggregate(
        total=Sum("beds_total"), oxygen=Sum("beds_oxygen"), icu=Sum("beds_icu")
    )
    region = None
    if scope.region_path:
        region = reg.Region.objects.filter(path=scope.region_path).first()
    context = {
        "region": region,
        "facility_count": by_kind.get(reg.SiteKind.FACILITY, 0),
        "producer_count": by_kind.get(reg.SiteKind.PRODUCER, 0),
        "depot_count": by_kind.get(reg.SiteKind.DEPOT, 0),
        "beds": beds,
        "vehicle_count": scopes.visible(reg.Vehicle.objects.all(), request.user).count(),
        "facilities": facilities.select_related("region", "status").order_by("priority", "name")[
            :25
        ],
        "reportable": set(
            scopes.editable(reg.Facility.objects.active(), request.user).values_list(
                "pk", flat=True
            )
        ),
    }
    return render(request, "web/home.html", context)
