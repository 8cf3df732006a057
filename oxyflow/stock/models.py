"""Append-only stock movements per site and product, and the balances cached from them.

A :class:`Movement` is the signed change of one product's stock at one site, in the
product's unit of issue, which it stores beside the number. Movements are never changed
or deleted: a mistake is undone by a reversal, a count that disagrees by an adjustment.
Only the review fields of a movement may be written after posting.

A :class:`Balance` is a cache: the sum of a (site, product)'s movements, kept in step by
:mod:`oxyflow.stock.services` in the transaction that posts, and rebuilt from the
movements whenever in doubt. Post through the services, never by creating rows here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oxyflow.registry.models import Product, Site, UnitOfIssue, no_nul
from oxyflow.stock.errors import LedgerError

QUANTITY_MAX_DIGITS = 16
QUANTITY_DECIMAL_PLACES = 3
# The smallest step a stored quantity can take (1 g of LOX, a thousandth of a cylinder).
QUANTUM = Decimal(1).scaleb(-QUANTITY_DECIMAL_PLACES)
# Quantities must stay strictly below this in magnitude to fit the column.
QUANTITY_LIMIT = Decimal(10) ** (QUANTITY_MAX_DIGITS - QUANTITY_DECIMAL_PLACES)


class MovementKind(models.TextChoices):
    PRODUCTION = "production", _("Production")
    RECEIPT = "receipt", _("Receipt")
    CONSUMPTION = "consumption", _("Consumption")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")


# Kinds that only ever add to stock, and kinds that only ever take from it.
INCREASING_KINDS = frozenset(
    {MovementKind.PRODUCTION, MovementKind.RECEIPT, MovementKind.TRANSFER_IN}
)
DECREASING_KINDS = frozenset({MovementKind.CONSUMPTION, MovementKind.TRANSFER_OUT})
# The only columns of a posted movement that may still be written (names and attnames).
REVIEW_FIELDS = frozenset(
    {"needs_review", "reviewed_by", "reviewed_by_id", "reviewed_at", "review_note"}
)


def format_quantity(value: Decimal) -> str:
    """A stored quantity without trailing zeros or exponent: ``Decimal("120.000")`` → "120"."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def unit_label(unit: str) -> str:
    """What follows a number on screen for a unit of issue ("kg", "cylinders")."""
    try:
        return str(UnitOfIssue(unit).label)
    except ValueError:
        return unit


class MovementQuerySet(models.QuerySet["Movement"]):
    def of(self, *, site: Site, product: Product) -> MovementQuerySet:
        """One (site, product)'s movements, oldest first."""
        return self.filter(site=site, product=product).order_by("occurred_at", "pk")

    def update(self, **kwargs: Any) -> int:
        """Only review fields may be written in bulk; a posted quantity never changes.

        Raises ``LedgerError`` naming the first other field.
        """
        refused = sorted(set(kwargs) - REVIEW_FIELDS)
        if refused:
            raise LedgerError(refused[0], kwargs[refused[0]], _immutable_rule())
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refused: the ledger keeps every movement. Raises ``LedgerError``."""
        raise LedgerError("movement", "*", _never_deleted_rule())

    delete.queryset_only = True  # type: ignore[attr-defined]


def _immutable_rule() -> str:
    return gettext("a posted movement cannot be changed; post a reversal or an adjustment")


def _never_deleted_rule() -> str:
    return gettext("a posted movement is never deleted; post a reversal instead")


class Movement(models.Model):
    """One signed change of a product's stock at a site, in the product's unit of issue.

    ``quantity`` is positive for what comes in (production, receipt, transfer in),
    negative for what goes out (consumption, transfer out), either for an adjustment
    (which needs a reason), and the exact opposite of the movement it undoes for a
    reversal. ``occurred_at`` is when it physically happened; ``recorded_at`` when it
    was posted.
    """

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="movements"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    quantity = models.DecimalField(
        _("quantity (signed, in the unit)"),
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMAL_PLACES,
        help_text=_("The change to the balance: positive adds stock, negative takes it."),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=UnitOfIssue.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True, validators=[no_nul])
    source = models.CharField(
        _("source"),
        max_length=100,
        blank=True,
        db_index=True,
        validators=[no_nul],
        help_text=_('What posted it, e.g. "facility-report:42".'),
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, validators=[no_nul])

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-occurred_at", "-pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes: ClassVar = [
            models.Index(fields=["site", "product", "occurred_at"], name="stock_mov_site_prod_at")
        ]
        constraints: ClassVar = [
            # The sign rules again in the database, so no path around the services
            # can store an impossible movement.
            models.CheckConstraint(
                condition=Q(kind__in=sorted(INCREASING_KINDS), quantity__gt=0)
                | Q(kind__in=sorted(DECREASING_KINDS), quantity__lt=0)
                | (Q(kind__in=[MovementKind.ADJUSTMENT, MovementKind.REVERSAL]) & ~Q(quantity=0)),
                name="stock_movement_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MovementKind.ADJUSTMENT) | ~Q(reason=""),
                name="stock_adjustment_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(kind=MovementKind.REVERSAL, reverses__isnull=False)
                | (~Q(kind=MovementKind.REVERSAL) & Q(reverses__isnull=True)),
                name="stock_reversal_names_its_movement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity_display} – {self.product} @ {self.site}"

    @property
    def quantity_display(self) -> str:
        """The signed quantity with its unit, e.g. "-12 cylinders"."""
        return f"{format_quantity(self.quantity)} {unit_label(self.unit)}"

    def check_rules(self) -> None:
        """Check the rules one movement must keep on its own (not the balance).

        Raises ``LedgerError``: wrong sign for the kind, a zero quantity, an adjustment
        without a reason, a reversal that does not mirror its movement (opposite quantity,
        same site and product) or that undoes a reversal.
        """
        kind = MovementKind(self.kind)
        quantity = self.quantity
        if kind in INCREASING_KINDS and quantity <= 0:
            raise LedgerError(
                "quantity",
                quantity,
                gettext("must be above zero for %(kind)s") % {"kind": kind.label},
            )
        if kind in DECREASING_KINDS and quantity >= 0:
            raise LedgerError(
                "quantity",
                quantity,
                gettext("must be below zero for %(kind)s (it takes stock away)")
                % {"kind": kind.label},
            )
        if quantity == 0:
            raise LedgerError(
                "quantity",
                quantity,
                gettext("must not be zero for %(kind)s") % {"kind": kind.label},
            )
        if kind == MovementKind.ADJUSTMENT and not self.reason.strip():
            raise LedgerError("reason", self.reason, gettext("an adjustment must say why"))
        if kind == MovementKind.REVERSAL:
            self._check_reversal()
        elif self.reverses_id is not None:
            raise LedgerError(
                "reverses", self.reverses_id, gettext("only a reversal undoes another movement")
            )

    def _check_reversal(self) -> None:
        original = self.reverses
        if original is None:
            raise LedgerError("reverses", None, gettext("a reversal names the movement it undoes"))
        if original.kind == MovementKind.REVERSAL:
            raise LedgerError(
                "movement",
                original.pk,
                gettext("is itself a reversal and cannot be reversed; post the movement again"),
            )
        if (original.site_id, original.product_id) != (self.site_id, self.product_id):
            raise LedgerError(
                "reverses",
                original.pk,
                gettext("a reversal keeps the site and product of the movement it undoes"),
            )
        if self.quantity != -original.quantity:
            raise LedgerError(
                "quantity",
                self.quantity,
                gettext("a reversal must be exactly %(opposite)s")
                % {"opposite": format_quantity(-original.quantity)},
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; afterwards write only the review fields.

        Raises ``LedgerError`` when any other field of a posted movement would change.
        """
        if self._state.adding:
            self.check_rules()
            super().save(*args, **kwargs)
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is None or not set(update_fields) <= REVIEW_FIELDS:
            self._refuse_changes()
            kwargs["update_fields"] = ["needs_review", "reviewed_by", "reviewed_at", "review_note"]
        super().save(*args, **kwargs)

    def _refuse_changes(self) -> None:
        locked = [
            f
            for f in self._meta.concrete_fields
            if f.name not in REVIEW_FIELDS and not f.primary_key
        ]
        stored = (
            type(self)
            ._default_manager.filter(pk=self.pk)
            .values(*(f.attname for f in locked))
            .first()
        )
        if stored is None:
            raise LedgerError("movement", self.pk, gettext("no such posted movement"))
        for field in locked:
            if stored[field.attname] != getattr(self, field.attname):
                raise LedgerError(field.name, getattr(self, field.attname), _immutable_rule())

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: the ledger keeps every movement. Raises ``LedgerError``."""
        raise LedgerError("movement", self.pk, _never_deleted_rule())


class Balance(models.Model):
    """The stock of one product at one site: a cache of the sum of its movements.

    Written only by :mod:`oxyflow.stock.services` in the transaction that posts a
    movement (its row lock orders concurrent posts); ``rebuild_balances`` recomputes it.
    """

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="balances"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="balances"
    )
    quantity = models.DecimalField(
        _("quantity (in the unit)"),
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMAL_PLACES,
        default=Decimal(0),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=UnitOfIssue.choices)
    last_movement = models.ForeignKey(
        Movement,
        verbose_name=_("last movement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering: ClassVar = ["site", "product"]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["site", "product"], name="stock_balance_one_per_item"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.site}: {self.quantity_display}"

    @property
    def quantity_display(self) -> str:
        return f"{format_quantity(self.quantity)} {unit_label(self.unit)}"
