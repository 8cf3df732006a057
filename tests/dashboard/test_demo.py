"""The demo's coordination layer on top of its registry and reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oxyflow.alerts.models import Alert, Notification, NotificationStatus, OnCallShift
from oxyflow.alerts.notifications import send_pending
from oxyflow.dashboard import demo, services
from oxyflow.dashboard.models import FacilityDay
from oxyflow.incidents.models import Incident
from oxyflow.registry import demo as registry_demo
from oxyflow.reporting import demo as report_history
from oxyflow.reporting.models import FacilityReport

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 8, 9, 11, 0, tzinfo=UTC)


def test_the_demo_has_a_roster_incidents_alerts_and_a_dashboard_to_show():
    registry_demo.load()
    report_history.load(now=NOW)
    summary = demo.load(now=NOW)
    assert summary.shifts == OnCallShift.objects.count() == 2
    assert summary.incidents == Incident.objects.count() == 3
    assert set(Incident.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "resolved",
    }
    # Every current report has its daily figures, and the dashboard reads them.
    assert FacilityDay.objects.count() == FacilityReport.objects.filter(is_current=True).count()
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="coord.batna")
    dash = services.resolve_scope(coordinator)
    k = services.kpis(dash, NOW)
    assert k.facilities_reporting > 0
    assert k.open_incidents == 2
    assert summary.open_alerts == Alert.objects.exclude(status="resolved").count()
    # Reports of earlier days queued warnings that the critical message overtook: each
    # person gets one message per alert, level and channel, never the stale one too.
    send_pending(now=NOW)
    sent = list(
        Notification.objects.filter(status=NotificationStatus.SENT).values_list(
            "alert_id", "level", "channel", "recipient"
        )
    )
    assert sent
    assert len(sent) == len(set(sent))
    # Loading again adds nothing.
    again = demo.load(now=NOW)
    assert (again.shifts, again.incidents) == (2, 3)
