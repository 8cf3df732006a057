"""Incident (obstacle) pages, included under ``/incidents/``."""

from __future__ import annotations

from django.urls import path

from oxyflow.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_new, name="new"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/comment/", views.incident_comment, name="comment"),
    path("<int:pk>/assign/", views.incident_assign, name="assign"),
    path("<int:pk>/severity/", views.incident_severity, name="severity"),
    path("<int:pk>/status/", views.incident_transition, name="transition"),
]
