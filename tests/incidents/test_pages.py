"""The incident pages as people use them: the list, logging one (with its errors), and
acting on one from its page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string

from oxyflow.incidents import services
from oxyflow.incidents.models import Incident, IncidentComment, IncidentStatus
from tests.incidents.conftest import T0, IncidentWorld, page_client, put_in

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_list_shows_how_long_each_obstacle_has_stood(
    iw: IncidentWorld, clock: list[Any]
) -> None:
    clock[0] = T0 + timedelta(hours=3, minutes=20)
    page = text(page_client(iw.world.coordinator).get("/incidents/"))
    assert "3 h 20 min" in page
    assert "RN28 blocked by snow" in page
    assert "Manifold leaking" in page


def test_the_list_puts_active_incidents_first(iw: IncidentWorld) -> None:
    put_in(iw.in_barika, IncidentStatus.CLOSED, iw.world.coordinator)
    page = text(page_client(iw.world.ministry).get("/incidents/"))
    titles = ["Manifold leaking", "ASU compressor tripped", "RN28 blocked by snow"]
    assert [page.index(t) for t in titles] == sorted(page.index(t) for t in titles)


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?kind=plant_down", "ASU compressor tripped", "Manifold leaking"),
        ("?severity=critical", "RN28 blocked by snow", "Manifold leaking"),
        ("?region=DZ-05-02", "RN28 blocked by snow", "Manifold leaking"),
        ("?status=active", "Manifold leaking", "Old fault"),
        ("?status=closed", "Old fault", "Manifold leaking"),
    ],
)
def test_the_list_filters(iw: IncidentWorld, query: str, shown: str, hidden: str) -> None:
    old = Incident.objects.create(
        kind="other",
        severity="low",
        title="Old fault",
        region=iw.world.batna_daira,
        reported_by=iw.world.ministry,
        opened_at=T0,
    )
    put_in(old, IncidentStatus.CLOSED, iw.world.ministry)
    page = text(page_client(iw.world.ministry).get("/incidents/" + query))
    assert shown in page
    assert hidden not in page


def test_staff_see_only_their_sites_incidents_in_the_list(iw: IncidentWorld) -> None:
    page = text(page_client(iw.world.facility_staff).get("/incidents/"))
    assert "Manifold leaking" in page
    assert "RN28" not in page
    assert "ASU" not in page


def test_the_form_prefills_the_site_from_the_link(iw: IncidentWorld) -> None:
    page = text(page_client(iw.world.facility_staff).get("/incidents/new/?site=DZ-CHU-BATNA"))
    chu = iw.world.chu_batna.pk
    assert re.search(rf'<option value="{chu}" selected>', page)
    # Every input has its label (keyboard and screen reader users).
    for name in ("kind", "severity", "title", "sites", "region", "latitude", "longitude"):
        assert f'for="id_{name}"' in page


def test_logging_from_the_form_opens_the_new_incident(iw: IncidentWorld) -> None:
    client = page_client(iw.world.facility_staff)
    response = client.post(
        "/incidents/new/",
        {
            "kind": "power_cut",
            "severity": "critical",
            "title": "Generator failed",
            "sites": [iw.world.chu_batna.pk],
        },
    )
    incident = Incident.objects.get(title="Generator failed")
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert (incident.region, incident.reported_by) == (
        iw.world.batna_daira,
        iw.world.facility_staff,
    )
    assert "Generator failed" in text(client.get(response["Location"]))


FORM_ERRORS = [
    ({"title": ""}, "title"),
    ({"kind": "flood"}, "kind"),
    ({"latitude": "95", "longitude": "6"}, "latitude"),
    ({"latitude": "35", "longitude": ""}, "longitude"),
    ({"sites": [], "region": ""}, "region"),
    ({"region": "BARIKA"}, "region"),  # outside fatima's reach: not among the choices
    ({"sites": ["BARIKA-SITE"]}, "sites"),
]


@pytest.mark.parametrize(("changes", "field"), FORM_ERRORS)
def test_form_errors_name_the_field_and_store_nothing(
    iw: IncidentWorld, changes: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "kind": "power_cut",
        "severity": "high",
        "title": "Generator failed",
        "sites": [iw.world.chu_batna.pk],
    }
    values.update(changes)
    if values.get("region") == "BARIKA":
        values["region"] = iw.world.barika_daira.pk
    if values.get("sites") == ["BARIKA-SITE"]:
        values["sites"] = [iw.world.eph_barika.pk]
    response = page_client(iw.world.facility_staff).post("/incidents/new/", values)
    assert response.status_code == 200
    page = text(response)
    assert "The incident was not saved" in page
    assert f'href="#id_{field}"' in page
    assert Incident.objects.count() == 3


def test_a_coordinator_assigns_and_resolves_from_the_page(
    iw: IncidentWorld, clock: list[Any]
) -> None:
    client = page_client(iw.world.coordinator)
    url = f"/incidents/{iw.at_chu.pk}/"
    page = text(client.get(url))
    assert 'for="id_assignee"' in page
    assert 'for="id_severity"' in page
    response = client.post(url + "assign/", {"assignee": iw.world.facility_staff.pk})
    assert response.status_code == 302
    refused = client.post(url + "status/", {"status": "resolved", "resolution": ""})
    assert "Say how the obstacle was cleared" in text(refused)
    assert Incident.objects.get(pk=iw.at_chu.pk).status == IncidentStatus.OPEN
    clock[0] = T0 + timedelta(hours=3, minutes=20)
    client.post(url + "status/", {"status": "resolved", "resolution": "Valve replaced"})
    page = text(client.get(url))
    assert "Time to resolution" in page
    assert "3 h 20 min" in page
    assert "Valve replaced" in page
    stored = Incident.objects.get(pk=iw.at_chu.pk)
    assert (stored.status, stored.assigned_to) == (IncidentStatus.RESOLVED, iw.world.facility_staff)


def test_an_illegal_move_from_the_page_says_why(iw: IncidentWorld) -> None:
    url = f"/incidents/{iw.at_chu.pk}/status/"
    page = text(page_client(iw.world.coordinator).post(url, {"status": "closed"}))
    assert "cannot become Closed" in page
    assert Incident.objects.get(pk=iw.at_chu.pk).status == IncidentStatus.OPEN


def test_staff_comment_but_see_no_manager_actions(iw: IncidentWorld) -> None:
    client = page_client(iw.world.facility_staff)
    url = f"/incidents/{iw.at_chu.pk}/"
    page = text(client.get(url))
    assert 'for="id_text"' in page
    assert "id_assignee" not in page
    assert "id_status" not in page
    assert client.post(url + "comment/", {"text": "Pressure dropping"}).status_code == 302
    assert "Pressure dropping" in text(client.get(url))
    assert client.post(url + "assign/", {"assignee": ""}).status_code == 403


def test_a_viewer_reads_without_acting(iw: IncidentWorld) -> None:
    client = page_client(iw.world.viewer)
    url = f"/incidents/{iw.in_barika.pk}/"
    page = text(client.get(url))
    assert "RN28 blocked by snow" in page
    assert 'for="id_text"' not in page
    assert "Log an incident" not in text(client.get("/incidents/"))
    assert "Log an incident" in text(page_client(iw.world.coordinator).get("/incidents/"))
    assert client.post(url + "comment/", {"text": "Seen"}).status_code == 403
    assert client.post(url + "status/", {"status": "in_progress"}).status_code == 403
    assert not IncidentComment.objects.exists()


def test_actions_on_an_unseen_incident_answer_404(iw: IncidentWorld) -> None:
    client = page_client(iw.world.outsider)
    for action in ("comment/", "assign/", "status/", "severity/"):
        assert client.post(f"/incidents/{iw.at_chu.pk}/{action}", {}).status_code == 404


def test_the_site_include_lists_a_sites_open_incidents(iw: IncidentWorld) -> None:
    user, site = iw.world.coordinator, iw.world.chu_batna
    html = render_to_string(
        "incidents/_site_incidents.html",
        {
            "incidents": services.incidents_for_site(user, site),
            "site": site,
            "can_log_incident": services.can_log(user),
        },
    )
    assert "Manifold leaking" in html
    assert f"/incidents/{iw.at_chu.pk}/" in html
    assert "/incidents/new/?site=DZ-CHU-BATNA" in html
    empty = render_to_string(
        "incidents/_site_incidents.html",
        {"incidents": [], "site": site, "can_log_incident": services.can_log(iw.world.viewer)},
    )
    assert "No open incident." in empty
    assert "/incidents/new/" not in empty


def test_the_admin_lists_only_what_one_sees_and_changes_nothing(iw: IncidentWorld) -> None:
    client = page_client(iw.world.facility_staff)
    page = text(client.get("/admin/incidents/incident/"))
    assert "Manifold leaking" in page
    assert "RN28" not in page
    assert client.get(f"/admin/incidents/incident/{iw.at_chu.pk}/change/").status_code == 200
    assert client.get("/admin/incidents/incident/add/").status_code == 403
    hidden = client.get(f"/admin/incidents/incident/{iw.in_barika.pk}/change/")
    assert hidden.status_code in (302, 404)
