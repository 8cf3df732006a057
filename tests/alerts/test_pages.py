"""Alert pages: who sees which alert, who may act, and the on-call roster."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from oxyflow.alerts.models import Alert, AlertKind, AlertStatus, OnCallShift
from oxyflow.alerts.services import alert_counts, open_alerts
from tests.alerts.conftest import NOW, AlertWorld, low_stock, report
from tests.factories import create_facility, create_user


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def alert(aw: AlertWorld) -> Alert:
    report(aw, low_stock())
    return Alert.objects.get(kind=AlertKind.AUTONOMY)


def test_the_list_shows_the_alert_with_its_value_and_an_acknowledge_button(
    aw: AlertWorld, alert: Alert
) -> None:
    page = client_for(aw.world.coordinator).get("/alerts/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-alert-id="{alert.pk}"' in html
    assert 'data-severity="critical"' in html
    assert 'data-kind="autonomy"' in html
    assert 'data-site="DZ-CHU-BATNA"' in html
    assert "4.8 h" in html
    assert ">Acknowledge</button>" in html


def test_the_list_filters_by_severity(aw: AlertWorld, alert: Alert) -> None:
    html = client_for(aw.world.ministry).get("/alerts/?severity=warning").content.decode()
    assert f'data-alert-id="{alert.pk}"' not in html


def test_a_coordinator_acknowledges_from_the_list(aw: AlertWorld, alert: Alert) -> None:
    client = client_for(aw.world.coordinator)
    answer = client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": "/alerts/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/alerts/"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == aw.world.coordinator


def test_the_sites_own_staff_resolve_it_with_a_note(aw: AlertWorld, alert: Alert) -> None:
    client_for(aw.world.facility_staff).post(
        f"/alerts/{alert.pk}/resolve/", {"note": "Cylinders borrowed from EPH Barika"}
    )
    alert.refresh_from_db()
    assert (alert.status, alert.resolution) == ("resolved", "Cylinders borrowed from EPH Barika")
    assert alert.resolved_by == aw.world.facility_staff


def test_resolving_twice_says_why_it_cannot(aw: AlertWorld, alert: Alert) -> None:
    client = client_for(aw.world.coordinator)
    client.post(f"/alerts/{alert.pk}/resolve/")
    page = client.post(f"/alerts/{alert.pk}/resolve/", follow=True)
    assert "cannot be resolved" in page.content.decode()


def test_a_viewer_sees_no_button_and_may_not_acknowledge(aw: AlertWorld, alert: Alert) -> None:
    from oxyflow.accounts.models import Role

    viewer = create_user("vera", Role.VIEWER, region=aw.world.batna)
    client = client_for(viewer)
    html = client.get("/alerts/").content.decode()
    assert f'data-alert-id="{alert.pk}"' in html
    assert ">Acknowledge</button>" not in html
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.parametrize("persona", ["outsider", "viewer"])
def test_someone_out_of_scope_gets_404(aw: AlertWorld, alert: Alert, persona: str) -> None:
    # Victor views Barika only; Oscar has no role.
    client = client_for(getattr(aw.world, persona))
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    assert client.post(f"/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_staff_of_another_facility_cannot_see_it(aw: AlertWorld, alert: Alert) -> None:
    from oxyflow.accounts.models import Role

    other = create_user("farid", Role.FACILITY_STAFF, facilities=[aw.world.eph_barika])
    client = client_for(other)
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    assert f'data-alert-id="{alert.pk}"' not in client.get("/alerts/").content.decode()
    assert not open_alerts(other).exists()


def test_the_detail_page_shows_history_and_messages(aw: AlertWorld, alert: Alert) -> None:
    html = client_for(aw.world.coordinator).get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-event="opened"' in html
    assert "fatima@example.org" in html
    # The facility's own staff see the history and that messages went out, not to whom.
    staff = client_for(aw.world.facility_staff).get(f"/alerts/{alert.pk}/").content.decode()
    assert 'data-event="opened"' in staff
    assert 'data-channel="email"' in staff
    assert "fatima@example.org" not in staff


def test_open_alerts_and_counts_follow_the_region_asked(aw: AlertWorld, alert: Alert) -> None:
    ministry = aw.world.ministry
    assert list(open_alerts(ministry, aw.world.batna_daira)) == [alert]
    assert not open_alerts(ministry, aw.world.barika_daira).filter(pk=alert.pk).exists()
    assert alert_counts(ministry, aw.world.batna_daira) == {"warning": 0, "critical": 1}
    assert alert.describe() == "CHU Batna (DZ-CHU-BATNA): 4.8 h of oxygen left"


def test_open_alerts_list_critical_first(aw: AlertWorld, alert: Alert) -> None:
    from oxyflow.alerts import engine

    create_facility("DZ-EXTRA", aw.world.batna_daira)
    engine.evaluate_all(now=NOW)  # late-report warnings for the others
    severities = [a.severity for a in open_alerts(aw.world.ministry)]
    assert severities[0] == "critical"
    assert set(severities[1:]) == {"warning"}


# ------------------------------------------------------------------------- the roster


def test_a_coordinator_adds_and_removes_a_shift(aw: AlertWorld) -> None:
    client = client_for(aw.world.coordinator)
    answer = client.post(
        "/alerts/on-call/",
        {
            "region": aw.world.batna_daira.pk,
            "person": aw.duty.pk,
            "starts_at": "2021-08-13T08:00",
            "ends_at": "2021-08-15T08:00",
            "phone": "+213 555 000 009",
        },
    )
    assert answer.status_code == 302
    shift = OnCallShift.objects.get()
    assert (shift.user, shift.region, shift.phone) == (
        aw.duty,
        aw.world.batna_daira,
        "+213 555 000 009",
    )
    assert shift.ends_at - shift.starts_at == timedelta(days=2)
    # 08:00 typed is 08:00 in Batna (UTC+01:00), and the roster shows it so.
    assert shift.starts_at.isoformat() == "2021-08-13T07:00:00+00:00"
    assert "local time" in client.get("/alerts/on-call/").content.decode()
    client.post(f"/alerts/on-call/{shift.pk}/remove/")
    assert not OnCallShift.objects.exists()


def test_a_shift_must_end_after_it_starts(aw: AlertWorld) -> None:
    page = client_for(aw.world.coordinator).post(
        "/alerts/on-call/",
        {
            "region": aw.world.batna_daira.pk,
            "person": aw.duty.pk,
            "starts_at": "2021-08-13T08:00",
            "ends_at": "2021-08-13T07:00",
        },
    )
    assert page.status_code == 200
    assert "must end after it starts" in page.content.decode()
    assert not OnCallShift.objects.exists()


def test_a_coordinator_may_not_staff_another_province(aw: AlertWorld) -> None:
    page = client_for(aw.world.coordinator).post(
        "/alerts/on-call/",
        {
            "region": aw.world.dong_xoai.pk,
            "person": aw.duty.pk,
            "starts_at": "2021-08-13T08:00",
            "ends_at": "2021-08-14T08:00",
        },
    )
    assert page.status_code == 200
    assert not OnCallShift.objects.exists()


def test_facility_staff_cannot_change_the_roster(aw: AlertWorld) -> None:
    client = client_for(aw.world.facility_staff)
    page = client.get("/alerts/on-call/")
    assert "Add the shift" not in page.content.decode()
    answer = client.post(
        "/alerts/on-call/",
        {"region": aw.world.batna_daira.pk, "person": aw.duty.pk},
    )
    assert answer.status_code == 403
