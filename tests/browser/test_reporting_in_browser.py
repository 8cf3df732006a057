"""The daily report on a phone: fill the form at 390x844, send it, read the report; the
Arabic form reads right to left."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.reporting.conftest import equip

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def reporting_site(live_server, world):  # type: ignore[no-untyped-def]
    equip(world)
    return live_server.url


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_staff_fill_the_daily_report_on_a_phone_and_in_arabic_it_reads_right_to_left(
    page, reporting_site
) -> None:  # type: ignore[no-untyped-def]
    base = reporting_site
    page.set_viewport_size(PHONE)
    log_in(page, base, "fatima")
    page.goto(f"{base}/reports/facility/DZ-CHU-BATNA/new/")
    # One column that fits the screen: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_attribute("#id_patients_low_flow", "inputmode") == "numeric"
    page.fill("#id_patients_low_flow", "18")
    page.fill("#id_patients_high_flow", "4")
    page.fill("#id_patients_ventilated", "2")
    page.fill("#id_lox_tanks-0-level", "6")
    page.select_option("#id_lox_tanks-0-unit", "kL")
    page.fill("#id_cylinders-0-full", "25")
    page.fill("#id_cylinders-0-empty", "12")
    page.fill("#id_consumption", "450")
    with page.expect_navigation():
        page.click("button.submit")
    assert re.search(r"/reports/facility-report/\d+/$", page.url)
    assert "Report for" in page.locator(".messages").inner_text()
    html = page.content()
    assert "6 kL" in html
    assert "6,846 kg" in html  # 6 kL of liquid oxygen at 1.141 kg/L
    assert "25 cylinders" in html
    assert "450 Nm3 = 450.0 Nm³" in html

    # The same form in Arabic reads right to left and still fits the phone.
    page.goto(f"{base}/reports/facility/DZ-CHU-BATNA/new/")
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert "/reports/facility/DZ-CHU-BATNA/new/" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
