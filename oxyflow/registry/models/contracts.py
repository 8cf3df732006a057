"""Supply links: which producer serves which facility."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oxyflow.registry.models.catalogue import Product
from oxyflow.registry.models.sites import Facility, Producer


class SupplyContract(models.Model):
    """A supply link: this producer serves this facility with this product."""

    producer = models.ForeignKey(
        Producer, verbose_name=_("producer"), on_delete=models.PROTECT, related_name="contracts"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="contracts"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT)
    agreed_quantity_per_day = models.DecimalField(
        _("agreed quantity per day (in the product's unit)"),
        max_digits=12,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    lead_time_hours = models.PositiveIntegerField(_("lead time (h)"), default=24)
    binding = models.BooleanField(
        _("binding"),
        default=False,
        help_text=_("A binding contract must be honoured by the planner."),
    )
    requisition = models.BooleanField(
        _("under requisition"),
        default=False,
        help_text=_("Supply ordered by the authority rather than agreed commercially."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["facility", "producer", "product"]
        verbose_name = _("supply contract")
        verbose_name_plural = _("supply contracts")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["producer", "facility", "product", "valid_from"],
                name="uniq_contract_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.producer.code} → {self.facility.code}: {self.product.code}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})
