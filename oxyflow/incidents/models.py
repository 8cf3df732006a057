"""Obstacles to the oxygen supply (incidents): what happened, where, who clears it.

An incident moves open → in progress → resolved → closed; a resolved incident may be
reopened, a closed one is final. Every change of status, assignment and severity is kept
as an :class:`IncidentEvent` (who, when, from what to what).

Shipments do not exist yet: when they do, an incident gains a ``shipments`` many-to-many
link beside ``sites`` (see docs/incidents.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oxyflow.registry.models import Region, Site
from oxyflow.registry.models.common import no_nul


class IncidentKind(models.TextChoices):
    PLANT_DOWN = "plant_down", _("Plant down")
    ROAD_BLOCKED = "road_blocked", _("Road blocked")
    TANKER_HELD = "tanker_held", _("Tanker held")
    INSTALLATION_FAULT = "installation_fault", _("Installation fault")
    POWER_CUT = "power_cut", _("Power cut")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# Most severe first in lists; a rank, not the stored value, so the codes stay words.
SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = frozenset({IncidentStatus.OPEN, IncidentStatus.IN_PROGRESS})

# Every legal move; anything else is refused with IllegalTransition.
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.IN_PROGRESS, IncidentStatus.RESOLVED}),
    IncidentStatus.IN_PROGRESS: frozenset({IncidentStatus.RESOLVED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.CLOSED, IncidentStatus.OPEN}),
    IncidentStatus.CLOSED: frozenset(),
}


class IllegalTransition(Exception):
    """A status change the workflow does not allow (answered 409 by the API)."""

    def __init__(self, current: str, target: str) -> None:
        self.current = current
        self.target = target
        allowed = sorted(str(IncidentStatus(s).label) for s in TRANSITIONS[IncidentStatus(current)])
        if allowed:
            message = gettext(
                "An incident that is %(current)s cannot become %(target)s; "
                "it can become: %(allowed)s."
            ) % {
                "current": IncidentStatus(current).label,
                "target": _status_label(target),
                "allowed": ", ".join(allowed),
            }
        else:
            message = gettext(
                "An incident that is %(current)s cannot change any more; "
                "log a new incident if the obstacle returns."
            ) % {"current": IncidentStatus(current).label}
        super().__init__(message)


def _status_label(value: str) -> str:
    try:
        return str(IncidentStatus(value).label)
    except ValueError:
        return value


latitude_validators = [MinValueValidator(-90), MaxValueValidator(90)]
longitude_validators = [MinValueValidator(-180), MaxValueValidator(180)]


class Incident(models.Model):
    """An obstacle to supply: a plant down, a road blocked, a tanker held, a fault."""

    kind = models.CharField(_("kind"), max_length=30, choices=IncidentKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    title = models.CharField(_("title"), max_length=200, validators=[no_nul])
    description = models.TextField(_("description"), blank=True, validators=[no_nul])
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text=_("Where the obstacle is; for an incident at a site, the site's region."),
    )
    sites = models.ManyToManyField(
        Site,
        verbose_name=_("sites affected"),
        through="IncidentSite",
        blank=True,
        related_name="incidents",
    )
    latitude = models.DecimalField(
        _("latitude (°)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=latitude_validators,
    )
    longitude = models.DecimalField(
        _("longitude (°)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=longitude_validators,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.OPEN,
        db_index=True,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True, validators=[no_nul])
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-opened_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def time_to_resolution(self) -> timedelta | None:
        """From opening to (the latest) resolution; ``None`` while unresolved."""
        if self.resolved_at is None:
            return None
        return self.resolved_at - self.opened_at

    def time_open(self, now: datetime) -> timedelta:
        """How long the obstacle has stood: to its resolution, else to ``now``."""
        return (self.resolved_at or now) - self.opened_at

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (self.latitude is None) != (self.longitude is None):
            field = "longitude" if self.longitude is None else "latitude"
            errors[field] = _("Give both latitude and longitude, or neither.")
        if self.region_id and self.region.retired_on:
            errors["region"] = _("Region %(code)s is retired; choose a current one.") % {
                "code": self.region.code
            }
        if errors:
            raise ValidationError(errors)

    def move_to(
        self, target: str, *, by: Any, at: datetime, resolution: str = ""
    ) -> IncidentStatus:
        """Change the status in memory (the caller saves); returns the previous status.

        Raises :class:`IllegalTransition` for a move outside :data:`TRANSITIONS` and
        ``ValidationError`` (field ``resolution``) when resolving without saying how.
        """
        current = IncidentStatus(self.status)
        try:
            wanted = IncidentStatus(target)
        except ValueError:
            raise ValidationError(
                {
                    "status": gettext("%(value)s is not a status; use one of: %(choices)s.")
                    % {"value": target, "choices": ", ".join(IncidentStatus.values)}
                }
            ) from None
        if wanted not in TRANSITIONS[current]:
            raise IllegalTransition(current, wanted)
        if wanted == IncidentStatus.RESOLVED:
            text = resolution.strip()
            if not text:
                raise ValidationError(
                    {"resolution": gettext("Say how the obstacle was cleared to resolve it.")}
                )
            if "\x00" in text:
                raise ValidationError(
                    {"resolution": gettext("The text contains a NUL character, not allowed.")}
                )
            self.resolution = text
            self.resolved_at = at
            self.resolved_by = by
        elif wanted == IncidentStatus.CLOSED:
            self.closed_at = at
        elif current == IncidentStatus.RESOLVED and wanted == IncidentStatus.OPEN:
            # Reopened: the old resolution stays in the event history only.
            self.resolution = ""
            self.resolved_at = None
            self.resolved_by = None
        self.status = wanted
        return current


class IncidentSite(models.Model):
    """A site an incident affects; the first linked site places it on the map."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="site_links")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="incident_links")

    class Meta:
        ordering: ClassVar = ["pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["incident", "site"], name="uniq_incident_site")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} – {self.site_id}"


class IncidentComment(models.Model):
    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created at"))
    text = models.TextField(_("comment"), validators=[no_nul])

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.author} @ {self.created_at:%Y-%m-%d %H:%M}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Logged")
    STATUS = "status", _("Status")
    ASSIGNED = "assigned", _("Assignment")
    SEVERITY = "severity", _("Severity")


class IncidentEvent(models.Model):
    """One change to an incident: who, when, which attribute, from what to what."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("what"), max_length=20, choices=EventKind.choices)
    old_value = models.CharField(_("before"), max_length=200, blank=True)
    new_value = models.CharField(_("after"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering: ClassVar = ["at", "pk"]
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")

    def __str__(self) -> str:
        return f"{self.kind}: {self.old_value} → {self.new_value}"

    def display_value(self, value: str) -> str:
        """A stored value in words: status and severity labels, usernames as they are."""
        if not value:
            return "—"
        if self.kind in (EventKind.STATUS, EventKind.CREATED):
            return _status_label(value)
        if self.kind == EventKind.SEVERITY and value in Severity.values:
            return str(Severity(value).label)
        return value

    @property
    def old_display(self) -> str:
        return self.display_value(self.old_value)

    @property
    def new_display(self) -> str:
        return self.display_value(self.new_value)
