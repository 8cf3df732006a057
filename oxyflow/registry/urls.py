from __future__ import annotations

from django.urls import path

from oxyflow.registry import transfer_views, views

app_name = "registry"
urlpatterns = [
    path("sites/", views.site_list, name="sites"),
    path("sites/<str:code>/", views.site_detail, name="site"),
    path("sites/<str:code>/edit/", views.site_edit, name="site_edit"),
    path("regions/", views.region_list, name="regions"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("fleet/", views.fleet, name="fleet"),
    path("contracts/", views.contracts, name="contracts"),
    path("registry/transfer/", transfer_views.transfer, name="transfer"),
    path("registry/export.<str:fmt>", transfer_views.export, name="export"),
]
