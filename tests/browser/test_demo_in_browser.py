"""The demo as a person uses it: log in per persona, switch language, Arabic right to left."""

from __future__ import annotations

import pytest

from oxyflow.registry import demo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_site(live_server):  # type: ignore[no-untyped-def]
    summary = demo.load()
    return live_server.url, summary


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")


def test_every_demo_persona_logs_in_and_sees_its_scope(page, demo_site) -> None:  # type: ignore[no-untyped-def]
    base, summary = demo_site
    expectations = {
        "ministry.dz": "Algeria",
        "coord.batna": "Batna",
        "coord.binhphuoc": "Bình Phước",
        "staff.chu-batna": "CHU Batna",
        "producer.linde": "Linde",
        "viewer.barika": "Barika",
    }
    for login in summary.logins:
        page.context.clear_cookies()
        log_in(page, base, login.username)
        assert "/login/" not in page.url, login.username
        heading = page.locator("h1").inner_text()
        assert heading, login.username
        if login.username in expectations:
            page.goto(f"{base}/sites/")
            assert expectations[login.username] in page.content(), login.username
        if login.username == "outsider":
            assert "has no role yet" in page.content()


def test_the_language_menu_turns_the_page_arabic_and_right_to_left(page, demo_site) -> None:  # type: ignore[no-untyped-def]
    base, _summary = demo_site
    log_in(page, base, "coord.batna")
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    # The navigation starts on the right in a right-to-left page.
    brand = page.locator(".brand").bounding_box()
    assert brand is not None
    assert brand["x"] > 640


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "Facilities"),
        ("fr", "Établissements"),
        ("ar", "المنشآت الصحية"),
        ("vi", "Cơ sở y tế"),
    ],
)
def test_admin_lists_the_demo_facilities_in_another_language(
    page, demo_site, language, heading
) -> None:  # type: ignore[no-untyped-def]
    base, _summary = demo_site
    log_in(page, base, "ministry.dz")
    if language != "en":
        with page.expect_navigation():
            page.select_option("#language-select", language)
    page.goto(f"{base}/admin/registry/facility/")
    html = page.content()
    assert heading in html
    assert "DZ-CHU-BATNA" in html
    assert "EPH Batna (ex-Sanatorium)" in html
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
