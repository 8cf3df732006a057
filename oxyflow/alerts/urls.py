"""Alert pages, included under ``/alerts/``."""

from __future__ import annotations

from django.urls import path

from oxyflow.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:alert_id>/", views.alert_detail, name="detail"),
    path("<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:alert_id>/resolve/", views.resolve, name="resolve"),
    path("on-call/", views.roster, name="roster"),
    path("on-call/<int:shift_id>/remove/", views.remove_shift, name="remove_shift"),
]
