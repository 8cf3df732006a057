"""The region page's supply capacity by district: rows, totals, basis, scope."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from oxyflow.registry import models as reg
from tests.factories import World, create_region

pytestmark = pytest.mark.django_db

HEADING = "Supply capacity by district"


def client_for(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def page(user, code: str, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    response = client_for(user, language).get(reverse("registry:region", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def capacity_section(html: str, heading: str = HEADING) -> str:
    start = html.index(heading)
    return html[start : html.index("</div>", start)]


def row_of(section: str, name: str) -> list[str]:
    """The cells of the row headed ``name``, tags stripped."""
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0] == name:
            return cells
    raise AssertionError(f"no row {name!r}")


def test_the_coordinator_sees_both_districts_of_batna_with_their_supply(world: World) -> None:
    section = capacity_section(page(world.coordinator, "DZ-05"))
    chu = row_of(section, "Batna (daïra)")
    barika = row_of(section, "Barika")
    # District, O2 beds, ICU beds, on-site, storage, contracted, transport, suppliers.
    assert chu[1:3] == ["40", "8"]
    # 1000 kg/day of LOX at normal conditions: ≈ 700 Nm³/day.
    assert chu[5] == "700"
    assert chu[7] == "DZ-LINDE-SKIKDA"
    assert barika[1:3] == ["40", "8"]
    assert barika[5] == "0"
    assert barika[7] == "—"
    total = row_of(section, "Total")
    assert total[1:3] == ["80", "16"]
    assert total[5] == "700"
    assert total[7] == "1 supplier"


def test_units_and_basis_are_stated(world: World) -> None:
    section = capacity_section(page(world.coordinator, "DZ-05"))
    for header in (
        "On-site generation (Nm³/day)",
        "Usable storage (Nm³)",
        "Contracted supply (Nm³/day)",
        "Fleet transport (Nm³/day)",
    ):
        assert header in section
    assert "normal conditions (0 °C, 1.01325 bar)" in section
    assert "45 km/h" in section
    assert "3 h handling" in section


def test_the_page_links_to_a_scenario_for_the_region(world: World) -> None:
    html = page(world.coordinator, "DZ-05")
    link = f"{reverse('scenarios:run')}?region=DZ-05&amp;patients=1000,5000,10000"
    assert f'href="{link}"' in html
    assert "Run a scenario for this region" in html


def test_the_scenario_link_opens_a_scenario_for_that_region(world: World) -> None:
    response = client_for(world.coordinator).get(
        reverse("scenarios:run"), {"region": "DZ-05", "patients": "1000,5000,10000"}
    )
    assert response.status_code == 200
    assert response.context["form"].is_valid()


def test_a_viewer_of_barika_sees_only_its_own_row(world: World) -> None:
    section = capacity_section(page(world.viewer, "DZ-05-02"))
    assert row_of(section, "Barika")[1:3] == ["40", "8"]
    assert "Batna (daïra)" not in section
    assert "DZ-LINDE-SKIKDA" not in section
    assert "region=DZ-05-02&amp;" in section


def test_a_viewer_of_barika_cannot_open_the_province(world: World) -> None:
    response = client_for(world.viewer).get(reverse("registry:region", args=["DZ-05"]))
    assert response.status_code == 404


def test_an_outsider_gets_404(world: World) -> None:
    for code in ("DZ-05", "DZ-05-02"):
        response = client_for(world.outsider).get(reverse("registry:region", args=[code]))
        assert response.status_code == 404


def test_no_section_on_a_country_or_a_commune(world: World) -> None:
    create_region("DZ-05-02-01", "Barika (commune)", reg.RegionLevel.COMMUNE, world.barika_daira)
    assert HEADING not in page(world.ministry, "DZ")
    assert HEADING not in page(world.ministry, "DZ-05-02-01")


def test_numbers_are_localised(world: World) -> None:
    reg.Facility.objects.filter(pk=world.chu_batna.pk).update(beds_oxygen=1200)
    # The request activates French; give the thread its language back afterwards.
    with translation.override("en"):
        html = page(world.coordinator, "DZ-05", "fr")
    section = capacity_section(html, "Capacité d'approvisionnement par daïra")
    # French groups thousands with a (no-break) space.
    assert re.fullmatch(r"1\D+200", row_of(section, "Batna (daïra)")[1])
