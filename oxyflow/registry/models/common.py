"""Validators shared by every registry model."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
    _("Use 1–40 letters, digits, dots, dashes or underscores, starting with a letter or digit."),
)


def no_nul(value: str) -> None:
    # PostgreSQL rejects NUL in text that SQLite stores: refuse it everywhere alike.
    if "\x00" in value:
        raise ValidationError(_("The text contains a NUL character, which is not allowed."))
