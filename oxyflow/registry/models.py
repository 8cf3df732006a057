"""The registry: regions, sites (facilities, producers, depots), products, fleet, contracts.

Everything else in OxyFlow refers to these rows. Stored numbers name their unit in the
field name; conversions go through :mod:`oxyflow.core.units`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oxyflow.core import units
from oxyflow.core.calendars import WorkingCalendar

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
    _("Use 1–40 letters, digits, dots, dashes or underscores, starting with a letter or digit."),
)


def _no_nul(value: str) -> None:
    # PostgreSQL rejects NUL in text that SQLite stores: refuse it everywhere alike.
    if "\x00" in value:
        raise ValidationError(_("The text contains a NUL character, which is not allowed."))


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
    name = models.CharField(_("name"), max_length=200, validators=[_no_nul])
    name_local = models.CharField(
        _("local name"),
        max_length=200,
        blank=True,
        validators=[_no_nul],
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
    time_zone = models.CharField(_("time zone"), max_length=64, help_text="e.g. Africa/Algiers")
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
    name = models.CharField(_("name"), max_length=200, validators=[_no_nul])
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
    name = models.CharField(_("name"), max_length=200, validators=[_no_nul])
    name_local = models.CharField(_("local name"), max_length=200, blank=True, validators=[_no_nul])
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
    address = models.CharField(_("address"), max_length=300, blank=True, validators=[_no_nul])
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[_no_nul])

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
    name = models.CharField(_("name"), max_length=200, validators=[_no_nul])
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


class CylinderType(models.Model):
    """A cylinder size: water capacity × fill pressure gives its gas content."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100, validators=[_no_nul])
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
    name = models.CharField(_("name"), max_length=200, validators=[_no_nul])
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


class LoxTank(models.Model):
    """A facility's cryogenic tank (VIE). Usable oxygen is what sits above the safety level."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="lox_tanks"
    )
    name = models.CharField(_("name"), max_length=100, default="Tank 1", validators=[_no_nul])
    capacity_liquid_l = models.DecimalField(
        _("capacity (L of liquid)"),
        max_digits=9,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(50)), MaxValueValidator(100000)],
    )
    safety_level_pct = models.DecimalField(
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

    def __str__(self) -> str:
        return f"{self.name} – {self.capacity_liquid_l} L"

    def capacity_kg(self) -> float:
        litres = units.Quantity(float(self.capacity_liquid_l), "L")
        return float(units.to_magnitude(units.lox_liquid_volume_to_mass(litres), "kg"))


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
