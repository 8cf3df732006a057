"""HTML to PDF with WeasyPrint, imported only when a PDF is asked for.

WeasyPrint loads Pango, HarfBuzz and fontconfig through ``cffi`` at import: on a machine
without them (a newcomer's laptop) the import raises ``OSError``. The page and the CSV
must keep working there, so the failure becomes :class:`PdfUnavailable`, which the view
answers with 503 and a message saying what to install.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# What WeasyPrint needs from Debian, as docs/sitrep.md says.
SYSTEM_PACKAGES = (
    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core"
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing; ``str()`` says which."""


def available() -> bool:
    """Whether PDFs can be made on this machine."""
    try:
        _html_class()
    except PdfUnavailable:
        return False
    return True


def _html_class() -> type:
    try:
        from weasyprint import HTML
    except (OSError, ImportError) as exc:
        logger.warning("WeasyPrint cannot load: %s", exc)
        raise PdfUnavailable(str(exc)) from exc
    return HTML  # type: ignore[no-any-return]


def render(html: str, *, base_url: str) -> bytes:
    """The PDF of ``html`` (a complete document with its own styles).

    Raises
    ------
    PdfUnavailable
        If WeasyPrint or a system library it needs cannot be loaded.
    """
    html_class = _html_class()
    try:
        return html_class(string=html, base_url=base_url).write_pdf()  # type: ignore[no-any-return]
    except OSError as exc:  # a library loaded lazily at render (fonts, HarfBuzz subset)
        logger.warning("WeasyPrint failed to render: %s", exc)
        raise PdfUnavailable(str(exc)) from exc
