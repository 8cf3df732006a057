"""The alert API: lists in scope, the lifecycle transitions and their 409, the roster."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oxyflow.alerts.models import Alert, AlertKind, OnCallShift
from tests.alerts.conftest import NOW, AlertWorld, low_stock, report
from tests.reporting.conftest import api_client


@pytest.fixture
def alert(aw: AlertWorld) -> Alert:
    report(aw, low_stock())
    return Alert.objects.get(kind=AlertKind.AUTONOMY)


def test_the_list_gives_the_measure_with_its_unit(aw: AlertWorld, alert: Alert) -> None:
    answer = api_client(aw.world.coordinator).get("/api/v1/alerts?severity=critical")
    assert answer.status_code == 200
    [item] = answer.json()
    assert item["id"] == alert.pk
    assert (item["site"], item["kind"], item["severity"], item["status"]) == (
        "DZ-CHU-BATNA",
        "autonomy",
        "critical",
        "open",
    )
    assert item["unit"] == "h"
    assert item["value"] == pytest.approx(4.8, abs=0.1)
    assert item["escalation_level"] == "facility"
    assert item["description"] == "CHU Batna (DZ-CHU-BATNA): 4.8 h of oxygen left"


def test_an_unknown_filter_value_is_refused(aw: AlertWorld) -> None:
    answer = api_client(aw.world.coordinator).get("/api/v1/alerts?status=sleeping")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "status"]


def test_acknowledge_then_resolve_then_409(aw: AlertWorld, alert: Alert) -> None:
    client = api_client(aw.world.facility_staff)
    acknowledged = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge")
    assert acknowledged.status_code == 200
    body = acknowledged.json()
    assert (body["status"], body["acknowledged_by"]) == ("acknowledged", "fatima")
    assert [e["kind"] for e in body["events"]][-1] == "acknowledged"
    again = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge")
    assert again.status_code == 409
    assert "cannot be acknowledged" in again.json()["detail"][0]["msg"]
    resolved = client.post(
        f"/api/v1/alerts/{alert.pk}/resolve",
        data={"note": "Delivery arrived"},
        content_type="application/json",
    )
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolution"]) == (
        "resolved",
        "Delivery arrived",
    )
    twice = client.post(
        f"/api/v1/alerts/{alert.pk}/resolve", data={}, content_type="application/json"
    )
    assert twice.status_code == 409
    assert twice.json()["detail"][0]["type"] == "conflict"


def test_a_viewer_in_scope_gets_403_and_an_outsider_404(aw: AlertWorld, alert: Alert) -> None:
    from oxyflow.accounts.models import Role
    from tests.factories import create_user

    viewer = create_user("vera", Role.VIEWER, region=aw.world.batna)
    assert api_client(viewer).get(f"/api/v1/alerts/{alert.pk}").status_code == 200
    assert api_client(viewer).post(f"/api/v1/alerts/{alert.pk}/acknowledge").status_code == 403
    outsider = api_client(aw.world.outsider)
    assert outsider.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/alerts/{alert.pk}/resolve", data={}, content_type="application/json"
        ).status_code
        == 404
    )
    assert outsider.get("/api/v1/alerts").json() == []


def test_the_roster_through_the_api(aw: AlertWorld) -> None:
    client = api_client(aw.world.coordinator)
    created = client.post(
        "/api/v1/on-call-shifts",
        data={
            "region": "DZ-05-01",
            "user": "dora",
            "starts_at": "2030-08-13T08:00+01:00",
            "ends_at": "2030-08-15T08:00+01:00",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    shift_id = created.json()["id"]
    assert [s["id"] for s in client.get("/api/v1/on-call-shifts").json()] == [shift_id]
    # Outside the coordinator's province: as if it did not exist.
    elsewhere = client.post(
        "/api/v1/on-call-shifts",
        data={
            "region": "VN-70",
            "user": "dora",
            "starts_at": "2030-08-13T08:00+01:00",
            "ends_at": "2030-08-15T08:00+01:00",
        },
        content_type="application/json",
    )
    assert elsewhere.status_code == 404
    assert (
        api_client(aw.world.facility_staff).delete(f"/api/v1/on-call-shifts/{shift_id}").status_code
        == 404
    )
    assert client.delete(f"/api/v1/on-call-shifts/{shift_id}").status_code == 204
    assert not OnCallShift.objects.exists()


def test_a_shift_ending_before_it_starts_is_refused(aw: AlertWorld) -> None:
    answer = api_client(aw.world.coordinator).post(
        "/api/v1/on-call-shifts",
        data={
            "region": "DZ-05-01",
            "user": "dora",
            "starts_at": "2030-08-15T08:00+01:00",
            "ends_at": "2030-08-13T08:00+01:00",
        },
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "ends_at"]


def test_only_the_regions_managers_read_who_was_messaged(aw: AlertWorld) -> None:
    from oxyflow.alerts import engine

    report(aw, low_stock())
    engine.evaluate_all(now=NOW + timedelta(hours=2))
    alert = Alert.objects.get(kind="autonomy", site=aw.world.chu_batna)
    assert alert.notifications.exists()
    for user, shown in (
        (aw.world.coordinator, True),
        (aw.world.ministry, True),
        (aw.world.facility_staff, False),
    ):
        body = api_client(user).get(f"/api/v1/alerts/{alert.pk}").json()
        recipients = {n["recipient"] for n in body["notifications"]}
        assert (recipients != {""}) is shown, user
