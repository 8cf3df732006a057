"""The report pages as people use them: who may open the forms, what a refused value
looks like, retries, corrections, entries on a site's behalf, and the figures the
facility and region pages show from the reports."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from oxyflow.registry import models as reg
from oxyflow.reporting import services, views
from oxyflow.reporting.models import Channel, FacilityReport, ProducerReport
from tests.reporting.conftest import NOW, TODAY, ReportingWorld, report_in, submission

pytestmark = pytest.mark.django_db

CHU = "DZ-CHU-BATNA"
BARIKA = "DZ-EPH-BARIKA"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page reads the same fixed clock as the service tests."""
    monkeypatch.setattr(views, "now", lambda: NOW)


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def new_url(code: str = CHU) -> str:
    return reverse("reporting:facility_new", args=[code])


def form_data(**changes: str) -> dict[str, str]:
    """A complete, valid facility form for CHU Batna's day, as a browser would post it."""
    data = {
        "submission_key": uuid.uuid4().hex,
        "report_date": TODAY.isoformat(),
        "patients_low_flow": "20",
        "patients_high_flow": "5",
        "patients_ventilated": "2",
        "beds_occupied": "60",
        "beds_occupied_oxygen": "27",
        "beds_occupied_icu": "4",
        "lox_tanks-0-tank": "Tank 1",
        "lox_tanks-0-level": "50",
        "lox_tanks-0-unit": "%",
        "cylinders-0-cylinder_type": "B50",
        "cylinders-0-full": "30",
        "cylinders-0-empty": "10",
        "cylinders-0-used": "4",
        "concentrators_in_use": "3",
        "concentrators_idle": "1",
        "concentrators_broken": "0",
        "psa_status": "none",
        "psa_output": "",
        "consumption": "",
        "consumption_unit": "Nm3",
        "notes": "Ward 3 reopened",
    }
    data.update(changes)
    return data


def field_block(html: str, name: str) -> str:
    """The markup of one field: its label, input, help and errors."""
    start = html.index(f'id="f-{name}"')
    return html[start : html.index("</div>", start)]


def row_block(html: str, prefix: str) -> str:
    start = html.index(f'id="row-{prefix}"')
    return html[start : html.index("</fieldset>", start)]


def shown_values(html: str) -> dict[str, str]:
    """What the re-rendered form holds: text inputs' values and selects' chosen options."""
    inputs = r'<input type="(?:text|date|hidden)" name="([^"]+)"(?: value="([^"]*)")?'
    values = dict(re.findall(inputs, html))
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = body.strip()
    return values


# --------------------------------------------------------------------------- who may


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("facility_staff", CHU, 200),
        ("coordinator", CHU, 200),
        ("ministry", CHU, 200),
        ("viewer", BARIKA, 403),
        ("producer_staff", CHU, 404),
        ("outsider", CHU, 404),
    ],
)
def test_the_facility_form_opens_for_those_who_report_only(
    rw: ReportingWorld, persona: str, code: str, status: int
) -> None:
    response = client_for(getattr(rw.world, persona)).get(new_url(code))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("facility_staff", CHU, 302),
        ("coordinator", CHU, 302),
        ("viewer", BARIKA, 403),
        ("producer_staff", CHU, 404),
        ("outsider", CHU, 404),
    ],
)
def test_only_those_who_report_can_send_the_form(
    rw: ReportingWorld, persona: str, code: str, status: int
) -> None:
    data = form_data(reported_by_name="Dr Amina Saadi")
    if code == BARIKA:
        del data["lox_tanks-0-tank"], data["lox_tanks-0-level"], data["lox_tanks-0-unit"]
    response = client_for(getattr(rw.world, persona)).post(new_url(code), data)
    assert response.status_code == status
    assert FacilityReport.objects.count() == (1 if status == 302 else 0)


def test_a_viewer_reads_reports_in_scope_and_an_outsider_sees_nothing(
    rw: ReportingWorld,
) -> None:
    report = services.submit_facility_report(
        facility=rw.world.eph_barika,
        data=report_in(lox_tanks=[]),
        submission=submission(rw.world.coordinator, reported_by_name="Dr Saadi"),
    ).report
    page = reverse("reporting:facility_report", args=[report.pk])
    listing = reverse("reporting:facility_list", args=[BARIKA])
    viewer, outsider = client_for(rw.world.viewer), client_for(rw.world.outsider)
    assert viewer.get(page).status_code == 200
    assert viewer.get(listing).status_code == 200
    assert "Enter today's report" not in viewer.get(listing).content.decode()
    assert outsider.get(page).status_code == 404
    assert outsider.get(listing).status_code == 404
    assert client_for(rw.world.facility_staff).get(page).status_code == 404


# ------------------------------------------------------------------------ the form


def test_the_form_is_phone_first(rw: ReportingWorld) -> None:
    html = client_for(rw.world.facility_staff).get(new_url()).content.decode()
    assert 'inputmode="numeric"' in field_block(html, "patients_low_flow")
    assert 'inputmode="decimal"' in field_block(html, "lox_tanks-0-level")
    assert "<script" not in html
    assert len(html) < 20_000
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', html)
    assert key is not None
    # Staff report for their own facility: no "reported by" field.
    assert 'name="reported_by_name"' not in html


def test_a_report_is_stored_and_shown_with_its_units(rw: ReportingWorld) -> None:
    client = client_for(rw.world.facility_staff)
    response = client.post(new_url(), form_data())
    report = FacilityReport.objects.get()
    assert response["Location"] == reverse("reporting:facility_report", args=[report.pk])
    assert (report.channel, report.entered_by, report.reported_by_name) == (
        Channel.FORM,
        rw.world.facility_staff,
        "",
    )
    assert (report.patients_on_oxygen, report.beds_occupied, report.concentrators_in_use) == (
        27,
        60,
        3,
    )
    assert report.cylinders.get().used == 4
    html = client.get(response["Location"]).content.decode()
    assert "Report for Aug. 9, 2021 saved." in html
    assert "5,705 kg" in html
    assert "590.4 Nm³/day" in html
    assert "30 cylinders" in html


def test_a_bad_value_keeps_every_typed_value_and_shows_the_message_at_the_field(
    rw: ReportingWorld,
) -> None:
    data = form_data(**{"lox_tanks-0-level": "150"})
    response = client_for(rw.world.facility_staff).post(new_url(), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "150 % is above 100 %." in field_block(html, "lox_tanks-0-level")
    shown = shown_values(html)
    for name, value in data.items():
        assert shown[name] == value, name
    assert FacilityReport.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        ({"patients_high_flow": "-2"}, "f-patients_high_flow", "-2 is negative"),
        ({"cylinders-0-full": "3.5"}, "f-cylinders-0-full", "3.5 is not a whole number"),
        (
            {"cylinders-0-cylinder_type": "X99"},
            "row-cylinders-0",
            "Unknown cylinder type “X99”",
        ),
        (
            {"lox_tanks-0-level": "12", "lox_tanks-0-unit": "t"},
            "f-lox_tanks-0-level",
            "12 t (12000.0 kg) is more than the tank holds",
        ),
        ({"report_date": "2021-08-10"}, "f-report_date", "2021-08-10 is in the future"),
        (
            {"consumption": "100", "consumption_unit": "%"},
            "f-consumption_unit",
            "“%” does not fit this field; allowed units: Nm3, m3, kg, t, L, kL.",
        ),
        (
            {"lox_tanks-0-unit": "Nm3"},
            "f-lox_tanks-0-unit",
            "“Nm3” does not fit this field",
        ),
        ({"psa_status": "exploded"}, "f-psa_status", "“exploded” is not a PSA status"),
        ({"patients_low_flow": ""}, "f-patients_low_flow", "This figure is required"),
    ],
)
def test_a_refused_value_is_named_at_its_field_and_nothing_is_stored(
    rw: ReportingWorld, changes: dict[str, str], where: str, message: str
) -> None:
    response = client_for(rw.world.facility_staff).post(new_url(), form_data(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    kind, name = where.split("-", 1)
    block = field_block(html, name) if kind == "f" else row_block(html, name)
    assert message in block
    assert "The report was not saved" in html
    assert FacilityReport.objects.count() == 0


def test_a_decimal_comma_is_read_in_french(rw: ReportingWorld) -> None:
    client = client_for(rw.world.facility_staff, "fr")
    response = client.post(new_url(), form_data(**{"lox_tanks-0-level": "45,5"}))
    assert response.status_code == 302
    assert FacilityReport.objects.get().tanks.get().level_value == pytest.approx(45.5)


def test_a_plausibility_flag_is_accepted_and_shown(rw: ReportingWorld) -> None:
    # 27 patients need about 590 Nm³/day; 5,904 Nm³ drawn from stock in a day, with
    # 3 concentrators making 21.6 Nm³/day, is ten times that.
    client = client_for(rw.world.facility_staff)
    response = client.post(new_url(), form_data(consumption="5904", consumption_unit="Nm3"))
    assert response.status_code == 302
    report = FacilityReport.objects.get()
    assert [f["code"] for f in report.flags] == ["consumption_high"]
    html = client.get(response["Location"]).content.decode()
    expected = (
        "Oxygen used (from stock and made on site): 5,925.6 Nm³/day is more than 3 times the "
        "census-based demand of 590.4 Nm³/day."
    )
    assert f"Accepted, but please check: {expected}" in html  # the message after saving
    assert html.count(expected) == 2  # and on the report itself
    listing = client.get(reverse("reporting:facility_list", args=[CHU])).content.decode()
    assert "1 flag" in listing


def test_sending_the_same_form_twice_stores_one_report(rw: ReportingWorld) -> None:
    client = client_for(rw.world.facility_staff)
    data = form_data()
    first = client.post(new_url(), data)
    again = client.post(new_url(), data)
    assert FacilityReport.objects.count() == 1
    assert first["Location"] == again["Location"]
    assert "This form had been sent already" in client.get(again["Location"]).content.decode()


def test_a_correction_needs_a_reason_and_the_history_shows_both_versions(
    rw: ReportingWorld,
) -> None:
    client = client_for(rw.world.facility_staff)
    client.post(new_url(), form_data())
    page = client.get(new_url() + f"?date={TODAY.isoformat()}").content.decode()
    assert "A report for Aug. 9, 2021 exists already (version 1)" in page
    shown = shown_values(page)
    assert (shown["patients_low_flow"], shown["lox_tanks-0-level"], shown["cylinders-0-full"]) == (
        "20",
        "50",
        "30",
    )
    assert shown["submission_key"] != form_data()["submission_key"]

    changed = form_data(submission_key=shown["submission_key"], patients_low_flow="25")
    refused = client.post(new_url(), changed)
    assert refused.status_code == 200
    assert "say why you correct it" in field_block(refused.content.decode(), "correction_reason")
    assert FacilityReport.objects.count() == 1

    accepted = client.post(new_url(), {**changed, "correction_reason": "Ward 3 counted twice"})
    assert accepted.status_code == 302
    first, second = FacilityReport.objects.order_by("version")
    assert (first.is_current, second.is_current, second.version) == (False, True, 2)
    html = client.get(accepted["Location"]).content.decode()
    assert "Correction saved: version 2 of the report for Aug. 9, 2021." in html
    history = html[html.index("Versions of this day") :]
    assert "Ward 3 counted twice" in history
    assert history.count(">superseded<") == 1
    assert history.count(">current<") == 1
    old = client.get(reverse("reporting:facility_report", args=[first.pk])).content.decode()
    assert "Version 1 was superseded by a correction." in old


def test_a_coordinator_enters_a_report_on_a_facility_s_behalf(rw: ReportingWorld) -> None:
    client = client_for(rw.world.coordinator)
    assert 'name="reported_by_name"' in client.get(new_url()).content.decode()
    unnamed = client.post(new_url(), form_data())
    assert "Name who gave you the figures" in field_block(
        unnamed.content.decode(), "reported_by_name"
    )
    response = client.post(new_url(), form_data(reported_by_name="Dr Amina Saadi, 08:40"))
    assert response.status_code == 302
    report = FacilityReport.objects.get()
    assert (report.entered_by, report.reported_by_name, report.channel) == (
        rw.world.coordinator,
        "Dr Amina Saadi, 08:40",
        Channel.PHONE,
    )
    html = client.get(response["Location"]).content.decode()
    assert "for Dr Amina Saadi, 08:40" in html
    assert "By phone, entered on the site&#x27;s behalf" in html  # the channel


def list_row(html: str, day: str) -> str:
    """The text of one day's row in a report list, tags stripped."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    row = next(r for r in rows if day in r)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_an_earlier_day_can_be_entered_from_the_list(rw: ReportingWorld) -> None:
    client = client_for(rw.world.facility_staff)
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    listing = client.get(reverse("reporting:facility_list", args=[CHU])).content.decode()
    assert f"{new_url()}?date={yesterday}" in listing
    form = client.get(f"{new_url()}?date={yesterday}").content.decode()
    assert shown_values(form)["report_date"] == yesterday
    client.post(new_url(), form_data(report_date=yesterday))
    listing = client.get(reverse("reporting:facility_list", args=[CHU])).content.decode()
    # Sunday's report came on Monday at noon, after Sunday's 10:00 deadline; Monday's
    # is not in and its deadline has passed.
    assert list_row(listing, "Sun 8 Aug").startswith("Sun 8 Aug late 27 ")
    assert list_row(listing, "Mon 9 Aug") == "Mon 9 Aug missing Enter the report for this day"


# ---------------------------------------------------------------------- producers


def test_producer_staff_report_their_production(rw: ReportingWorld) -> None:
    plant = rw.world.linde_plant
    reg.ProducerCapacity.objects.create(producer=plant, product=rw.lox, capacity_per_day=20000)
    url = reverse("reporting:producer_new", args=[plant.code])
    assert client_for(rw.world.coordinator).get(url).status_code == 403  # a supplier: read only
    assert client_for(rw.world.facility_staff).get(url).status_code == 404
    client = client_for(rw.world.producer_staff)
    html = client.get(url).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', html)
    assert key is not None
    data = {
        "submission_key": key.group(1),
        "report_date": TODAY.isoformat(),
        "lines-0-product": "LOX",
        "lines-0-unit": "t",
        "lines-0-produced": "18",
        "lines-0-stock": "40",
        "lines-0-available_tomorrow": "-5",
        "downtime_hours": "2",
        "downtime_cause": "none",
    }
    refused = client.post(url, data).content.decode()
    assert "-5 is negative" in field_block(refused, "lines-0-available_tomorrow")
    assert "Give the cause of the downtime." in field_block(refused, "downtime_cause")
    assert ProducerReport.objects.count() == 0
    response = client.post(
        url, {**data, "lines-0-available_tomorrow": "15", "downtime_cause": "power"}
    )
    assert response.status_code == 302
    line = ProducerReport.objects.get().lines.get()
    assert (line.unit, line.produced, line.available_tomorrow) == ("kg", 18000, 15000)
    page = client.get(response["Location"]).content.decode()
    listing = client.get(reverse("reporting:producer_list", args=[plant.code])).content.decode()
    assert list_row(listing, "Mon 9 Aug").startswith("Mon 9 Aug late Liquid oxygen: 18,000 ")
    assert "18,000 kg" in page
    assert "2 h · Power cut" in page


# ------------------------------------------------------------- facility and region


def test_the_facility_page_shows_demand_and_autonomy_with_units(rw: ReportingWorld) -> None:
    staff = rw.world.facility_staff
    client = client_for(staff)
    before = client.get(reverse("registry:site", args=[CHU])).content.decode()
    assert "No report yet" in before
    services.submit_facility_report(
        facility=rw.world.chu_batna, data=report_in(), submission=submission(staff)
    )
    html = client.get(reverse("registry:site", args=[CHU])).content.decode()
    outlook = html[
        html.index('id="outlook"') : html.index("</section>", html.index('id="outlook"'))
    ]
    assert re.search(r"\d+ h</div>", outlook)  # hours of oxygen left
    assert "590 Nm³/day" in outlook
    assert "345.6–835.2</bdi> Nm³/day" in outlook
    assert "Calibration factor" in outlook
    assert "WHO ESFT" in outlook
    assert "Africa/Algiers" in outlook
    assert "Nm³</div>" in outlook
    assert "Too few reports for a projection: 1 day reported" in outlook
    assert new_url() in outlook
    assert reverse("reporting:facility_list", args=[CHU]) in outlook


def test_the_facility_page_projects_the_census_from_enough_reports(rw: ReportingWorld) -> None:
    staff = rw.world.facility_staff
    for back in range(9, -1, -1):
        day = TODAY - timedelta(days=back)
        services.submit_facility_report(
            facility=rw.world.chu_batna,
            data=report_in(report_date=day, patients_low_flow=20 + 2 * (9 - back)),
            submission=submission(staff),
        )
    html = client_for(staff).get(reverse("registry:site", args=[CHU])).content.decode()
    assert "Census projection" in html
    assert "Too few reports" not in html
    assert "80 % interval" in html
    assert "+14 days" in html
    assert "From 10 days of reports in the 28 days to Aug. 9, 2021." in html
    assert "damped trend" in html  # the model named in the basis
    assert "<svg" in html


def test_the_region_page_lists_facilities_by_autonomy_with_totals(rw: ReportingWorld) -> None:
    coordinator = rw.world.coordinator
    services.submit_facility_report(
        facility=rw.world.chu_batna, data=report_in(), submission=submission(coordinator)
    )
    services.submit_facility_report(
        facility=rw.world.eph_barika,
        data=report_in(lox_tanks=[], cylinders=[services.CylindersIn("B50", 5)]),
        submission=submission(coordinator),
    )
    html = client_for(coordinator).get(reverse("registry:region", args=["DZ-05"])).content.decode()
    section = html[html.index("Facilities: patients, demand and autonomy") :]
    assert section.index("EPH Barika") < section.index("CHU Batna")  # least autonomy first
    total = re.search(r"Total</th><td>2 of 2 reporting</td><td class=\"num\">(\d+)</td>", section)
    assert total is not None
    assert total.group(1) == "54"
    assert "1,181" in section  # 2 × 590.4 Nm³/day
    viewer = client_for(rw.world.viewer)
    viewed = viewer.get(reverse("registry:region", args=["DZ-05-02"])).content.decode()
    assert "1 of 1 reporting" in viewed[viewed.index("Facilities: patients") :]
    assert viewer.get(reverse("registry:region", args=["DZ-05"])).status_code == 404
