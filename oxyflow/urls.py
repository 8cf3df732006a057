from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from oxyflow.api import api
from oxyflow.web import health

admin.site.site_header = _("OxyFlow administration")
admin.site.site_title = _("OxyFlow administration")
admin.site.index_title = _("Registry and accounts")

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("accounts/", include("oxyflow.accounts.urls")),
    path("reports/upload/", include("oxyflow.reporting.upload_urls")),
    path("reports/", include("oxyflow.reporting.calendar_urls")),
    path("reports/", include("oxyflow.reporting.urls")),
    path("", include("oxyflow.registry.urls")),
    path("scenarios/", include("oxyflow.scenarios.urls")),
    path("alerts/", include("oxyflow.alerts.urls")),
    path("incidents/", include("oxyflow.incidents.urls")),
    path("dashboard/", include("oxyflow.dashboard.urls")),
    path("sitrep/", include("oxyflow.sitrep.urls")),
    path("", include("oxyflow.web.urls")),
]
