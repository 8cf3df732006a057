"""The coordinator's morning: the map coloured by autonomy, the alert for the facility
that runs dry first, acknowledging it, the dashboard in Arabic, the PDF situation report."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from oxyflow.reporting import ingest
from oxyflow.reporting import services as rep_services
from tests.browser.test_reporting_in_browser import log_in
from tests.reporting.conftest import equip, report_in, submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def morning(live_server, world):  # type: ignore[no-untyped-def]
    """CHU Batna is nearly dry (1 % of its tank, no cylinders); EPH Barika is well stocked."""
    equip(world)
    now = timezone.now()
    today = datetime.now(ZoneInfo("Africa/Algiers")).date()
    ingest.submit_one(
        facility=world.chu_batna,
        data=report_in(
            report_date=today,
            as_of=now,
            lox_tanks=[rep_services.TankLevelIn(1, "%")],
            cylinders=[],
        ),
        submission=submission(world.ministry, now=now),
    )
    ingest.submit_one(
        facility=world.eph_barika,
        data=report_in(
            report_date=today,
            as_of=now,
            lox_tanks=[],
            cylinders=[rep_services.CylindersIn("B50", 400, 0)],
            patients_low_flow=2,
            patients_high_flow=0,
            patients_ventilated=0,
        ),
        submission=submission(world.ministry, now=now),
    )
    return live_server.url


def test_a_coordinator_sees_the_map_acknowledges_the_alert_and_reads_the_report_in_arabic(
    page, morning
) -> None:  # type: ignore[no-untyped-def]
    base = morning
    log_in(page, base, "carim")
    page.goto(f"{base}/dashboard/")

    # The map draws one marker per facility, coloured by its autonomy band.
    page.wait_for_selector("#map[data-loaded]")
    chu = page.locator('.marker-facility[data-site="DZ-CHU-BATNA"]')
    barika = page.locator('.marker-facility[data-site="DZ-EPH-BARIKA"]')
    assert chu.count() == 1
    assert "band-critical" in (chu.get_attribute("class") or "")
    assert "band-ok" in (barika.get_attribute("class") or "")
    assert page.locator('[data-kpi="threshold"] .value').inner_text().startswith("1")

    # The facility under threshold is an alert; acknowledge it from the alerts page.
    alert = page.locator(".alert-list li.sev-critical")
    assert alert.count() == 1
    assert "CHU Batna" in alert.inner_text()
    page.goto(f"{base}/alerts/")
    row = page.locator('[data-site="DZ-CHU-BATNA"][data-severity="critical"]')
    assert row.count() == 1
    with page.expect_navigation():
        row.get_by_role("button", name="Acknowledge").click()
    row = page.locator('[data-site="DZ-CHU-BATNA"][data-severity="critical"]')
    assert "Acknowledged" in row.inner_text()
    assert row.get_by_role("button", name="Acknowledge").count() == 0

    # In Arabic the dashboard reads right to left, translated.
    page.goto(f"{base}/dashboard/")
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    with translation.override("ar"):
        arabic_title = translation.gettext("Facilities under threshold")
        arabic_nav = translation.gettext("Dashboard")
    assert arabic_title != "Facilities under threshold"
    assert arabic_title in page.locator('[data-kpi="threshold"]').inner_text()
    assert arabic_nav in page.locator("nav.mainnav").inner_text()
    page.wait_for_selector("#map[data-loaded]")

    # The daily situation report downloads as a PDF, in Arabic.
    page.goto(f"{base}/sitrep/")
    with page.expect_download() as download_info:
        page.locator('a[href*="report.pdf"]').click()
    download = download_info.value
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "CHU Batna" in text
    assert download.suggested_filename.endswith("-ar.pdf")


def test_the_dashboard_fits_a_phone_and_works_from_the_keyboard(page, morning) -> None:  # type: ignore[no-untyped-def]
    base = morning
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "carim")
    page.goto(f"{base}/dashboard/")
    page.wait_for_selector("#map[data-loaded]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Tab to the facility table's first sort link and follow it with Enter.
    link = page.locator(".facility-table thead a").first
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=name" in page.url
