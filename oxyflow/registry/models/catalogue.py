"""National catalogues: cylinder types and products with their units of issue."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oxyflow.core import units
from oxyflow.registry.models.common import code_validator, no_nul


class CylinderType(models.Model):
    """A cylinder size: water capacity × fill pressure gives its gas content."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100, validators=[no_nul])
    water_capacity_l = models.DecimalField(
        _("water capacity (L)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(1000)],
    )
    fill_pressure_bar = models.DecimalField(
        _("fill pressure (bar)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(300)],
    )
    residual_pressure_bar = models.DecimalField(
        _("residual pressure (bar)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["water_capacity_l", "code"]
        verbose_name = _("cylinder type")
        verbose_name_plural = _("cylinder types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            self.spec()
        except (ValueError, TypeError) as exc:
            raise ValidationError(str(exc)) from None

    def spec(self) -> units.CylinderSpec:
        return units.CylinderSpec(
            name=self.code,
            water_capacity_l=float(self.water_capacity_l),
            fill_pressure_bar=float(self.fill_pressure_bar),
            residual_pressure_bar=float(self.residual_pressure_bar),
        )

    def content_nm3(self) -> float:
        """Gas content of a full cylinder in Nm³ (normal conditions)."""
        return float(units.to_magnitude(self.spec().content(), "Nm3"))


class ProductKind(models.TextChoices):
    LOX = "lox", _("Liquid oxygen (bulk)")
    CYLINDER = "cylinder", _("Oxygen in cylinders")
    CONCENTRATOR = "concentrator", _("Oxygen concentrator")
    OTHER = "other", _("Other supply")


class UnitOfIssue(models.TextChoices):
    # Labels are what follows a number on screen ("440 kg", "9 cylinders").
    KG = "kg", _("kg")
    CYLINDER = "cylinder", _("cylinders")
    DEVICE = "device", _("devices")
    PIECE = "piece", _("pieces")
    PAIR = "pair", _("pairs")
    BOX = "box", _("boxes")
    LITRE = "L", _("L")


class Product(models.Model):
    """What moves through the chain, with the unit every quantity of it is counted in."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, validators=[no_nul])
    kind = models.CharField(_("kind"), max_length=20, choices=ProductKind.choices)
    unit_of_issue = models.CharField(_("unit of issue"), max_length=10, choices=UnitOfIssue.choices)
    cylinder_type = models.OneToOneField(
        CylinderType,
        verbose_name=_("cylinder type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="product",
    )
    concentrator_flow_l_per_min = models.DecimalField(
        _("concentrator flow (L/min)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(100)],
    )
    pack_size = models.PositiveIntegerField(
        _("units per pack"), default=1, help_text=_("e.g. 50 masks per box")
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["kind", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = (
            {
                ProductKind.LOX: UnitOfIssue.KG,
                ProductKind.CYLINDER: UnitOfIssue.CYLINDER,
                ProductKind.CONCENTRATOR: UnitOfIssue.DEVICE,
            }.get(ProductKind(self.kind))
            if self.kind
            else None
        )
        errors = {}
        if expected and self.unit_of_issue != expected:
            errors["unit_of_issue"] = _("%(kind)s is counted in %(unit)s.") % {
                "kind": ProductKind(self.kind).label,
                "unit": expected.label,
            }
        if self.kind == ProductKind.CYLINDER and not self.cylinder_type_id:
            errors["cylinder_type"] = _("Oxygen in cylinders needs its cylinder type.")
        if self.kind != ProductKind.CYLINDER and self.cylinder_type_id:
            errors["cylinder_type"] = _("Only oxygen in cylinders has a cylinder type.")
        if self.kind == ProductKind.CONCENTRATOR and not self.concentrator_flow_l_per_min:
            errors["concentrator_flow_l_per_min"] = _("Give the concentrator's flow in L/min.")
        if errors:
            raise ValidationError(errors)
