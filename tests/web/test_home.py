from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import World

pytestmark = pytest.mark.django_db


def test_overview_counts_the_sites_of_the_coordinators_scope(world: World) -> None:
    client = Client()
    client.force_login(world.coordinator)
    context = client.get("/").context
    # Batna: two facilities and a depot; the Skikda plant is a contracted supplier.
    assert (context["facility_count"], context["producer_count"], context["depot_count"]) == (
        2,
        1,
        1,
    )
    assert context["beds"] == {"total": 200, "oxygen": 80, "icu": 16}


def test_overview_tells_a_user_without_role_to_ask_for_access(world: World) -> None:
    client = Client()
    client.force_login(world.outsider)
    assert "has no role yet" in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page() -> None:
    response = Client().get("/sites/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_overview_shows_autonomy_after_a_report_and_links_to_the_report_form(
    world: World,
) -> None:
    from oxyflow.reporting import services
    from tests.reporting.conftest import equip, report_in, submission

    rw = equip(world)
    services.submit_facility_report(
        facility=world.chu_batna, data=report_in(), submission=submission(world.facility_staff)
    )
    hours = round(world.chu_batna.status.autonomy_hours)
    client = Client()
    client.force_login(world.facility_staff)
    page = client.get("/").content.decode()
    assert f'<td class="num">{hours}</td>' in page
    assert "/reports/facility/DZ-CHU-BATNA/new/" in page
    viewer = Client()
    viewer.force_login(world.viewer)
    assert "/reports/facility/DZ-EPH-BARIKA/new/" not in viewer.get("/").content.decode()
    assert rw.tank.facility_id == world.chu_batna.pk
