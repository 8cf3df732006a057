"""The administrative tree and the countries that own its settings."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oxyflow.core.calendars import WorkingCalendar
from oxyflow.registry.models.common import code_validator, no_nul


class RegionLevel(models.TextChoices):
    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province / wilaya")
    DISTRICT = "district", _("District (daïra / huyện)")
    COMMUNE = "commune", _("Commune")


LEVEL_DEPTH = {
    RegionLevel.COUNTRY: 0,
    RegionLevel.PROVINCE: 1,
    RegionLevel.DISTRICT: 2,
    RegionLevel.COMMUNE: 3,
}


class RegionQuerySet(models.QuerySet["Region"]):
    def active(self) -> RegionQuerySet:
        return self.filter(retired_on__isnull=True)

    def within(self, region: Region) -> RegionQuerySet:
        """The region itself and every region below it."""
        return self.filter(path__startswith=region.path)


class Region(models.Model):
    """A node of the administrative tree: country → province → district → commune.

    ``path`` (codes joined by ``/``) makes "this region and everything below it" one
    indexed prefix query; it is maintained on save. Retired regions stay for history;
    a merged region points to its successor.
    """

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, validators=[no_nul])
    name_local = models.CharField(
        _("local name"),
        max_length=200,
        blank=True,
        validators=[no_nul],
        help_text=_("The name in the local script, e.g. Arabic."),
    )
    level = models.CharField(_("level"), max_length=20, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=500, db_index=True, editable=False)
    latitude = models.DecimalField(
        _("latitude (°)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude (°)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    retired_on = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("The date this unit stopped existing (reorganisation). Kept for history."),
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    history = HistoricalRecords()

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        depth = LEVEL_DEPTH[RegionLevel(self.level)] if self.level else None
        if self.parent is None and self.level and self.level != RegionLevel.COUNTRY:
            errors["parent"] = _("A %(level)s needs a parent region.") % {
                "level": RegionLevel(self.level).label
            }
        if self.parent is not None and depth is not None:
            parent_depth = LEVEL_DEPTH[RegionLevel(self.parent.level)]
            if parent_depth != depth - 1:
                errors["parent"] = _(
                    "A %(level)s must sit directly under a %(expected)s, not a %(actual)s."
                ) % {
                    "level": RegionLevel(self.level).label,
                    "expected": next(lv.label for lv, d in LEVEL_DEPTH.items() if d == depth - 1),
                    "actual": RegionLevel(self.parent.level).label,
                }
            if self.pk and self.parent.path.startswith(self.path):
                errors["parent"] = _("A region cannot sit below itself.")
        if self.successor_id and self.successor_id == self.pk:
            errors["successor"] = _("A region cannot be merged into itself.")
        if self.successor_id and not self.retired_on:
            errors["retired_on"] = _("Give the date of the merger when naming a successor.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: object, **kwargs: object) -> None:
        old_path = None
        if self.pk:
            old_path = Region.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        if old_path and old_path != self.path:
            # Moving or renaming a node moves its subtree's paths with it.
            for child in Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.path = self.path + child.path[len(old_path) :]
                Region.objects.filter(pk=child.pk).update(path=child.path)

    @property
    def country_region(self) -> Region:
        code = self.path.split("/", 1)[0]
        return self if self.parent_id is None else Region.objects.get(code=code)

    def ancestors(self) -> list[Region]:
        codes = self.path.strip("/").split("/")[:-1]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class LoxReference(models.TextChoices):
    NORMAL = "normal", _("Normal: 0 °C, 1.01325 bar (Nm³)")
    C15 = "15c", _("15 °C, 1.01325 bar")
    C21 = "21c", _("21 °C, 1.01325 bar")


class LoxUnit(models.TextChoices):
    KG = "kg", _("kilograms (kg)")
    LITRE = "L", _("litres of liquid (L)")
    NM3 = "Nm3", _("cubic metres of gas (Nm³)")


class Country(models.Model):
    """Settings that hold for a whole country: time zone, working calendar, units."""

    region = models.OneToOneField(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="country",
        limit_choices_to={"level": RegionLevel.COUNTRY},
    )
    iso_code = models.CharField(
        _("ISO 3166 code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. DZ or VN."))],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, help_text=_("An IANA time zone, e.g. Africa/Algiers.")
    )
    weekend_days = models.JSONField(
        _("weekend days"),
        default=list,
        help_text=_("Weekday numbers, 0 = Monday … 6 = Sunday (Algeria: [4, 5])."),
    )
    default_lox_unit = models.CharField(
        _("default unit for liquid oxygen"),
        max_length=4,
        choices=LoxUnit.choices,
        default=LoxUnit.KG,
    )
    lox_reference = models.CharField(
        _("gas reference conditions"),
        max_length=10,
        choices=LoxReference.choices,
        default=LoxReference.NORMAL,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.region.name

    def clean(self) -> None:
        try:
            self.calendar()
        except ValueError as exc:
            raise ValidationError({"weekend_days": str(exc)}) from None

    def weekend_names(self) -> list[str]:
        return [str(WEEKDAYS[int(d)]) for d in sorted(self.weekend_days)]

    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(
            country_code=self.iso_code,
            time_zone=self.time_zone,
            weekend_days=frozenset(int(d) for d in self.weekend_days),
        )
