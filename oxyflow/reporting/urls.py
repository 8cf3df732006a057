from __future__ import annotations

from django.urls import path

from oxyflow.reporting import views

app_name = "reporting"
urlpatterns = [
    path("facility/<str:code>/", views.facility_reports, name="facility_list"),
    path("facility/<str:code>/new/", views.facility_report_new, name="facility_new"),
    path("facility-report/<int:report_id>/", views.facility_report, name="facility_report"),
    path("producer/<str:code>/", views.producer_reports, name="producer_list"),
    path("producer/<str:code>/new/", views.producer_report_new, name="producer_new"),
    path("producer-report/<int:report_id>/", views.producer_report, name="producer_report"),
]
