"""Incidents through /api/v1/: logging, the bad-input catalogue, the transition table,
assignment, comments, filters, and 404 for what a user does not see."""

from __future__ import annotations

from datetime import timedelta
from itertools import product
from typing import Any

import pytest

from oxyflow.incidents.models import (
    Incident,
    IncidentComment,
    IncidentEvent,
    IncidentKind,
    IncidentStatus,
    Severity,
)
from tests.incidents.conftest import T0, IncidentWorld, api_client, new_key, post, put_in

pytestmark = pytest.mark.django_db

URL = "/api/v1/incidents"
S = IncidentStatus
LEGAL = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.RESOLVED),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.OPEN),
}


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "road_blocked",
        "severity": "high",
        "title": "RN3 closed at El Kantara",
        "region": "DZ-05-02",
    }
    values.update(changes)
    return values


def locs(response: Any) -> list[list[Any]]:
    return [item["loc"] for item in response.json()["detail"]]


@pytest.mark.parametrize("kind", IncidentKind.values)
def test_every_kind_is_logged_through_the_api(iw: IncidentWorld, kind: str) -> None:
    response = post(api_client(iw.world.coordinator), URL, body(kind=kind))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["status"], data["region"]) == (kind, "open", "DZ-05-02")
    assert data["reported_by"] == "carim"
    assert data["opened_at"].startswith("2021-08-09T11:00:00")
    assert [e["kind"] for e in data["events"]] == ["created"]
    assert data["allowed_statuses"] == ["in_progress", "resolved"]


@pytest.mark.parametrize("severity", Severity.values)
def test_every_severity_is_logged_through_the_api(iw: IncidentWorld, severity: str) -> None:
    response = post(api_client(iw.world.coordinator), URL, body(severity=severity))
    assert response.status_code == 201
    assert Incident.objects.get(pk=response.json()["id"]).severity == severity


def test_a_site_incident_takes_the_sites_region_and_location(iw: IncidentWorld) -> None:
    client = api_client(iw.world.facility_staff)
    response = post(client, URL, body(region=None, sites=["DZ-CHU-BATNA"]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["region"], data["sites"]) == ("DZ-05-01", ["DZ-CHU-BATNA"])
    assert (data["latitude_deg"], data["location_deg"]) == (None, [35.5, 6.1])


def test_a_blocked_road_carries_its_own_coordinates(iw: IncidentWorld) -> None:
    response = post(
        api_client(iw.world.coordinator), URL, body(latitude_deg=35.25, longitude_deg=5.75)
    )
    data = response.json()
    assert (data["latitude_deg"], data["longitude_deg"]) == ("35.250000", "5.750000")
    assert data["location_deg"] == [35.25, 5.75]


def test_a_retry_with_the_same_key_logs_one_incident(iw: IncidentWorld) -> None:
    client = api_client(iw.world.coordinator)
    key = new_key()
    first = post(client, URL, body(), key=key)
    again = post(client, URL, body(), key=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.filter(title="RN3 closed at El Kantara").count() == 1


BAD_INPUT = [
    ({"title": ""}, ["body", "title"]),
    ({"title": None}, ["body", "title"]),
    ({"kind": "earthquake"}, ["body", "kind"]),
    ({"severity": "extreme"}, ["body", "severity"]),
    ({"latitude_deg": 91, "longitude_deg": 5}, ["body", "latitude_deg"]),
    ({"latitude_deg": 35, "longitude_deg": -181}, ["body", "longitude_deg"]),
    ({"latitude_deg": 35}, ["body", "longitude_deg"]),
    ({"latitude_deg": "35"}, ["body", "latitude_deg"]),
    ({"region": None}, ["body", "region"]),
    ({"region": "DZ-21"}, ["body", "region"]),
    ({"region": "NOWHERE"}, ["body", "region"]),
    ({"sites": ["DZ-CHU-BATNA", "VN-BVDK-BP"]}, ["body", "sites", 1]),
    ({"title": "a\x00b"}, ["body", "title"]),
    ({"description": "x" * 5001}, ["body", "description"]),
]


@pytest.mark.parametrize(("changes", "loc"), BAD_INPUT)
def test_bad_input_is_refused_naming_the_field_and_stores_nothing(
    iw: IncidentWorld, changes: dict[str, Any], loc: list[Any]
) -> None:
    before = Incident.objects.count()
    response = post(api_client(iw.world.coordinator), URL, body(**changes))
    assert response.status_code == 422, response.content
    assert loc in locs(response)
    assert Incident.objects.count() == before


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_may_not_log(iw: IncidentWorld, who: str) -> None:
    response = post(api_client(getattr(iw.world, who)), URL, body())
    assert response.status_code == 403
    assert Incident.objects.count() == 3


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_the_transition_table_through_the_api(
    iw: IncidentWorld, current: IncidentStatus, target: IncidentStatus
) -> None:
    incident = put_in(iw.in_barika, current, iw.world.coordinator)
    response = post(
        api_client(iw.world.coordinator),
        f"{URL}/{incident.pk}/transition",
        {"status": target, "resolution": "Snow ploughed"},
    )
    if (current, target) in LEGAL:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == target
    else:
        assert response.status_code == 409, response.content
        [item] = response.json()["detail"]
        assert (item["loc"], item["type"], item["input"]) == (
            ["body", "status"],
            "illegal_transition",
            target,
        )
        assert str(current.label) in item["msg"]
    assert Incident.objects.get(pk=incident.pk).status == (
        target if (current, target) in LEGAL else current
    )


def test_resolving_without_a_resolution_is_refused_at_that_field(iw: IncidentWorld) -> None:
    url = f"{URL}/{iw.in_barika.pk}/transition"
    response = post(api_client(iw.world.coordinator), url, {"status": "resolved"})
    assert response.status_code == 422
    assert locs(response) == [["body", "resolution"]]
    assert Incident.objects.get(pk=iw.in_barika.pk).status == S.OPEN


def test_an_unknown_status_is_refused_at_that_field(iw: IncidentWorld) -> None:
    url = f"{URL}/{iw.in_barika.pk}/transition"
    response = post(api_client(iw.world.coordinator), url, {"status": "fixed"})
    assert (response.status_code, locs(response)) == (422, [["body", "status"]])


def test_time_to_resolution_is_given_in_hours(iw: IncidentWorld, clock: list[Any]) -> None:
    clock[0] = T0 + timedelta(hours=3, minutes=20)
    url = f"{URL}/{iw.in_barika.pk}/transition"
    response = post(
        api_client(iw.world.coordinator), url, {"status": "resolved", "resolution": "Ploughed"}
    )
    data = response.json()
    assert data["time_to_resolution_hours"] == pytest.approx(3.33)
    assert (data["resolved_by"], data["resolution"]) == ("carim", "Ploughed")
    assert data["resolved_at"].startswith("2021-08-09T14:20:00")


def test_the_assignee_resolves_but_may_not_close(iw: IncidentWorld) -> None:
    manager = api_client(iw.world.coordinator)
    staff = api_client(iw.world.facility_staff)
    pk = iw.at_chu.pk
    assigned = post(manager, f"{URL}/{pk}/assign", {"assignee": "fatima"})
    assert (assigned.status_code, assigned.json()["assigned_to"]) == (200, "fatima")
    resolved = post(
        staff, f"{URL}/{pk}/transition", {"status": "resolved", "resolution": "New valve"}
    )
    assert resolved.status_code == 200
    assert resolved.json()["allowed_statuses"] == []
    assert post(staff, f"{URL}/{pk}/transition", {"status": "closed"}).status_code == 403
    assert post(manager, f"{URL}/{pk}/transition", {"status": "closed"}).status_code == 200


@pytest.mark.parametrize("username", ["victor", "paul", "oscar", "nobody-by-that-name"])
def test_assigning_someone_who_cannot_see_it_is_refused_alike(
    iw: IncidentWorld, username: str
) -> None:
    response = post(
        api_client(iw.world.coordinator), f"{URL}/{iw.at_chu.pk}/assign", {"assignee": username}
    )
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "assignee"]
    assert item["msg"] == f"{username} cannot work on this incident: they do not see it."


def test_unassigning_with_null(iw: IncidentWorld) -> None:
    client = api_client(iw.world.coordinator)
    post(client, f"{URL}/{iw.at_chu.pk}/assign", {"assignee": "fatima"})
    response = post(client, f"{URL}/{iw.at_chu.pk}/assign", {"assignee": None})
    assert response.json()["assigned_to"] is None
    events = IncidentEvent.objects.filter(incident=iw.at_chu, kind="assigned")
    assert [(e.old_value, e.new_value) for e in events] == [("", "fatima"), ("fatima", "")]


def test_a_coordinator_regrades_but_staff_may_not(iw: IncidentWorld) -> None:
    url = f"{URL}/{iw.at_chu.pk}/severity"
    assert post(api_client(iw.world.facility_staff), url, {"severity": "low"}).status_code == 403
    response = post(api_client(iw.world.coordinator), url, {"severity": "critical"})
    assert response.json()["severity"] == "critical"
    bad = post(api_client(iw.world.coordinator), url, {"severity": "apocalyptic"})
    assert (bad.status_code, locs(bad)) == (422, [["body", "severity"]])


COMMENT_STATUS = {
    "ministry": 201,
    "coordinator": 201,
    "facility_staff": 201,
    "producer_staff": 404,
    "viewer": 404,
    "outsider": 404,
}


@pytest.mark.parametrize(("who", "status"), COMMENT_STATUS.items())
def test_who_may_comment_through_the_api(iw: IncidentWorld, who: str, status: int) -> None:
    response = post(
        api_client(getattr(iw.world, who)), f"{URL}/{iw.at_chu.pk}/comments", {"text": "Noted"}
    )
    assert response.status_code == status
    assert IncidentComment.objects.count() == (1 if status == 201 else 0)


def test_a_viewer_who_sees_it_may_not_comment(iw: IncidentWorld) -> None:
    url = f"{URL}/{iw.in_barika.pk}/comments"
    assert post(api_client(iw.world.viewer), url, {"text": "Noted"}).status_code == 403
    empty = post(api_client(iw.world.coordinator), url, {"text": ""})
    assert (empty.status_code, locs(empty)) == (422, [["body", "text"]])


def test_the_detail_carries_comments_and_history(iw: IncidentWorld) -> None:
    client = api_client(iw.world.coordinator)
    post(client, f"{URL}/{iw.at_chu.pk}/comments", {"text": "Technician sent"})
    data = client.get(f"{URL}/{iw.at_chu.pk}").json()
    assert [(c["author"], c["text"]) for c in data["comments"]] == [("carim", "Technician sent")]
    assert [(e["actor"], e["kind"], e["new_value"]) for e in data["events"]] == [
        ("fatima", "created", "open")
    ]


@pytest.mark.parametrize(
    "path",
    ["", "/comments", "/assign", "/transition", "/severity"],
)
def test_an_outsider_gets_404_everywhere(iw: IncidentWorld, path: str) -> None:
    client = api_client(iw.world.producer_staff)
    url = f"{URL}/{iw.at_chu.pk}{path}"
    payload = {"text": "x", "assignee": None, "status": "closed", "severity": "low"}
    response = client.get(url) if not path else post(client, url, payload)
    assert response.status_code == 404
    missing = client.get(f"{URL}/999999")
    assert missing.status_code == 404


LIST_FILTERS = [
    ("", {"at_chu", "in_barika", "at_plant", "done"}),
    ("?kind=plant_down", {"at_plant"}),
    ("?severity=critical", {"in_barika"}),
    ("?region=DZ-05", {"at_chu", "in_barika", "done"}),
    ("?region=DZ-05&active=true", {"at_chu", "in_barika"}),
    ("?region=DZ-05-02", {"in_barika"}),
    ("?site=DZ-CHU-BATNA", {"at_chu"}),
    ("?status=resolved", {"done"}),
    ("?active=true", {"at_chu", "in_barika", "at_plant"}),
    ("?active=false", {"done"}),
]


@pytest.mark.parametrize(("query", "expected"), LIST_FILTERS)
def test_the_list_filters(iw: IncidentWorld, query: str, expected: set[str]) -> None:
    done = put_in(
        Incident.objects.create(
            kind="other",
            severity="low",
            title="done",
            region=iw.world.batna_daira,
            reported_by=iw.world.ministry,
            opened_at=T0,
        ),
        S.RESOLVED,
        iw.world.ministry,
    )
    names = {iw.at_chu.pk: "at_chu", iw.in_barika.pk: "in_barika", iw.at_plant.pk: "at_plant"}
    names[done.pk] = "done"
    response = api_client(iw.world.ministry).get(URL + query)
    assert response.status_code == 200, response.content
    assert {names[i["id"]] for i in response.json()} == expected


def test_the_list_puts_active_and_severe_first(iw: IncidentWorld) -> None:
    put_in(iw.in_barika, S.RESOLVED, iw.world.coordinator)
    ids = [i["id"] for i in api_client(iw.world.ministry).get(URL).json()]
    assert ids == [iw.at_chu.pk, iw.at_plant.pk, iw.in_barika.pk]


def test_the_list_is_limited_to_what_one_sees(iw: IncidentWorld) -> None:
    assert api_client(iw.world.outsider).get(URL).json() == []
    assert [i["title"] for i in api_client(iw.world.viewer).get(URL).json()] == [
        "RN28 blocked by snow"
    ]
    assert api_client(iw.world.viewer).get(URL + "?region=DZ-05-01").status_code == 404
    assert api_client(iw.world.viewer).get(URL + "?site=DZ-CHU-BATNA").status_code == 404
