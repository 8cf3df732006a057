"""Sites (facilities, producers, depots) sharing one identity, and their organisations."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oxyflow.registry.models.common import code_validator, no_nul
from oxyflow.registry.models.regions import Country, Region


class SiteKind(models.TextChoices):
    FACILITY = "facility", _("Facility")
    PRODUCER = "producer", _("Producer")
    DEPOT = "depot", _("Depot")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class OrganisationKind(models.TextChoices):
    PRODUCER = "producer", _("Oxygen producer")
    TRANSPORTER = "transporter", _("Transporter")
    PRODUCER_TRANSPORTER = "producer_transporter", _("Producer and transporter")
    HEALTH = "health", _("Health authority")


class Organisation(models.Model):
    """A company or authority that runs sites or vehicles (Linde Gas Algérie, a hauler)."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, validators=[no_nul])
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class SiteQuerySet(models.QuerySet["Site"]):
    def active(self) -> SiteQuerySet:
        return self.filter(retired_on__isnull=True)


class Site(models.Model):
    """Anything with a location that holds or moves stock: the shared identity.

    Facilities, producers and depots extend it (multi-table inheritance), so stock,
    shipments and incidents refer to any of them through one foreign key.
    """

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200, validators=[no_nul])
    name_local = models.CharField(_("local name"), max_length=200, blank=True, validators=[no_nul])
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="sites"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
    )
    latitude = models.DecimalField(
        _("latitude (°)"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude (°)"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    address = models.CharField(_("address"), max_length=300, blank=True, validators=[no_nul])
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[no_nul])

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.region_id and self.region.retired_on and not self.retired_on:
            raise ValidationError(
                {
                    "region": _("Region %(code)s is retired; choose a current one.")
                    % {"code": self.region.code}
                }
            )

    @property
    def country(self) -> Country:
        return Country.objects.select_related("region").get(
            region__code=self.region.path.split("/", 1)[0]
        )

    def specific(self) -> Site:
        """The facility, producer or depot row behind this site."""
        return getattr(self, self.kind) if self.kind else self


class FacilityType(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    TREATMENT_CENTRE = "treatment_centre", _("Treatment centre")
    FIELD_HOSPITAL = "field_hospital", _("Field hospital")
    CLINIC = "clinic", _("Clinic")


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("1 – critical (reference hospital, ICU)")
    HIGH = 2, _("2 – high")
    NORMAL = 3, _("3 – normal")


class Facility(Site):
    facility_type = models.CharField(
        _("facility type"), max_length=30, choices=FacilityType.choices
    )
    beds_total = models.PositiveIntegerField(_("beds, total"), default=0)
    beds_oxygen = models.PositiveIntegerField(_("beds with oxygen"), default=0)
    beds_icu = models.PositiveIntegerField(_("ICU beds"), default=0)
    priority = models.PositiveSmallIntegerField(
        _("supply priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    has_cylinder_manifold = models.BooleanField(_("has a cylinder manifold"), default=False)
    manifold_cylinder_type = models.ForeignKey(
        "CylinderType",
        verbose_name=_("manifold cylinder type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    psa_output_nm3_per_h = models.DecimalField(
        _("on-site PSA plant output (Nm³/h)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def save(self, *args: object, **kwargs: object) -> None:
        self.kind = SiteKind.FACILITY
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.beds_oxygen > self.beds_total:
            errors["beds_oxygen"] = _(
                "Beds with oxygen (%(oxygen)s) cannot exceed total beds (%(total)s)."
            ) % {"oxygen": self.beds_oxygen, "total": self.beds_total}
        if self.beds_icu > self.beds_total:
            errors["beds_icu"] = _("ICU beds (%(icu)s) cannot exceed total beds (%(total)s).") % {
                "icu": self.beds_icu,
                "total": self.beds_total,
            }
        if self.has_cylinder_manifold and not self.manifold_cylinder_type_id:
            errors["manifold_cylinder_type"] = _("Name the cylinder type the manifold takes.")
        if errors:
            raise ValidationError(errors)


class ProducerType(models.TextChoices):
    ASU = "asu", _("Air-separation unit")
    PSA = "psa", _("PSA plant")
    FILLING_STATION = "filling_station", _("Cylinder filling station")
    IMPORTER = "importer", _("Importer")


class Producer(Site):
    producer_type = models.CharField(
        _("producer type"), max_length=30, choices=ProducerType.choices
    )
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices)
    lox_storage_kg = models.DecimalField(
        _("liquid oxygen storage (kg)"),
        max_digits=12,
        decimal_places=1,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    cylinder_storage_count = models.PositiveIntegerField(_("cylinder yard (cylinders)"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")

    def save(self, *args: object, **kwargs: object) -> None:
        self.kind = SiteKind.PRODUCER
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Depot(Site):
    """A vehicle base or cylinder store with no production."""

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("depot")
        verbose_name_plural = _("depots")

    def save(self, *args: object, **kwargs: object) -> None:
        self.kind = SiteKind.DEPOT
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ContactRole(models.TextChoices):
    DIRECTOR = "director", _("Director")
    OXYGEN_MANAGER = "oxygen_manager", _("Oxygen / pharmacy manager")
    ON_CALL = "on_call", _("On call")
    DISPATCHER = "dispatcher", _("Dispatcher")
    OTHER = "other", _("Other")


class Contact(models.Model):
    """A person to call about a site; escalation walks these."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200, validators=[no_nul])
    role = models.CharField(_("role"), max_length=30, choices=ContactRole.choices)
    phone = models.CharField(
        _("phone"),
        max_length=30,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9 ()-]{6,30}$", _("Digits, spaces, +, ( ) and -."))],
    )
    email = models.EmailField(_("email"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["site", "role", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"
