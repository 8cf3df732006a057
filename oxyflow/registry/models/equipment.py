"""What sits at a site: LOX tanks, concentrators, production capacity."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oxyflow.core import units
from oxyflow.registry.models.catalogue import Product
from oxyflow.registry.models.common import no_nul
from oxyflow.registry.models.sites import Facility, Producer


class LoxTank(models.Model):
    """A facility's cryogenic tank (VIE). Usable oxygen is what sits above the safety level."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="lox_tanks"
    )
    name = models.CharField(_("name"), max_length=100, default="Tank 1", validators=[no_nul])
    capacity_liquid_l = models.DecimalField(
        _("capacity (L of liquid)"),
        max_digits=9,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(50)), MaxValueValidator(100000)],
    )
    safety_level_pct = models.DecimalField(
        # xgettext:no-python-format
        _("safety level (% of capacity)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal(20),
        validators=[MinValueValidator(0), MaxValueValidator(90)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["facility", "name"]
        verbose_name = _("liquid oxygen tank")
        verbose_name_plural = _("liquid oxygen tanks")
        # Reports and sensors name the tank: a name must say which one.
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["facility", "name"], name="uniq_facility_tank_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.capacity_liquid_l} L"

    def capacity_kg(self) -> float:
        # The density times the litres, as units.lox_liquid_volume_to_mass computes it,
        # without building a pint quantity: this runs for every tank of every report.
        return float(self.capacity_liquid_l) * units.LOX_DENSITY_KG_PER_L


class FacilityConcentrators(models.Model):
    """How many concentrators of one flow a facility holds (assets are tracked later)."""

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="concentrators",
    )
    flow_l_per_min = models.DecimalField(
        _("flow (L/min)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(100)],
    )
    count = models.PositiveIntegerField(_("count"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("concentrators")
        verbose_name_plural = _("concentrators")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["facility", "flow_l_per_min"], name="uniq_facility_concentrator_flow"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.flow_l_per_min} L/min"


class ProducerCapacity(models.Model):
    """How much of one product a producer can make or fill per day, in the product's unit."""

    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.CASCADE, related_name="capacities"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT)
    capacity_per_day = models.DecimalField(
        _("capacity per day (in the product's unit)"),
        max_digits=12,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production capacity")
        verbose_name_plural = _("production capacities")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["producer", "product"], name="uniq_producer_product")
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.capacity_per_day} {self.product.unit_of_issue}/day"
