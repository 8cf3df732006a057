"""Vehicles and what they carry."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oxyflow.registry.models.catalogue import CylinderType
from oxyflow.registry.models.common import code_validator
from oxyflow.registry.models.sites import Organisation, Site


class VehicleKind(models.TextChoices):
    CRYOGENIC_TANKER = "cryogenic_tanker", _("Cryogenic tanker (LOX)")
    CYLINDER_TRUCK = "cylinder_truck", _("Cylinder truck")


class VehicleStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    MAINTENANCE = "maintenance", _("In maintenance")
    RETIRED = "retired", _("Retired")


class Vehicle(models.Model):
    registration = models.CharField(
        _("registration / code"), max_length=40, unique=True, validators=[code_validator]
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("transporter"),
        on_delete=models.PROTECT,
        related_name="vehicles",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=VehicleKind.choices)
    capacity_kg = models.DecimalField(
        _("LOX capacity (kg)"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(100), MaxValueValidator(60000)],
    )
    home_depot = models.ForeignKey(
        Site, verbose_name=_("home depot"), on_delete=models.PROTECT, related_name="based_vehicles"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VehicleStatus.choices, default=VehicleStatus.AVAILABLE
    )
    shift_start = models.TimeField(_("shift start (local time)"), null=True, blank=True)
    shift_end = models.TimeField(_("shift end (local time)"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["registration"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return f"{self.registration} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.kind == VehicleKind.CRYOGENIC_TANKER and self.capacity_kg is None:
            raise ValidationError(
                {"capacity_kg": _("A cryogenic tanker needs its capacity in kg.")}
            )
        if self.kind == VehicleKind.CYLINDER_TRUCK and self.capacity_kg is not None:
            raise ValidationError(
                {"capacity_kg": _("A cylinder truck carries cylinders: give capacity per type.")}
            )


class VehicleCylinderCapacity(models.Model):
    vehicle = models.ForeignKey(
        Vehicle,
        verbose_name=_("vehicle"),
        on_delete=models.CASCADE,
        related_name="cylinder_capacities",
    )
    cylinder_type = models.ForeignKey(
        CylinderType, verbose_name=_("cylinder type"), on_delete=models.PROTECT
    )
    count = models.PositiveIntegerField(_("cylinders"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("cylinder capacity")
        verbose_name_plural = _("cylinder capacities")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["vehicle", "cylinder_type"], name="uniq_vehicle_cylinder_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.cylinder_type}"
