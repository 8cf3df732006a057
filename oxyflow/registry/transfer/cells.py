"""One cell as read: blank or not, shown in a report, parsed as a model field's value."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from oxyflow.registry.transfer.results import RowIn
from oxyflow.registry.transfer.sheets import FORMULA_START


class CellError(Exception):
    """A cell's value cannot be used; the message is the reason shown to the user."""


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: object) -> str:
    """A cell as shown in a problem report: text, NUL made visible, cut to 80 characters."""
    text = "" if value is None else str(value).replace("\x00", "␀")
    return text if len(text) <= 80 else text[:79] + "…"


def parse_cell(f: models.Field[Any, Any], raw: object, row: RowIn) -> Any:
    """A raw cell as the Python value of model field ``f``; a foreign key stays a code."""
    if isinstance(raw, str):
        if "\x00" in raw:
            # PostgreSQL refuses NUL in text; SQLite would store it.
            raise CellError(_("The text contains a NUL character, which is not allowed."))
        raw = raw.strip()
    if blank(raw):
        if isinstance(f, models.CharField | models.TextField) and not f.is_relation:
            return ""
        if f.null:
            return None
        if f.has_default():
            return f.get_default()
        raise CellError(_("This column needs a value."))
    if f.choices and not f.is_relation:
        value = _parse_int(raw) if isinstance(f, models.IntegerField) else as_text(raw, row)
        allowed = [choice for choice, _label in f.flatchoices]
        if value not in allowed:
            raise CellError(
                _("Not an allowed value; use one of: %(allowed)s.")
                % {"allowed": ", ".join(str(a) for a in allowed)}
            )
        return value
    if f.is_relation:
        return as_text(raw, row)
    if isinstance(f, models.BooleanField):
        return _parse_bool(raw)
    if isinstance(f, models.DecimalField):
        return _parse_decimal(raw, row)
    if isinstance(f, models.IntegerField):
        return _parse_int(raw)
    if isinstance(f, models.DateField):
        return _parse_date(raw)
    return as_text(raw, row)


def as_text(raw: object, row: RowIn) -> str:
    """A cell as text: a code typed as a number loses its ``.0``, export's quote goes."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a code typed as a number in a spreadsheet
    text = str(raw).strip()
    if row.from_csv and len(text) > 1 and text[0] == "'" and text.startswith(FORMULA_START, 1):
        text = text[1:]  # undo the quote export puts before formula-like text
    return text


def _parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(int(raw) if isinstance(raw, int | float) else raw).strip().lower()
    if word in ("yes", "true", "1"):
        return True
    if word in ("no", "false", "0"):
        return False
    raise CellError(_("Use yes or no (also true/false or 1/0)."))


def _parse_decimal(raw: object, row: RowIn) -> Decimal:
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if row.decimal_comma and "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(_("Expected a number such as 12.5.")) from None
    if not value.is_finite() or isinstance(raw, bool):
        raise CellError(_("Expected a number such as 12.5."))
    return value


def _parse_int(raw: object) -> int:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    # The size bound keeps int() from building a huge number out of "1e999999999".
    if isinstance(raw, bool) or not value.is_finite() or value.adjusted() > 18:
        raise CellError(_("Expected a whole number."))
    if value != value.to_integral_value():
        raise CellError(_("Expected a whole number."))
    return int(value)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(raw: object) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if not _ISO_DATE.match(text):
        raise CellError(_("Expected a date as yyyy-mm-dd."))
    try:
        return date.fromisoformat(text)
    except ValueError:
        # Well formed but impossible, such as 2021-02-30.
        raise CellError(_("Expected a date as yyyy-mm-dd.")) from None
