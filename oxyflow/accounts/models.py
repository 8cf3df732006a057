"""Who a user is for OxyFlow (role and scope), API tokens, idempotent request records."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oxyflow.registry.models import Facility, Organisation, Region, RegionLevel


class Role(models.TextChoices):
    MINISTRY = "ministry", _("Ministry (national)")
    COORDINATOR = "coordinator", _("Regional coordinator")
    FACILITY_STAFF = "facility_staff", _("Facility staff")
    PRODUCER_STAFF = "producer_staff", _("Producer / transporter staff")
    VIEWER = "viewer", _("Viewer (read-only)")


class Profile(models.Model):
    """A user's role and the part of the registry it covers.

    Ministry: a country region. Coordinator and viewer: a region and everything below
    it. Facility staff: their facilities. Producer/transporter staff: their organisation.
    A user with no profile is an outsider and sees nothing.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    facilities = models.ManyToManyField(
        Facility, verbose_name=_("facilities"), blank=True, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"

    def clean(self) -> None:
        role = Role(self.role)
        if role in (Role.MINISTRY, Role.COORDINATOR, Role.VIEWER) and not self.region_id:
            raise ValidationError({"region": _("This role needs a region.")})
        if role == Role.MINISTRY and self.region and self.region.level != RegionLevel.COUNTRY:
            raise ValidationError({"region": _("A ministry user's region must be a country.")})
        if role == Role.PRODUCER_STAFF and not self.organisation_id:
            raise ValidationError({"organisation": _("This role needs an organisation.")})


def hash_token(raw: str) -> str:
    # A token is 256 random bits: a fast hash suffices (no dictionary to guess from), and
    # a lookup by digest stays one indexed query per request.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored."""

    PREFIX = "oxf_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user: models.Model, name: str) -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=hash_token(raw), hint=raw[:8])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> ApiToken | None:
        token = (
            cls.objects.select_related("user")
            .filter(digest=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is not None:
            now = timezone.now()
            # Coarse update: one write per token per minute, not per request.
            if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token


class IdempotentRequest(models.Model):
    """The first answer to a creating POST, replayed for a retry with the same key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
