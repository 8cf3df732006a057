"""The PDF report renders in English, French, Arabic and Vietnamese: its text is read
back with pypdf and must hold the translated headings and the report's own figures.

The headings are compared with ``gettext`` of the same message under that language, so
the tests stay right once the catalogues are translated. Without WeasyPrint's system
libraries the rendering tests skip, unless OXYFLOW_REQUIRE_PDF is set (CI sets it).
"""

from __future__ import annotations

import io
import os
import re
import sys
import unicodedata

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext
from pypdf import PdfReader

from oxyflow.sitrep import pdf, report
from tests.reporting.conftest import NOW, TODAY
from tests.sitrep.conftest import SitrepWorld, client_for

pytestmark = pytest.mark.django_db

HEADINGS = (
    "Daily situation report",
    "Key figures",
    "Facilities at risk",
    "Production and deliveries",
    "Incidents",
    "Outlook for the coming days",
)


@pytest.fixture
def weasyprint() -> None:
    if pdf.available():
        return
    why = f"WeasyPrint's system libraries are missing (Debian: {pdf.SYSTEM_PACKAGES})"
    if os.environ.get("OXYFLOW_REQUIRE_PDF"):
        pytest.fail(f"{why}, and OXYFLOW_REQUIRE_PDF is set")
    pytest.skip(f"{why}; set OXYFLOW_REQUIRE_PDF to make this a failure")


def normal(text: str) -> str:
    """Text as compared: NFKC (Arabic presentation forms → letters, no-break spaces →
    spaces), one space between words."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def contains(text: str, phrase: str, *, rtl: bool) -> bool:
    """Whether ``phrase`` is in the extracted ``text``. Right-to-left lines may come out
    of the PDF with their words in visual order, so there every word must appear."""
    phrase = normal(phrase)
    if phrase in text:
        return True
    return rtl and all(word in text for word in phrase.split(" "))


def pdf_text(content: bytes) -> str:
    return normal("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


@pytest.mark.usefixtures("weasyprint")
@pytest.mark.parametrize("language", ["en", "fr", "ar", "vi"])
def test_the_pdf_renders_in_the_readers_language(sw: SitrepWorld, language: str) -> None:
    client = client_for(sw.rw.world.ministry, language)
    response = client.get(reverse("sitrep:pdf") + f"?region=DZ&day={TODAY.isoformat()}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="sitrep-DZ-{TODAY.isoformat()}-{language}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    with translation.override(language):
        rtl = translation.get_language_bidi()
        for heading in HEADINGS:
            assert contains(text, gettext(heading), rtl=rtl), (language, heading, text[:800])
        # The day in the language's own words (Django's catalogue: Arabic month names
        # already, so Arabic script is read back from the PDF today).
        assert contains(text, date_format(TODAY, "DATE_FORMAT"), rtl=rtl), (language, text[:400])
        found = report.build(sw.rw.world.ministry, "DZ", TODAY, NOW)
        production = number_format(round(found.production_nm3 or 0), 0, force_grouping=True)
    assert rtl == (language == "ar")
    # What does not depend on the language: names, codes, counts, the reader.
    for words in (
        "Algeria",
        "EPH Barika",
        "DZ-EPH-BARIKA",
        "CHU Batna",
        "Road to Barika blocked by a landslide",
        "mina",
        "Africa/Algiers",
    ):
        assert contains(text, words, rtl=rtl), (language, words)
    assert normal(production) in text
    assert f"{found.kpis.patients_on_oxygen}" in text
    # Page numbers at the foot of each page: "1 / 2" (read right to left in Arabic,
    # where the PDF's visual order gives "2 / 1").
    pages = PdfReader(io.BytesIO(response.content)).pages
    for number, page in enumerate(pages, start=1):
        foot = normal(page.extract_text())
        assert f"{number} / {len(pages)}" in foot or (rtl and f"{len(pages)} / {number}" in foot)


def test_the_arabic_print_template_is_right_to_left_a4_in_dejavu_sans(sw: SitrepWorld) -> None:
    with translation.override("ar"):
        found = report.build(sw.rw.world.ministry, "DZ", None, NOW)
        printed = render_to_string("sitrep/print.html", {"report": found})
    assert '<html lang="ar" dir="rtl">' in printed
    assert 'font-family: "DejaVu Sans"' in printed
    assert "size: A4" in printed
    assert "counter(page)" in printed


def test_without_weasyprint_the_pdf_is_503_with_a_message(
    sw: SitrepWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # the import fails
    response = client_for(sw.rw.world.ministry).get(reverse("sitrep:pdf") + "?region=DZ")
    assert response.status_code == 503
    assert "WeasyPrint" in response.content.decode()
    assert "libpango" in response.content.decode()


def test_a_library_failing_while_rendering_is_503_too(
    sw: SitrepWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def __init__(self, **kwargs: object) -> None:
            pass

        def write_pdf(self) -> bytes:
            raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "_html_class", lambda: Broken)
    response = client_for(sw.rw.world.ministry).get(reverse("sitrep:pdf") + "?region=DZ")
    assert response.status_code == 503
